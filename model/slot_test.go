package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
)

// slotTasks: t1 called release_slot before its sleep, t2 holds its slot.
func slotTasks(t *testing.T) (*fake.Engine, Model) {
	t.Helper()
	f := fake.New()
	released, holding := durableTask("t1", "release-then-sleep", -time.Minute), durableTask("t2", "sleep-labelled", -2*time.Minute)
	f.SetTasks(released, holding)
	f.SetLog("t1", sleepEntry(1, "sleeping without a slot", t0.Add(-40*time.Second), 5*time.Minute))
	f.SetLog("t2", sleepEntry(1, "cooling down", t0.Add(-90*time.Second), 5*time.Minute))
	start := []durable.TaskEvent{
		{ID: 2, Type: durable.EventStarted, At: t0.Add(-59 * time.Second), RetryCount: 0},
		{ID: 1, Type: durable.EventAssigned, At: t0.Add(-time.Minute), WorkerID: "worker-1", RetryCount: 0},
	}
	f.SetDetail("t1", durable.Detail{Task: released, WorkerID: "worker-1", Events: append([]durable.TaskEvent{
		{ID: 3, Type: durable.EventSlotReleased, At: t0.Add(-45 * time.Second), WorkerID: "worker-1", RetryCount: 0},
	}, start...)})
	f.SetDetail("t2", durable.Detail{Task: holding, WorkerID: "worker-1", Events: start})
	m := startedModel(t, f)
	m.height = 12
	return f, m
}

func lineOf(view, task string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, task) {
			return l
		}
	}
	return ""
}

func TestSlotReleasedInListAndDetail(t *testing.T) {
	_, m := slotTasks(t)
	view := m.View()
	if l := lineOf(view, "release-then-sleep"); !strings.Contains(l, "◐ released") {
		t.Errorf("released row %q", l)
	}
	if l := lineOf(view, "sleep-labelled"); !strings.Contains(l, "● running") {
		t.Errorf("holding row %q", l)
	}
	t.Run("list", func(t *testing.T) { golden.RequireEqual(t, []byte(view)) })

	m.height = 40
	m = step(t, m, press("enter")) // the cursor is on the newest: t1
	view = m.View()
	if !strings.Contains(view, "running · slot released") || !strings.Contains(view, "worker slot") ||
		!strings.Contains(view, "runs on without holding a slot") {
		t.Errorf("detail:\n%s", view)
	}
	t.Run("detail", func(t *testing.T) { golden.RequireEqual(t, []byte(view)) })
}

// A restore after eviction assigns the task again: it holds a slot anew.
func TestSlotReleasedEndsAtTheNextAssignment(t *testing.T) {
	f, m := slotTasks(t)
	d, _ := f.TaskDetail(t.Context(), "t1")
	d.Events = append([]durable.TaskEvent{{ID: 9, Type: durable.EventAssigned, At: t0.Add(-time.Second), RetryCount: 0}}, d.Events...)
	f.SetDetail("t1", d)
	m = step(t, m, press("enter"))
	if view := m.View(); strings.Contains(view, "slot released") || strings.Contains(view, "worker slot") {
		t.Errorf("detail after the reassignment:\n%s", view)
	}
	m = step(t, m, press("esc"))
	if l := lineOf(m.View(), "release-then-sleep"); !strings.Contains(l, "● running") {
		t.Errorf("row after the reassignment %q", l)
	}
}

// The data tab of a DAG task an event filter started, one of whose
// parents was skipped.
func TestDataTabSkippedParentAndFilterPayload(t *testing.T) {
	f := fake.New()
	task := durableTask("t3", "after-skip", -time.Minute)
	task.RunID = "r3"
	f.SetTasks(task)
	f.SetLog("t3", sleepEntry(1, "after a skipped parent", t0.Add(-30*time.Second), 2*time.Minute))
	yes := true
	f.SetDetail("t3", durable.Detail{Task: task, Input: json.RawMessage(`{}`),
		ParentOutputs:    map[string]json.RawMessage{"decide": json.RawMessage(`{"skip":true}`), "maybe": json.RawMessage(`{"skipped":true}`)},
		SkippedParents:   map[string]bool{"maybe": true},
		TriggeredByEvent: &yes, TriggerEventKey: "slots:filtered",
		FilterPayload: json.RawMessage(`{"tier":"gold"}`), FilterKnown: true})
	m := startedModel(t, f)
	m.height = 40
	m = step(t, m, press("enter"))
	m = step(t, m, press("5"))
	view := m.View()
	if l := lineOf(view, "maybe"); !strings.Contains(l, "skipped: its skip condition was met") {
		t.Errorf("skipped parent %q", l)
	}
	if !strings.Contains(view, "filter payload") || !strings.Contains(view, `"tier": "gold"`) {
		t.Errorf("no filter payload:\n%s", view)
	}
	t.Run("data", func(t *testing.T) { golden.RequireEqual(t, []byte(view)) })

	// No filter matched, and a stored input that could not be read.
	d, _ := f.TaskDetail(t.Context(), "t3")
	d.FilterPayload = nil
	f.SetDetail("t3", d)
	m = step(t, m, press("esc"))
	m = step(t, m, press("enter"))
	m = step(t, m, press("5"))
	if l := lineOf(m.View(), "filter payload"); !strings.Contains(l, "none: no event filter") {
		t.Errorf("no filter matched: %q", l)
	}
	d.FilterKnown = false
	f.SetDetail("t3", d)
	m = step(t, m, press("esc"))
	m = step(t, m, press("enter"))
	m = step(t, m, press("5"))
	if l := lineOf(m.View(), "filter payload"); !strings.Contains(l, "unknown: the run's stored input") {
		t.Errorf("not read: %q", l)
	}
}
