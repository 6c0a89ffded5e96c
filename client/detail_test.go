package client

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

func TestTaskDetail(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	d, err := c.TaskDetail(ctxTimeout(t, 5*time.Second), tid(1))
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != tid(1) || d.Name == "" || !d.Durable {
		t.Errorf("task: %+v", d.Task)
	}
	if len(d.Events) != 5 || d.Events[0].Type != "TIMEOUT_REFRESHED" || d.WorkerID != "5c2b7c5e-0000-4000-8000-00000000000a" {
		t.Errorf("events %d, first %+v, worker %q", len(d.Events), d.Events[0], d.WorkerID)
	}
	if ev := durable.EvictionOf(d.Events); ev.State != durable.Evicted || !strings.Contains(ev.Reason, "Wait TTL (5s)") {
		t.Errorf("eviction %+v", ev)
	}
	// A standalone task: no trigger event in its metadata, no other tasks.
	if d.TriggeredByEvent == nil || *d.TriggeredByEvent || d.Priority != 0 || d.DefaultPriority != 0 {
		t.Errorf("trigger %v, priority %d, default %d", d.TriggeredByEvent, d.Priority, d.DefaultPriority)
	}
	if d.ParentOutputs != nil || d.UpstreamErrors != nil || f.count("run:"+tid(1)) != 0 {
		t.Errorf("a standalone task has no run to read: %v %v, %d reads", d.ParentOutputs, d.UpstreamErrors, f.count("run:"+tid(1)))
	}
}

// A DAG task triggered by an event, on its second attempt: what the
// engine says of it and of its parents.
func TestTaskDetailOfADAGTask(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	d, err := c.TaskDetail(ctxTimeout(t, 5*time.Second), tid(10))
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != durable.StatusCompleted || d.RunID != tid(9) || d.Name != "notify" || !d.Durable ||
		d.WorkflowID == "" || d.VersionID == "" || d.Attempt != 2 || d.RetryCount != 1 ||
		d.StartedAt.IsZero() || !d.FinishedAt.After(d.StartedAt) || d.ParentTaskID != "" {
		t.Errorf("task %+v, finished %s, parent %q", d.Task, d.FinishedAt, d.ParentTaskID)
	}
	if string(d.Input) != `{"order":42}` || string(d.Output) != `{"sent":true}` || d.Error != "" {
		t.Errorf("input %s output %s error %q", d.Input, d.Output, d.Error)
	}
	if d.Config != (durable.Config{MaxRetries: 2, Timeout: time.Minute}) || d.DefaultPriority != 2 || d.Priority != 0 {
		t.Errorf("config %+v, default priority %d, priority %d", d.Config, d.DefaultPriority, d.Priority)
	}
	if d.TriggeredByEvent == nil || !*d.TriggeredByEvent || d.TriggerEventKey != "order:placed" || d.TriggerEventID == "" {
		t.Errorf("trigger %v %q %q", d.TriggeredByEvent, d.TriggerEventID, d.TriggerEventKey)
	}
	// The worker of the latest assignment, not of the first attempt.
	if d.WorkerID != "bd5d6ef7-0507-4a09-991d-000000000002" {
		t.Errorf("worker %q", d.WorkerID)
	}
	if len(d.Events) != 11 || d.Events[0].Type != "FINISHED" {
		t.Fatalf("events: %d, newest %+v", len(d.Events), d.Events[0])
	}
	var retrying, failed durable.TaskEvent
	for _, e := range d.Events {
		switch e.Type {
		case durable.EventRetrying:
			retrying = e
		case "FAILED":
			failed = e
		}
	}
	if retrying.Message != "This is retry number 1." || !strings.Contains(failed.Error, "smtp timeout") || failed.RetryCount != 0 {
		t.Errorf("retrying %+v, failed %+v", retrying, failed)
	}
	// From the task's stored input: its parent's output and the upstream
	// error, not the outputs of every task of the run.
	if len(d.ParentOutputs) != 1 || string(d.ParentOutputs["fetch"]) != `{"rows":3}` {
		t.Errorf("parent outputs %v", d.ParentOutputs)
	}
	if len(d.UpstreamErrors) != 1 || d.UpstreamErrors["check"] != "boom" {
		t.Errorf("upstream errors %v", d.UpstreamErrors)
	}
}

