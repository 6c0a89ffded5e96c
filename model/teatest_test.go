package model

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
)

// A whole program run on the fake engine: it loads, shows the labels,
// opens and closes the help, filters, and quits on q. The final view is a
// golden file (clock pinned, ASCII colours).
func TestProgramFlow(t *testing.T) {
	f := fake.New()
	retried := durableTask("t3", "retry-then-sleep", -3*time.Minute)
	retried.Attempt, retried.RetryCount = 3, 2
	evicted := durableTask("t2", "wait-event-labelled", -2*time.Minute)
	evicted.Evicted = true
	f.SetTasks(durableTask("t1", "sleep-labelled", -time.Minute), evicted, retried)
	f.SetLog("t1", sleepEntry(1, "cooling down before retry", t0.Add(-8*time.Second), 2*time.Minute))
	f.SetLog("t2", eventEntry(1, "awaiting payment confirmation", t0.Add(-time.Minute), "payment:confirmed"))
	f.SetLog("t3", sleepEntry(1, "", t0.Add(-5*time.Second), 10*time.Minute))
	f.SetConfig("t3", durable.Config{MaxRetries: 3})

	tm := teatest.NewTestModel(t, newTestModel(f), teatest.WithInitialTermSize(100, 16))
	waitFor(t, tm, "cooling down before")
	tm.Send(press("?"))
	waitFor(t, tm, "page down")
	tm.Send(press("esc"))
	tm.Send(press("/"))
	tm.Type("payment")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	waitFor(t, tm, "1 of 3 active")
	tm.Send(press("q"))
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
	golden.RequireEqual(t, []byte(fm.View()))
}

func waitFor(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte(text)) || strings.Contains(string(b), text)
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}
