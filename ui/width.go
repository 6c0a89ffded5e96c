package ui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Widths are measured as the renderer measures them: ansi.StringWidth, by
// grapheme cluster, which is what lipgloss and Bubble Tea use to pad and
// cut lines. Terminals measure some clusters otherwise (a skin-tone emoji
// as two wide characters, a Devanagari conjunct letter by letter); a line
// that comes out one cell too wide for the terminal wraps, scrolls the
// whole screen and leaves stale fragments. Two rules keep the screen whole:
// nothing is drawn into the last column, and a line whose clusters a
// letter-by-letter terminal would draw wider is made shorter by that much.

// drawable is the number of columns a screen of width cells draws into:
// all but the last, so one cell of disagreement cannot wrap a line.
func drawable(width int) int { return max(width-1, 0) }

// overshoot is how many cells more than the renderer's measure a terminal
// that draws code point by code point could give s: for each grapheme
// cluster, the sum of its code points' widths beyond the cluster's width.
// Escape sequences in s are ignored.
func overshoot(s string) int {
	if isPlain(s) {
		return 0
	}
	if strings.IndexByte(s, 0x1b) >= 0 {
		s = ansi.Strip(s)
	}
	n := 0
	for s != "" {
		cluster, w := ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
		if cluster == "" {
			break
		}
		// A one-code-point cluster is drawn the same either way.
		if _, size := utf8.DecodeRuneInString(cluster); size < len(cluster) || w == 0 {
			if c := codePointCells(cluster); c > w {
				n += c - w
			}
		}
		s = s[len(cluster):]
	}
	return n
}

// codePointCells is the width of a cluster drawn one code point at a time,
// as wcwidth-style terminals do: marks, format characters and conjoining
// jamo take no cell, wide characters two, everything else one.
func codePointCells(cluster string) int {
	n := 0
	for _, r := range cluster {
		switch {
		case r < 0x80:
			n++
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) || (r >= 0x1160 && r <= 0x11ff):
		default:
			n += max(ansi.StringWidth(string(r)), 1)
		}
	}
	return n
}

// safeWidth is the most cells s can take on any terminal we know of.
func safeWidth(s string) int { return ansi.StringWidth(s) + overshoot(s) }

// cut truncates s (which may hold styles) to at most w cells by safeWidth,
// ending with tail when it cuts. It cuts between grapheme clusters only.
func cut(s string, w int, tail string) string {
	if safeWidth(s) <= w {
		return s
	}
	// The renderer's width of the longest run of clusters that fits, by
	// safeWidth, in what the tail leaves; ansi.Truncate cuts there.
	budget := w - safeWidth(tail)
	plain, fits, used := ansi.Strip(s), 0, 0
	for plain != "" {
		cluster, cw := ansi.FirstGraphemeCluster(plain, ansi.GraphemeWidth)
		if cluster == "" {
			break
		}
		used += max(cw, codePointCells(cluster))
		if used > budget {
			break
		}
		fits += cw
		plain = plain[len(cluster):]
	}
	if strings.IndexByte(s, 0x1b) < 0 {
		// Plain text: cut where the walk above stopped. ansi.Truncate reads
		// an ASCII byte as a cluster of its own and would split one that a
		// modifier extends ("0🏽").
		if out := s[:len(s)-len(plain)] + tail; safeWidth(out) <= w {
			return out
		}
		return "" // not even the tail fits
	}
	limit := fits + ansi.StringWidth(tail)
	for {
		out := ansi.Truncate(s, limit, tail)
		if safeWidth(out) <= w || limit <= 0 {
			return out
		}
		limit-- // zero-width clusters the terminal may still draw
	}
}

// Screen is the last guard of a whole screen of width cells: every line is
// cut so that no terminal draws into the last column. The renderers keep
// to that by themselves; this catches what a component draws unasked.
func Screen(s string, width int) string {
	w := drawable(width)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if safeWidth(l) > w {
			lines[i] = cut(l, w, "")
		}
	}
	return strings.Join(lines, "\n")
}
