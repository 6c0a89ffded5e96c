package ui

import (
	"strings"
	"testing"

	"github.com/hatchtop/hatchtop/durable"
)

// A finished row's error takes WAIT and ON together, and the timed-out
// mark replaces the status word, at every width, never into the last column.
func TestFinishedRowCells(t *testing.T) {
	long := "card declined: insufficient funds on the customer's card ending 4242"
	rows := []Row{
		{Phase: durable.PhaseFailed, Task: "charge", Wait: long, WaitSpans: true, Attempt: "1", Elapsed: "5s"},
		{Phase: durable.PhaseFailed, Task: "slow", Wait: "Task exceeded timeout of 30s", WaitSpans: true, TimedOut: true, Elapsed: "30s"},
	}
	for _, w := range []int{80, 120, 160} {
		out := Table(rows, w, 2, "", plainStyles())
		lines := strings.Split(out, "\n")
		for _, l := range lines {
			if safeWidth(l) >= w {
				t.Errorf("%d columns: a line reaches the last column: %q", w, l)
			}
		}
		alone := rows[0]
		alone.WaitSpans = false
		narrow := strings.Split(Table([]Row{alone}, w, 1, "", plainStyles()), "\n")[1]
		if shown, cut := visible(lines[1], long), visible(narrow, long); shown <= cut {
			t.Errorf("%d columns: spanning shows %d characters of the error, WAIT alone %d", w, shown, cut)
		}
		if !strings.Contains(lines[2], "⏱") || strings.Contains(lines[2], "✘") {
			t.Errorf("%d columns: the timed-out row: %q", w, lines[2])
		}
		if w >= 120 && !strings.Contains(lines[2], "⏱ timed out") {
			t.Errorf("%d columns: no status word: %q", w, lines[2])
		}
	}
}

// visible is how many leading characters of text the line shows.
func visible(line, text string) int {
	for n := len(text); n > 0; n-- {
		if strings.Contains(line, text[:n]) {
			return n
		}
	}
	return 0
}
