package settings

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzParse: any file content parses or fails without panicking, and a
// failure is one printable line that starts with the file's name.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "read_only: true\ntimeout_warning: 2m\nkeys:\n  cancel: x\n  mark: [space, m]\n",
		"colour: red\n", "timeout_warning: soon\n", "read_only: maybe\n", "keys: x\n", "keys:\n  cancel: q\n",
		"keys:\n  nope: x\n", "keys:\n  cancel: {a: b}\n", "- a\n", "read_only: [\n", "\"\\x1b[31m\": 1\n",
		"keys:\n  \"\\x1b]0;t\\a\": x\n", "a: &a [*a]\n", "read_only: true\nread_only: false\n", "~\n", "keys:\n  cancel: [\"\\x00\"]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		s, err := Parse("c.yaml", []byte(data))
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "c.yaml: ") {
				t.Fatalf("error does not name the file: %q", msg)
			}
			for _, r := range msg {
				if unicode.IsControl(r) {
					t.Fatalf("error holds control %U (or spans lines): %q", r, msg)
				}
			}
			return
		}
		if s.TimeoutWarn < 0 || s.Path != "c.yaml" {
			t.Fatalf("accepted %+v", s)
		}
	})
}
