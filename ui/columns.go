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
// dropped columns are 0. One space separates columns. want, when given, is
// the widest content of each column: spare width goes by weight to columns
// whose content does not fit yet, so a short WAIT leaves room for a long ON.
func layout(cols []column, width int, want []int) []int {
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
	spare := width - need()
	for i, c := range cols {
		if kept[i] {
			widths[i] = c.min
		}
	}
	// Hand out the spare width in rounds: each round splits it by weight
	// among the columns that still want more, capped at what they want.
	// Once everyone is content the rest is shared by weight after all.
	share := func(capped bool) {
		hungry := func(i int) bool {
			return kept[i] && cols[i].weight > 0 && (!capped || widths[i] < want[i])
		}
		for spare > 0 {
			weights := 0
			for i, c := range cols {
				if hungry(i) {
					weights += c.weight
				}
			}
			if weights == 0 {
				return
			}
			given := 0
			for i, c := range cols {
				if !hungry(i) {
					continue
				}
				add := max(spare*c.weight/weights, 1)
				if capped {
					add = min(add, want[i]-widths[i])
				}
				add = min(add, spare-given)
				widths[i] += add
				given += add
			}
			spare -= given
			if given == 0 {
				return
			}
		}
	}
	if want != nil {
		share(true)
	}
	share(false)
	return widths
}

// contentWidths is the widest cell of each column over rows of cells,
// titles included, so flexible columns do not grow past their content.
func contentWidths(cols []column, rows [][]string) []int {
	want := make([]int, len(cols))
	for i, c := range cols {
		want[i] = len(c.title)
	}
	for _, cells := range rows {
		for i, c := range cells {
			want[i] = max(want[i], ansi.StringWidth(c))
		}
	}
	return want
}

// tableSlack is the most cells a terminal that draws code point by code
// point may add to one of the rows as laid out in widths.
func tableSlack(rows [][]string, widths []int, right func(int) bool) int {
	slack := 0
	for _, cells := range rows {
		n := 0
		for i, c := range cells {
			if widths[i] > 0 && !isPlain(c) {
				if right != nil && right(i) {
					n += overshoot(fitRight(c, widths[i]))
				} else {
					n += overshoot(fit(c, widths[i]))
				}
			}
		}
		slack = max(slack, n)
	}
	return slack
}

func columnTitles(cols []column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.title
	}
	return out
}

// joinAligned fits each cell to its width, right-aligned where right says
// so (nil: none), skipping dropped columns, one space apart.
func joinAligned(cells []string, widths []int, right func(int) bool) string {
	parts := make([]string, 0, len(cells))
	for i, c := range cells {
		switch {
		case widths[i] == 0:
		case right != nil && right(i):
			parts = append(parts, fitRight(c, widths[i]))
		default:
			parts = append(parts, fit(c, widths[i]))
		}
	}
	return strings.Join(parts, " ")
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
