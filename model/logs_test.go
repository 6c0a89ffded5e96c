package model

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

// A task with more ctx.log lines than the pane keeps: one fetch brings
// them all, the newest are kept and the pane says how many went.
func TestLogsPaneSaysHowManyLinesWereDropped(t *testing.T) {
	f, m := detailModel(t)
	lines := make([]durable.LogLine, 12_345)
	for i := range lines {
		lines[i] = durable.LogLine{At: t0.Add(time.Duration(i) * time.Millisecond), Level: "info", Message: fmt.Sprintf("line %05d", i)}
	}
	f.SetLogLines("t1", lines...)
	before := f.Calls("LogLines:t1")
	m = at(t, m, 3*time.Second) // the next 2s poll of the open task
	if got := f.Calls("LogLines:t1") - before; got != 1 {
		t.Fatalf("%d fetches to catch up, want 1", got)
	}
	m = step(t, m, press("4"))
	view := m.View()
	if !strings.Contains(view, "7346 earlier lines dropped (keeps the last 5000) · 5000 ctx.log lines") {
		t.Errorf("the pane does not say what it dropped:\n%s", view)
	}
	if !strings.Contains(view, "line 12344") || len(m.detail().logs) != maxLogLines || m.detail().logs[0].Message != "line 07345" {
		t.Errorf("not the newest %d lines: %d kept, first %q", maxLogLines, len(m.detail().logs), m.detail().logs[0].Message)
	}
	// More lines later: the count grows by exactly those let go.
	more := append(lines, durable.LogLine{At: t0.Add(time.Hour), Level: "info", Message: "late"})
	f.SetLogLines("t1", more...)
	m = at(t, m, 6*time.Second)
	if !strings.Contains(m.View(), "7347 earlier lines dropped") {
		t.Errorf("after one more line:\n%s", m.View())
	}
}
