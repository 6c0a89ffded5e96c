// Package textsafe makes text that came from elsewhere (the engine, a
// server, a proxy) safe to put on a terminal. It is its own package, with
// nothing but the standard library, so that client's error texts and ui's
// cells share one sanitiser without client depending on ui.
package textsafe

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean makes text that came from the engine (labels, names, event keys,
// stream output, log lines) safe to put on a terminal: escape sequences
// (CSI, OSC, DCS and friends) are dropped whole, other control characters
// become spaces (tabs and newlines included, since rows are single lines),
// invisible format and bidi controls are dropped (see Hidden), and invalid
// UTF-8 becomes U+FFFD. The result holds none of these, so Clean of a
// cleaned string changes nothing.
func Clean(s string) string {
	if Plain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteRune(utf8.RuneError)
			i++
		case r == 0x1b:
			i += escapeLen(s[i:])
		case r == 0x9b || r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f:
			// C1 introducers (CSI, OSC, DCS, SOS, PM, APC) in their 8-bit form.
			i += size + sequenceBodyLen(s[i+size:], r == 0x9b)
		case IsControl(r) || r == '\u2028' || r == '\u2029':
			b.WriteByte(' ') // line and paragraph separators break lines too
			i += size
		case Hidden(r):
			i += size
		default:
			b.WriteString(s[i : i+size])
			i += size
		}
	}
	return b.String()
}

// IsControl reports a C0 or C1 control character, DEL included.
func IsControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// Hidden reports an invisible format or bidi control: the soft hyphen,
// zero-width spaces and joiners, direction marks, embeddings, overrides
// and isolates, word joiners, the BOM, and every other Unicode format
// character (Cf). Terminals disagree on their width (a soft hyphen is a
// cell in some, nothing in others), a right-to-left override reverses the
// rest of the line, and a joiner glues emoji into one glyph only some
// terminals draw as one: without it every terminal draws the parts.
func Hidden(r rune) bool {
	switch {
	case r == 0xad, r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e,
		r >= 0x2060 && r <= 0x2069, r == 0xfeff:
		return true
	}
	return r >= 0x80 && unicode.Is(unicode.Cf, r)
}

// Plain reports printable ASCII only: text Clean leaves as it is, and
// whose width is its length.
func Plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// escapeLen is the length of the escape sequence starting at s[0] == ESC.
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		return 2 + sequenceBodyLen(s[2:], true)
	case ']', 'P', 'X', '^', '_':
		return 2 + sequenceBodyLen(s[2:], false)
	}
	// Two- or three-byte escapes (ESC c, ESC ( B, ...): drop ESC, any
	// intermediate bytes, and the final byte.
	n := 1
	for n < len(s) && s[n] >= 0x20 && s[n] <= 0x2f {
		n++
	}
	if n < len(s) && s[n] >= 0x30 && s[n] <= 0x7e {
		n++ // the final byte; anything else is text and stays
	}
	return n
}

// sequenceBodyLen measures the rest of a CSI (ends at a byte in 0x40–0x7e)
// or of a string sequence (OSC/DCS/…: ends at BEL, ST "ESC \" or 0x9c).
// An unterminated sequence runs to the end of the text, which is dropped.
func sequenceBodyLen(s string, csi bool) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if csi {
			if c >= 0x40 && c <= 0x7e {
				return i + 1
			}
			if c < 0x20 || c > 0x7e {
				return i // a broken CSI: stop before the stray byte
			}
			continue
		}
		switch {
		case c == 0x07:
			return i + 1
		case c == 0x1b && i+1 < len(s) && s[i+1] == '\\':
			return i + 2
		case c == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
			return i + 2
		}
	}
	return len(s)
}

// Line is Clean for a message of one short line: runs of white space
// become one space, ends trimmed, and past limit runes it is cut with "…".
func Line(s string, limit int) string {
	s = strings.Join(strings.Fields(Clean(s)), " ")
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return s
}
