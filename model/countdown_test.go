package model

import (
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/ui"
)

// Every countdown of the model reads a deadline by durable.Remaining's one
// rule: cut down to the second, never under 1s while it is ahead, and the
// time since once it is reached. Before, 90.5 s read "1m31s" in the
// timeout cells (rounded up) beside a wait's "1m30s", 300 ms read "in 0s"
// in the prompt's "at", and the retry note rounded to the nearest second.
func TestCountdownsShareOneRule(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "a", -time.Minute))
	m := startedModel(t, f)
	for _, c := range []struct {
		ahead          time.Duration
		cell, text, at string
	}{
		{90*time.Second + 500*time.Millisecond, "1m30s", "in 1m30s", "(in 1m30s)"},
		{3*time.Second + 600*time.Millisecond, "3s", "in 3s", "(in 3s)"},
		{300 * time.Millisecond, "1s", "in 1s", "(in 1s)"},
		{0, "due", "0s ago", ""},
		{-2*time.Second - 500*time.Millisecond, "due", "2s ago", ""},
	} {
		deadline := m.now.Add(c.ahead)
		if got := m.timeoutCell(deadline); got != c.cell {
			t.Errorf("%s ahead: timeout cell %q, want %q", c.ahead, got, c.cell)
		}
		if got := m.timeoutText(deadline); got != c.text {
			t.Errorf("%s ahead: time to timeout %q, want %q", c.ahead, got, c.text)
		}
		if got := atText(deadline, m.now); c.at != "" && !strings.HasSuffix(got, c.at) || c.at == "" && strings.Contains(got, "(in") {
			t.Errorf("%s ahead: %q, want it to end %q", c.ahead, got, c.at)
		}
	}

	// The help's note on a failing list poll says when it tries again.
	f.FailList(errDown)
	f.FailVersion(errDown)
	for s := 1; s <= 6 && m.listConn().Kind != ui.Reconnecting; s++ {
		m = at(t, m, time.Duration(s)*time.Second)
	}
	if m.listConn().Kind != ui.Reconnecting {
		t.Fatalf("the list is %v with the engine away", m.listConn().Kind)
	}
	for _, c := range []struct {
		ahead time.Duration
		want  string
	}{
		{90*time.Second + 500*time.Millisecond, "next try in 1m30s"},
		{3*time.Second + 600*time.Millisecond, "next try in 3s"},
		{300 * time.Millisecond, "next try in 1s"},
	} {
		m.sched.nextListAt = m.now.Add(c.ahead)
		if notes := strings.Join(m.connNotes(m.width), "\n"); !strings.Contains(notes, c.want) {
			t.Errorf("%s ahead: %q, want %q", c.ahead, notes, c.want)
		}
	}
}
