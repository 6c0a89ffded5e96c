package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// The sorted column's title carries the arrow, whole, at every width, and
// a column the narrow layout drops (TIMEOUT at 80) stays while sorted by.
// Run with -update to refresh.
func TestSortedTableGoldens(t *testing.T) {
	for _, c := range []struct {
		name  string
		width int
		mark  SortMark
		title string
	}{
		{"remaining-up-80", 80, SortMark{On: true, Column: ColumnRemaining}, "REMAINING↑"},
		{"remaining-up-160", 160, SortMark{On: true, Column: ColumnRemaining}, "REMAINING↑"},
		{"timeout-down-80", 80, SortMark{On: true, Column: ColumnTimeout, Desc: true}, "TIMEOUT↓"},
		{"status-up-80", 80, SortMark{On: true, Column: ColumnStatus}, "STATUS↑"},
		{"task-down-120", 120, SortMark{On: true, Column: ColumnTask, Desc: true}, "TASK↓"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := SortedTable(sampleRows(), c.mark, c.width, 6, "", plainStyles())
			head := strings.Split(out, "\n")[0]
			if !strings.Contains(head, c.title) {
				t.Errorf("header %q lacks %q", head, c.title)
			}
			if n := strings.Count(head, "↑") + strings.Count(head, "↓"); n != 1 {
				t.Errorf("header %q has %d arrows", head, n)
			}
			for i, line := range strings.Split(out, "\n") {
				if lw := ansi.StringWidth(line); lw >= c.width {
					t.Errorf("line %d is %d cells wide, reaching the last column of %d", i, lw, c.width)
				}
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
	// The default order has no arrow and the same layout as Table.
	if a, b := SortedTable(sampleRows(), SortMark{}, 80, 6, "", plainStyles()), Table(sampleRows(), 80, 6, "", plainStyles()); a != b || strings.ContainsAny(a, "↑↓") {
		t.Errorf("the default order is not Table's:\n%s\n%s", a, b)
	}
}
