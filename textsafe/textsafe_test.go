package textsafe

import (
	"strings"
	"testing"
)

// ui's clean_test.go and hostile_test.go test Clean through ui.Clean;
// these are the parts only client uses.

func TestLine(t *testing.T) {
	for _, c := range []struct {
		in    string
		limit int
		want  string
	}{
		{"  a \t\n b\u2028c  ", 10, "a b c"},
		{"\x1b[1mbold\x1b[0m", 10, "bold"},
		{"abcdef", 3, "abc…"},
		{"日本語", 3, "日本語"},
		{"日本語x", 3, "日本語…"},
		{"", 3, ""},
	} {
		if got := Line(c.in, c.limit); got != c.want {
			t.Errorf("Line(%q, %d) = %q, want %q", c.in, c.limit, got, c.want)
		}
	}
}

func TestPlain(t *testing.T) {
	for s, want := range map[string]bool{"": true, "a b~": true, "a\tb": false, "é": false, "a\x7f": false} {
		if got := Plain(s); got != want {
			t.Errorf("Plain(%q) = %v", s, got)
		}
		if want && Clean(s) != s {
			t.Errorf("Clean changed plain %q", s)
		}
	}
	if !strings.HasPrefix(Clean("x\x1b[2J"), "x") {
		t.Error("Clean lost the text before an escape")
	}
}
