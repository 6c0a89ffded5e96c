package ui

import (
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
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
		{"soft hyphen", "co\u00adop", "coop"},
		{"zero width space and joiners", "a\u200bb\u200cc\u200dd", "abcd"},
		{"direction marks", "\u200ea\u200fb", "ab"},
		{"rtl override", "pay \u202eevil\u202c.exe", "pay evil.exe"},
		{"embeddings", "\u202aa\u202bb\u202dc", "abc"},
		{"isolates and word joiner", "\u2066a\u2067b\u2068c\u2069\u2060d", "abcd"},
		{"bom", "\ufeffkey", "key"},
		{"arabic letter mark", "a\u061cb", "ab"},
		{"zwj sequence falls apart", "🏳️\u200d🌈", "🏳️🌈"},
		{"line separator", "a\u2028b\u2029c", "a b c"},
		{"c1 nel", "a\u0085b", "a b"},
		{"esc before non-ascii keeps the text", "a\x1bé", "aé"},
		{"skin tone kept", "👍🏽", "👍🏽"},
		{"vs16 kept", "❤️", "❤️"},
		{"devanagari kept", "क्षत्रिय", "क्षत्रिय"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Clean(c.in); got != c.want {
				t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// FuzzClean: whatever the engine sends, the cleaned text holds no C0, C1,
// format or bidi control, cleaning it again changes nothing, and it never
// takes more cells than the input could have taken on a terminal. Seeds
// are in testdata/fuzz/FuzzClean and below.
func FuzzClean(f *testing.F) {
	for _, s := range []string{
		"\x1b[31mx", "\x1b]0;t\x07", "a\u009bb", "\xff", "a\u00adb", "👍🏽", "❤️", "🏳️\u200d🌈",
		"क्षत्रिय", "\u202eevil", "\u2066\u2069\ufeff", "\x1b\u200b[31m", "\u0085\u008d\u009c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Clean(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", s)
		}
		for _, r := range out {
			if IsControl(r) || Hidden(r) || unicode.Is(unicode.Cf, r) || r == 0x1b {
				t.Fatalf("control %U left in %q (from %q)", r, out, s)
			}
		}
		if again := Clean(out); again != out {
			t.Fatalf("not idempotent: Clean(%q) = %q, Clean of that = %q", s, out, again)
		}
		if w, most := ansi.StringWidth(out), inputCells(s); w > most {
			t.Fatalf("Clean(%q) = %q is %d cells, the input at most %d", s, out, w, most)
		}
	})
}

// inputCells is the most cells s can take on a terminal, drawn code point
// by code point: a control, line separator or broken byte one
// (Clean makes it a space or U+FFFD), a variation selector one (it can
// widen the character before it), any other code point its own width.
func inputCells(s string) int {
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1, IsControl(r), r == '\u2028', r == '\u2029', r == 0xfe0f:
			n++
		default:
			n += ansi.StringWidth(string(r))
		}
	}
	return n
}
