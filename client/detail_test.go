package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
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
	if len(lines) != 2 || lines[0].Message != "log 1 at 1795397885000" || lines[0].Level != "INFO" || lines[1].Level != "WARN" {
		t.Errorf("lines %+v", lines)
	}
	since := time.Date(2026, 11, 23, 1, 38, 6, 0, time.UTC)
	lines, _ = c.LogLines(ctxTimeout(t, 5*time.Second), tid(1), since)
	if len(lines) != 1 || !lines[0].At.Equal(since) {
		t.Errorf("since: %+v", lines)
	}
}

func TestRunSiblingsFillParentOutputsAndErrors(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	d := durable.Detail{Task: durable.Task{ID: tid(1), RunID: "0b1e7c5e-0000-4000-8000-000000000009"}}
	c.runSiblings(ctxTimeout(t, 5*time.Second), &d)
	if string(d.ParentOutputs["fetch"]) != `{"rows":3}` || d.UpstreamErrors["check"] != "boom" {
		t.Errorf("outputs %v errors %v", d.ParentOutputs, d.UpstreamErrors)
	}
}

func streamEvent(kind dispatcherpb.ResourceEventType, res dispatcherpb.ResourceType, id, payload string, idx int64, hangup bool) *dispatcherpb.WorkflowEvent {
	return &dispatcherpb.WorkflowEvent{WorkflowRunId: tid(9), ResourceType: res, EventType: kind, ResourceId: id,
		EventTimestamp: timestamppb.Now(), EventPayload: payload, EventIndex: &idx, Hangup: hangup}
}

func TestSubscribeMapsEveryKindAndEndsOnHangup(t *testing.T) {
	f := newFakeEngine(t, testToken())
	step, run := dispatcherpb.ResourceType_RESOURCE_TYPE_STEP_RUN, dispatcherpb.ResourceType_RESOURCE_TYPE_WORKFLOW_RUN
	f.feeds = map[string][]*dispatcherpb.WorkflowEvent{tid(9): {
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_STARTED, step, tid(1), "", 0, false),
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_STREAM, step, tid(1), "chunk 0\n", 0, false),
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_STREAM, step, tid(1), "chunk 1\n", 1, false),
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_FAILED, step, tid(1), "boom", 0, false),
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_COMPLETED, step, tid(1), `{"ok":true}`, 0, false),
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_CANCELLED, step, tid(2), "", 0, false),
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_COMPLETED, run, tid(9), "", 0, true),
	}}
	c := dialFake(t, f, nil)
	var got []durable.RunEvent
	opened := false
	err := c.Subscribe(ctxTimeout(t, 5*time.Second), tid(9), func() { opened = true }, func(ev durable.RunEvent) { got = append(got, ev) })
	if err != nil || !opened {
		t.Fatalf("a hangup should end Subscribe with nil: %v (opened %v)", err, opened)
	}
	kinds := []durable.RunEventKind{durable.TaskCreated, durable.TaskStream, durable.TaskStream, durable.TaskFailed, durable.TaskCompleted, durable.TaskCancelled, durable.RunFinished}
	if len(got) != len(kinds) {
		t.Fatalf("got %d events, want %d", len(got), len(kinds))
	}
	for i, k := range kinds {
		if got[i].Kind != k {
			t.Errorf("event %d is %s, want %s", i, got[i].Kind, k)
		}
	}
	if got[2].Index != 1 || got[2].Payload != "chunk 1\n" || got[2].TaskID != tid(1) || got[6].Final != durable.StatusCompleted || !got[6].Hangup {
		t.Errorf("fields: %+v / %+v", got[2], got[6])
	}
}

func TestSubscribeErrors(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	err := c.Subscribe(ctxTimeout(t, 5*time.Second), tid(8), nil, func(durable.RunEvent) {})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown run: %v", err)
	}
	f.mu.Lock()
	f.feedErr = status.Error(codes.Unavailable, "engine shutting down")
	f.mu.Unlock()
	err = c.Subscribe(ctxTimeout(t, 5*time.Second), tid(9), nil, func(durable.RunEvent) {})
	if !errors.Is(err, ErrUnreachable) {
		t.Errorf("unavailable: %v", err)
	}
	bad := dialFake(t, f, nil, envToken, jwt(map[string]any{"sub": testTenant}))
	if err := bad.Subscribe(ctxTimeout(t, 5*time.Second), tid(9), nil, func(durable.RunEvent) {}); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("wrong token: %v", err)
	}
}