// A spawned task was not triggered by an event, and the run of an unknown
// id leaves the detail without the run's part.
func TestTaskDetailOfASpawnedTask(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	d, err := c.TaskDetail(ctxTimeout(t, 5*time.Second), tid(5))
	if err != nil {
		t.Fatal(err)
	}
	if d.ParentTaskID != tid(3) || d.TriggeredByEvent == nil || *d.TriggeredByEvent {
		t.Errorf("parent %q, trigger %v", d.ParentTaskID, d.TriggeredByEvent)
	}
	if d.Config != (durable.Config{MaxRetries: 5, Timeout: 2 * time.Minute}) {
		t.Errorf("config %+v", d.Config)
	}
	if f.count("run:"+d.RunID) != 1 || d.ParentOutputs != nil {
		t.Errorf("run read %d times, outputs %v", f.count("run:"+d.RunID), d.ParentOutputs)
	}
}

func TestTaskDetailNotFound(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	if _, err := c.TaskDetail(ctxTimeout(t, 5*time.Second), tid(77)); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown task: %v", err)
	}
}

func TestTaskEventsAskWithALimit(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	events, err := c.TaskEvents(ctxTimeout(t, 5*time.Second), tid(1))
	if err != nil || len(events) == 0 {
		t.Fatalf("the engine answers no events without a limit: %d, %v", len(events), err)
	}
	if !events[0].At.After(events[len(events)-1].At) {
		t.Error("events not newest first")
	}
}

func TestLogLines(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	lines, err := c.LogLines(ctxTimeout(t, 5*time.Second), tid(1), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range lines {
		got = append(got, l.Level+" "+l.Message)
	}
	if strings.Join(got, ", ") != "DEBUG debug line, INFO info line, WARN warn line, ERROR error line" {
		t.Errorf("lines %v", got)
	}
	q := f.logQueries[0]
	if q.Get("order_by_direction") != "ASC" || q.Get("limit") != "1000" || q.Has("since") {
		t.Errorf("query %v", q)
	}
	// Lines at since come back too: both lines written in one batch.
	since := lines[1].At
	lines, err = c.LogLines(ctxTimeout(t, 5*time.Second), tid(1), since)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 || lines[0].Message != "info line" || lines[1].Message != "warn line" || lines[0].RetryCount != 0 {
		t.Errorf("since %s: %+v", since.Format(time.RFC3339Nano), lines)
	}
	asked, err := time.Parse(time.RFC3339Nano, f.logQueries[1].Get("since"))
	if err != nil || !asked.Equal(since.Add(-time.Microsecond)) {
		t.Errorf("asked since %q (%v), want a microsecond before %s", f.logQueries[1].Get("since"), err, since.Format(time.RFC3339Nano))
	}
	lines, _ = c.LogLines(ctxTimeout(t, 5*time.Second), tid(1), time.Now())
	if len(lines) != 0 {
		t.Errorf("future since: %+v", lines)
	}
}

func TestRunSiblingsFillParentOutputsAndErrors(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	// A task the run does not list with a stored input: the other tasks'
	// outputs and errors stand in.
	d := durable.Detail{Task: durable.Task{ID: tid(1), RunID: tid(9)}}
	c.runSiblings(ctxTimeout(t, 5*time.Second), &d)
	if string(d.ParentOutputs["fetch"]) != `{"rows":3}` || d.UpstreamErrors["check"] != "boom" {
		t.Errorf("outputs %v errors %v", d.ParentOutputs, d.UpstreamErrors)
	}
}

func TestFromStoredInputNeedsTheWrapper(t *testing.T) {
	var d durable.Detail
	if fromStoredInput(&d, map[string]any{"parents": map[string]any{"a": 1}}) {
		t.Error("a user input with a parents key taken for the engine's wrapper")
	}
	var in map[string]any
	json.Unmarshal([]byte(`{"input":{},"parents":{"a":{"x":1}},"triggered_by":"manual","triggers":{}}`), &in)
	if !fromStoredInput(&d, in) || string(d.ParentOutputs["a"]) != `{"x":1}` {
		t.Errorf("wrapper: %v", d.ParentOutputs)
	}
}
