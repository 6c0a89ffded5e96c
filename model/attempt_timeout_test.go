package model

import (
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
)

// plainModel runs one non-durable task assigned 1m50s ago with a 5m
// timeout: it times out in 3m10s.
func plainModel(t *testing.T) (*fake.Engine, Model) {
	t.Helper()
	f := fake.New()
	task := durableTask("p1", "plain-job", -2*time.Minute)
	task.Durable = false
	f.SetTasks(task)
	f.SetConfig("p1", durable.Config{MaxRetries: 0, Timeout: 5 * time.Minute})
	f.SetEvents("p1",
		durable.TaskEvent{ID: 1, Type: durable.EventAssigned, At: t0.Add(-110 * time.Second), RetryCount: 0},
		durable.TaskEvent{ID: 2, Type: durable.EventStarted, At: t0.Add(-110 * time.Second), RetryCount: 0})
	return f, startedModel(t, f)
}

func rowOf(t *testing.T, m Model, name string) string {
	t.Helper()
	for _, l := range strings.Split(m.View(), "\n") {
		if strings.Contains(l, name) {
			return l
		}
	}
	t.Fatalf("no row for %s:\n%s", name, m.View())
	return ""
}

// A plain running task's TIMEOUT shows in the list, as the detail knows it.
func TestPlainTaskTimeoutShowsInTheList(t *testing.T) {
	f, m := plainModel(t)
	if row := rowOf(t, m, "plain-job"); !strings.Contains(row, "3m10s") {
		t.Errorf("the list's TIMEOUT is not 3m10s (events fetched %d times):\n%s", f.Calls("TaskEvents:p1"), row)
	}
	m = step(t, m, press("enter"))
	if v := m.View(); !strings.Contains(v, "in 3m10s") {
		t.Errorf("the detail does not say in 3m10s:\n%s", v)
	}
}

// After `t` the list shows the engine's answer even when the task's events
// have nothing to rebuild the deadline from.
func TestPlainTaskTimeoutAfterRefresh(t *testing.T) {
	f := fake.New()
	task := durableTask("p1", "plain-job", -2*time.Minute)
	task.Durable = false
	f.SetTasks(task)
	f.SetConfig("p1", durable.Config{MaxRetries: 0, Timeout: 5 * time.Minute})
	m := startedModel(t, f)
	m = step(t, m, press("t"))
	m = step(t, m, press("enter")) // the default 5m
	m = step(t, m, press("enter")) // confirmed
	if f.Calls("RefreshTimeout") != 1 {
		t.Fatalf("RefreshTimeout called %d times:\n%s", f.Calls("RefreshTimeout"), m.View())
	}
	// The fake answers 13:00 + 5m; the clock is 12:00.
	if row := rowOf(t, m, "plain-job"); !strings.Contains(row, "1h5m") {
		t.Errorf("the list's TIMEOUT is not the refreshed 1h5m:\n%s", row)
	}
}

// An attempt count past the maximum (reassignments after restarts) reads
// "5 (max 3)" in full, never "5/3", and the detail says why.
func TestAttemptPastTheMaximum(t *testing.T) {
	f := fake.New()
	task := durableTask("r1", "restarted", -time.Minute)
	task.Attempt, task.RetryCount = 5, 4
	f.SetTasks(task)
	f.SetLog("r1", sleepEntry(1, "nap", t0, time.Hour))
	f.SetConfig("r1", durable.Config{MaxRetries: 2, Timeout: time.Hour})
	m := startedModel(t, f)
	for _, w := range []int{80, 120} {
		m.width = w
		row := rowOf(t, m, "restarted")
		if !strings.Contains(row, "5 (max 3)") || strings.Contains(row, "5/3") {
			t.Errorf("at %d columns the attempt is not 5 (max 3):\n%s", w, row)
		}
	}
	m = step(t, m, press("enter"))
	v := m.View()
	if !strings.Contains(v, "attempt 5 (max 3)") || !strings.Contains(v, "past the maximum: the engine counts reassignments after restarts too") {
		t.Errorf("the detail does not explain the count:\n%s", v)
	}
	if got := attemptCell(2, 2); got != "2/3" {
		t.Errorf("attemptCell(2, 2) = %q", got)
	}
}
