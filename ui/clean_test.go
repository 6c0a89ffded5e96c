package ui

import (
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "awaiting payment", "awaiting payment"},
		{"unicode kept", "café ☕ 日本", "café ☕ 日本"},
		{"colour", "\x1b[31mred\x1b[0m label", "red label"},
		{"osc title bel", "\x1b]0;pwned\x07safe", "safe"},
		{"osc title st", "\x1b]0;pwned\x1b\\safe", "safe"},
		{"osc hyperlink", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"real payload", "\x1b]0;pwned\x07\x1b[31mred label\x1b[0m", "red label"},
		{"cursor moves", "a\x1b[2J\x1b[Hb", "ab"},
		{"newline and tab", "a\nb\tc\r", "a b c "},
		{"bell and nul", "a\x07b\x00c", "a b c"},
		{"c1 csi", "a\u009b31mb", "ab"},
		{"charset escape", "a\x1b(Bb", "ab"},
		{"unterminated osc", "ok\x1b]0;never ends", "ok"},
		{"lone esc", "ok\x1b", "ok"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
		{"del", "a\x7fb", "a b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Clean(c.in); got != c.want {
				t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"\x1b[31mx", "\x1b]0;t\x07", "a\u009bb", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Clean(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("control %U left in %q (from %q)", r, out, s)
			}
		}
	})
}
