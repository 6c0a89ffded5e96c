package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/hatchtop/hatchtop/durable"
)

func plainStyles() Styles {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	return NewStyles(r)
}

func sampleRows() []Row {
	return []Row{
		{Phase: durable.PhaseRunning, Task: "sleep-labelled", Workflow: "sleep-labelled", Wait: "cooling down before retry",
			On: "sleep 2m", Remaining: "1m52s", Attempt: "1/1", Timeout: "23h58m", Elapsed: "8s", Selected: true},
		{Phase: durable.PhaseEvicted, Task: "wait-event-labelled", Workflow: "wait-event-labelled", Wait: "awaiting payment confirmation",
			On: "event payment:confirmed", Attempt: "1/1", Elapsed: "2m3s"},
		{Phase: durable.PhaseRunning, Task: "wait-or-labelled", Workflow: "wait-or-labelled", Wait: "approval or timeout",
			On: "sleep 10m | event approval:granted", Remaining: "9m40s", Attempt: "1/1", Timeout: "⚠ 4m40s", TimeoutRisk: true, Elapsed: "20s", Marked: true},
		{Phase: durable.PhaseRunning, Task: "retry-then-sleep", Workflow: "retry-then-sleep", Wait: "third time lucky",
			On: "sleep 10m", Remaining: "overdue 2s", Overdue: true, Attempt: "3/4", Elapsed: "10m2s"},
		{Phase: durable.PhaseQueued, Task: "sleep-unlabelled", Workflow: "sleep-unlabelled", Wait: "…", Attempt: "1"},
	}
}

func sampleHeader() HeaderData {
	return HeaderData{Addr: "localhost:7077", Tenant: "707d0855-3c4b-4f1e-9f4a-2b8e1c0d5a11", Version: "v0.105.0",
		Conn: Conn{Kind: Live}, Updated: "updated 1s ago",
		Counts: map[durable.Phase]int{durable.PhaseRunning: 3, durable.PhaseEvicted: 1, durable.PhaseQueued: 1},
		Shown:  5, Total: 5}
}

// Goldens at the sizes people use: 80x24 must stay usable, wider screens
// gain the workflow and ON columns, and at 240 the spare width goes to the
// label and ON. "no-color" is the same screen without colour (NO_COLOR),
// where marks stand in for the selection. Run with -update to refresh.
func TestListGoldens(t *testing.T) {
	for _, c := range []struct {
		name  string
		width int
		st    Styles
	}{{"80", 80, colourLayout()}, {"120", 120, colourLayout()}, {"160", 160, colourLayout()}, {"240", 240, colourLayout()},
		{"80-no-color", 80, plainStyles()}} {
		t.Run(c.name, func(t *testing.T) {
			w, st := c.width, c.st
			out := Header(sampleHeader(), w, st) + "\n" + Table(sampleRows(), w, 20-ListChromeHeight, "", st)
			for i, line := range strings.Split(out, "\n") {
				if lw := ansi.StringWidth(line); lw >= w {
					t.Errorf("line %d is %d cells wide, reaching the last column of %d: %q", i, lw, w, line)
				}
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}

func TestNarrowListKeepsTheEssentials(t *testing.T) {
	st := plainStyles()
	out := Table(sampleRows(), 80, 5, "", st)
	for _, want := range []string{"TASK", "WAIT", "REMAINING", "ATTEMPT", "cooling down", "1m52s", "3/4", "-2s"} {
		if !strings.Contains(out, want) {
			t.Errorf("80 columns lost %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "WORKFLOW") {
		t.Errorf("80 columns should drop WORKFLOW first:\n%s", out)
	}
}

func TestLayoutDropsByPriority(t *testing.T) {
	cols := []column{{title: "A", min: 5}, {title: "B", min: 5, weight: 1, drop: 2}, {title: "C", min: 5, weight: 1, drop: 1}}
	if got := layout(cols, 17); got[0] != 5 || got[1] != 5 || got[2] != 5 {
		t.Errorf("all fit: %v", got)
	}
	if got := layout(cols, 16); got[2] != 0 || got[1] != 10 {
		t.Errorf("C dropped first and B takes the rest: %v", got)
	}
	if got := layout(cols, 6); got[1] != 0 || got[2] != 0 || got[0] != 5 {
		t.Errorf("only A: %v", got)
	}
}

func TestLayoutFairFirstThenWeightUpToMax(t *testing.T) {
	cols := []column{{title: "A", min: 5}, {title: "B", min: 5, fair: 9, max: 12, weight: 1}, {title: "C", min: 5, weight: 3}}
	// 2 spare: B grows toward its fair width before C gets anything.
	if got := layout(cols, 19); got[1] != 7 || got[2] != 5 {
		t.Errorf("widths %v, want B=7 C=5", got)
	}
	// Past B's fair width the spare goes by weight, B stopping at its max.
	got := layout(cols, 107)
	if got[0] != 5 || got[1] != 12 || got[2] != 88 {
		t.Errorf("widths %v, want A=5 B=12 C=88", got)
	}
}