// scriptedSub is a Subscriber whose calls follow a script, for Feeds.
type scriptedSub struct {
	mu    sync.Mutex
	calls map[string]int
	// results[run][n] is what the n-th call returns; past the end it
	// blocks until cancelled.
	results map[string][]error
}

func (s *scriptedSub) Subscribe(ctx context.Context, runID string, opened func(), out func(durable.RunEvent)) error {
	s.mu.Lock()
	n := s.calls[runID]
	s.calls[runID]++
	res := s.results[runID]
	s.mu.Unlock()
	if n < len(res) {
		if res[n] == nil {
			opened()
			out(durable.RunEvent{Kind: durable.RunFinished, RunID: runID, Final: durable.StatusCompleted, Hangup: true})
		}
		return res[n]
	}
	opened()
	<-ctx.Done()
	return ctx.Err()
}

func (s *scriptedSub) count(run string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[run]
}

// instant is an after() that fires at once, recording the delays asked.
type instant struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (i *instant) after(d time.Duration) <-chan time.Time {
	i.mu.Lock()
	i.delays = append(i.delays, d)
	i.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- time.Time{}
	return ch
}

func waitUpdate(t *testing.T, ch <-chan FeedUpdate, cond func(FeedUpdate) bool) FeedUpdate {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case u := <-ch:
			if cond(u) {
				return u
			}
		case <-deadline:
			t.Fatal("no such feed update within 5s")
		}
	}
}

func TestFeedsReconnectWithBackoffAndNeverReopenFinished(t *testing.T) {
	unreachable := fmt.Errorf("feed: %w", ErrUnreachable)
	sub := &scriptedSub{calls: map[string]int{}, results: map[string][]error{
		"flaky": {unreachable, unreachable, unreachable},
		"done":  {nil},
		"gone":  {fmt.Errorf("run: %w", ErrNotFound)},
	}}
	clock := &instant{}
	f := NewFeeds(sub, FeedOptions{Max: 2, MinBackoff: time.Second, MaxBackoff: 4 * time.Second, after: clock.after})
	defer f.Close()
	f.Want([]string{"flaky", "done"})
	var finished, live bool
	waitUpdate(t, f.Updates(), func(u FeedUpdate) bool {
		finished = finished || u.RunID == "done" && u.State == FeedFinished
		live = live || u.RunID == "flaky" && u.State == FeedLive
		return finished && live
	})
	if n := sub.count("flaky"); n != 4 {
		t.Errorf("flaky subscribed %d times, want 3 failures + 1", n)
	}
	clock.mu.Lock()
	delays := append([]time.Duration(nil), clock.delays...)
	clock.mu.Unlock()
	if len(delays) != 3 || delays[0] > time.Second || delays[1] > 2*time.Second || delays[2] > 4*time.Second || delays[2] < 2*time.Second {
		t.Errorf("backoff delays %v, want about 1s, 2s, 4s with jitter", delays)
	}
	// Finished runs are never reopened, even when wanted again.
	f.Want([]string{"done", "flaky"})
	if got := f.Open(); len(got) != 1 || got[0] != "flaky" {
		t.Errorf("open %v, want only flaky", got)
	}
	f.Want([]string{"gone"})
	waitUpdate(t, f.Updates(), func(u FeedUpdate) bool { return u.RunID == "gone" && u.State == FeedGone })
	f.Want([]string{"gone", "gone"})
	if sub.count("gone") != 1 || sub.count("done") != 1 {
		t.Errorf("reopened: gone %d, done %d", sub.count("gone"), sub.count("done"))
	}
}

func TestFeedsFollowWantAndCap(t *testing.T) {
	sub := &scriptedSub{calls: map[string]int{}, results: map[string][]error{}}
	f := NewFeeds(sub, FeedOptions{Max: 2})
	f.Want([]string{"a", "b", "c"})
	if got := f.Open(); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("open %v, want the first two", got)
	}
	f.Want([]string{"c"})
	if got := f.Open(); len(got) != 1 || got[0] != "c" {
		t.Errorf("open %v, want only c", got)
	}
	go func() {
		for range f.Updates() {
		}
	}()
	f.Close()
	f.Want([]string{"a"}) // after Close: nothing
	if len(f.Open()) != 0 {
		t.Error("feeds open after Close")
	}
}
