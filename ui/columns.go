package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// column is one column of a table: its title, width bounds and how it gives
// way when the terminal is narrow.
type column struct {
	title  string
	min    int
	weight int // share of the spare width; 0 keeps it at min
	drop   int // dropped in increasing order when too narrow; 0 never
}

// layout decides which columns fit in width and how wide each is. Widths of
// dropped columns are 0. One space separates columns.
func layout(cols []column, width int) []int {
	widths := make([]int, len(cols))
	kept := make([]bool, len(cols))
	for i := range cols {
		kept[i] = true
	}
	need := func() int {
		n, sep := 0, -1
		for i, c := range cols {
			if kept[i] {
				n += c.min
				sep++
			}
		}
		return n + max(sep, 0)
	}
	for need() > width {
		victim := -1
		for i, c := range cols {
			if kept[i] && c.drop > 0 && (victim < 0 || c.drop < cols[victim].drop) {
				victim = i
			}
		}
		if victim < 0 {
			break
		}
		kept[victim] = false
	}
	spare, weights := width-need(), 0
	for i, c := range cols {
		if kept[i] {
			widths[i] = c.min
			weights += c.weight
		}
	}
	if spare > 0 && weights > 0 {
		given := 0
		last := -1
		for i, c := range cols {
			if kept[i] && c.weight > 0 {
				add := spare * c.weight / weights
				widths[i] += add
				given += add
				last = i
			}
		}
		widths[last] += spare - given // rounding leftovers go to the last flexible column
	}
	return widths
}

// fit truncates s to w cells with an ellipsis and pads it to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) > w {
		s = ansi.Truncate(s, w, "…")
	}
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// fitRight is fit, aligned right; numbers and countdowns read better so.
func fitRight(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) > w {
		return ansi.Truncate(s, w, "…")
	}
	return strings.Repeat(" ", w-ansi.StringWidth(s)) + s
}
