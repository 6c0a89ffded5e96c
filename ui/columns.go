package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// column is one column of a table: its title, width bounds and how it gives
// way when the terminal is narrow. Widths come from the terminal's width,
// never from the lengths of the rows on screen, so a column keeps its
// width while the rows change under it (a filter, a scroll, a status word).
type column struct {
	title  string
	min    int
	fair   int  // grown to this before any column gets spare width by weight
	max    int  // 0: no bound
	weight int  // share of the spare width; 0 keeps it at min (or fair)
	drop   int  // dropped in increasing order when too narrow; 0 never
	off    bool // dropped by the caller
}

// layout decides which columns fit in width and how wide each is. Widths of
// dropped columns are 0. One space separates columns. Spare width goes
// first to columns below their fair width, in column order, then by weight
// to the columns below their max; what is left stays unused at the end.
func layout(cols []column, width int) []int {
	widths := make([]int, len(cols))
	kept := make([]bool, len(cols))
	for i, c := range cols {
		kept[i] = !c.off
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
	for i, c := range cols {
		if kept[i] && c.fair > widths[i] && spare > 0 {
			add := min(c.fair-widths[i], spare)
			widths[i] += add
			spare -= add
		}
	}
	// Hand out the rest in rounds: each round splits it by weight among
	// the columns still below their max.
	hungry := func(i int) bool {
		return kept[i] && cols[i].weight > 0 && (cols[i].max == 0 || widths[i] < cols[i].max)
	}
	for spare > 0 {
		weights := 0
		for i, c := range cols {
			if hungry(i) {
				weights += c.weight
			}
		}
		if weights == 0 {
			break
		}
		given := 0
		for i, c := range cols {
			if !hungry(i) || given == spare {
				continue
			}
			add := min(spare*c.weight/weights, spare-given)
			if c.max > 0 {
				add = min(add, c.max-widths[i])
			}
			widths[i] += add
			given += add
		}
		if given == 0 {
			// Less than a cell each: one to the heaviest, a round at a time.
			heavy := -1
			for i, c := range cols {
				if hungry(i) && (heavy < 0 || c.weight > cols[heavy].weight) {
					heavy = i
				}
			}
			widths[heavy]++
			given = 1
		}
		spare -= given
	}
	return widths
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

// fitMiddle is fit, cutting s in the middle: names that share a prefix
// ("sleep-labelled-3", "sleep-labelled-7") differ at the end, so the end
// keeps the larger half. s is plain text; clusters stay whole.
func fitMiddle(s string, w int) string {
	if safeWidth(s) <= w {
		return fit(s, w)
	}
	if w < 5 {
		return fit(cut(s, w, "…"), w)
	}
	var clusters []string
	for rest := s; rest != ""; {
		c, _ := ansi.FirstGraphemeCluster(rest, ansi.GraphemeWidth)
		if c == "" {
			break
		}
		clusters = append(clusters, c)
		rest = rest[len(c):]
	}
	tailBudget := (w - 1) - (w-1)/2
	tail, tw := "", 0
	i := len(clusters) - 1
	for ; i >= 0; i-- {
		cw := safeWidth(clusters[i])
		if tw+cw > tailBudget {
			break
		}
		tail = clusters[i] + tail
		tw += cw
	}
	head, hw := "", 0
	for j := 0; j <= i; j++ {
		cw := safeWidth(clusters[j])
		if hw+cw > w-1-tw {
			break
		}
		head += clusters[j]
		hw += cw
	}
	return fit(head+"…"+tail, w)
}

// fitOn fits what a wait is on: the event key is what one would send, so
// it outlives the words around it. First the "event " words go, then the
// alternatives that are not events ("sleep 10m"), shown as "…", then the
// middle of the key itself.
func fitOn(s string, w int) string {
	if safeWidth(s) <= w || !strings.Contains(s, "event ") {
		return fit(s, w)
	}
	if short := strings.ReplaceAll(s, "event ", ""); safeWidth(short) <= w {
		return fit(short, w)
	}
	var keys []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == '&' || r == '(' || r == ')' }) {
		if k, ok := strings.CutPrefix(strings.TrimSpace(part), "event "); ok {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return fit(s, w)
	}
	if k := strings.Join(keys, " | ") + " …"; safeWidth(k) <= w {
		return fit(k, w)
	}
	return fitMiddle(keys[0], w)
}
