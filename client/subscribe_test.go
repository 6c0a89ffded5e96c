package client

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
	"github.com/hatchtop/hatchtop/client/pb/v1pb"
	"github.com/hatchtop/hatchtop/durable"
)

var (
	stepRun = dispatcherpb.ResourceType_RESOURCE_TYPE_STEP_RUN
	wfRun   = dispatcherpb.ResourceType_RESOURCE_TYPE_WORKFLOW_RUN
)

func streamEvent(kind dispatcherpb.ResourceEventType, res dispatcherpb.ResourceType, id, payload string, idx int64, hangup bool) *dispatcherpb.WorkflowEvent {
	retry := int32(1)
	return &dispatcherpb.WorkflowEvent{WorkflowRunId: tid(9), ResourceType: res, EventType: kind, ResourceId: id,
		EventTimestamp: timestamppb.New(time.Date(2026, 11, 23, 1, 38, 5, 0, time.UTC)), EventPayload: payload,
		EventIndex: &idx, Hangup: hangup, RetryCount: &retry}
}

func TestSubscribeMapsEveryKindAndEndsOnHangup(t *testing.T) {
	f := newFakeEngine(t, testToken())
	f.feeds = map[string][]*dispatcherpb.WorkflowEvent{tid(9): {
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_STARTED, stepRun, tid(1), "", 0, false),
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_STREAM, stepRun, tid(1), "chunk 0\n", 0, false),
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_STREAM, stepRun, tid(1), "chunk 1\n", 1, false),
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_FAILED, stepRun, tid(1), "boom", 0, false),
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_COMPLETED, stepRun, tid(1), `{"ok":true}`, 0, false),
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_CANCELLED, stepRun, tid(2), "", 0, false),
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_TIMED_OUT, stepRun, tid(3), "", 0, false),
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_UNKNOWN, stepRun, tid(3), "", 0, false), // not a kind we use: dropped
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_COMPLETED, wfRun, tid(9), "", 0, true),
	}}
	c := dialFake(t, f, nil)
	var got []durable.RunEvent
	opened := 0
	err := c.Subscribe(ctxTimeout(t, 5*time.Second), tid(9), func() {
		if len(got) > 0 {
			t.Error("opened after an event")
		}
		opened++
	}, func(ev durable.RunEvent) { got = append(got, ev) })
	if err != nil || opened != 1 {
		t.Fatalf("a hangup should end Subscribe with nil: %v (opened %d times)", err, opened)
	}
	kinds := []durable.RunEventKind{durable.TaskCreated, durable.TaskStream, durable.TaskStream, durable.TaskFailed,
		durable.TaskCompleted, durable.TaskCancelled, durable.TaskFailed, durable.RunFinished}
	if len(got) != len(kinds) {
		t.Fatalf("got %d events, want %d", len(got), len(kinds))
	}
	for i, k := range kinds {
		if got[i].Kind != k || got[i].RunID != tid(9) || got[i].RetryCount != 1 || got[i].At.IsZero() {
			t.Errorf("event %d is %+v, want kind %s", i, got[i], k)
		}
	}
	if s := got[2]; s.Index != 1 || s.Payload != "chunk 1\n" || s.TaskID != tid(1) || s.Hangup {
		t.Errorf("stream chunk: %+v", s)
	}
	if got[3].Payload != "boom" || got[4].Payload != `{"ok":true}` || got[5].TaskID != tid(2) {
		t.Errorf("payloads: %+v / %+v / %+v", got[3], got[4], got[5])
	}
	if end := got[7]; end.Final != durable.StatusCompleted || !end.Hangup || end.TaskID != "" {
		t.Errorf("end: %+v", end)
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
	if err := dialFake(t, newFakeEngine(t, testToken()), nil, envHostPort, closedAddr(t)).
		Subscribe(ctxTimeout(t, 5*time.Second), tid(9), nil, func(durable.RunEvent) {}); !errors.Is(err, ErrUnreachable) {
		t.Errorf("nothing listening: %v", err)
	}
}

// An idle run's feed stays open until the context ends; the context's
// error comes back, wrapped.
func TestSubscribeCancelled(t *testing.T) {
	f := newFakeEngine(t, testToken())
	f.feeds = map[string][]*dispatcherpb.WorkflowEvent{tid(9): nil}
	c := dialFake(t, f, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := c.Subscribe(ctx, tid(9), cancel, func(durable.RunEvent) { t.Error("an event from an idle run") })
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnreachable) || err == context.Canceled {
		t.Errorf("cancelled: %v, want context.Canceled wrapped", err)
	}
}

// The engine closes a feed cleanly, without a hangup, both for a run that
// had finished before the subscription and when it shuts down: the run's
// status tells which.
func TestSubscribeCleanCloseWithoutHangup(t *testing.T) {
	f := newFakeEngine(t, testToken())
	f.feeds = map[string][]*dispatcherpb.WorkflowEvent{tid(9): nil}
	f.feedClose = map[string]bool{tid(9): true}
	c := dialFake(t, f, nil)
	for _, tc := range []struct {
		status  v1pb.RunStatus
		known   bool
		wantErr error
		final   durable.Status
	}{
		{v1pb.RunStatus_COMPLETED, true, nil, durable.StatusCompleted},
		{v1pb.RunStatus_FAILED, true, nil, durable.StatusFailed},
		{v1pb.RunStatus_CANCELLED, true, nil, durable.StatusCancelled},
		{v1pb.RunStatus_RUNNING, true, ErrUnreachable, ""},
		{v1pb.RunStatus_QUEUED, true, ErrUnreachable, ""},
		{0, false, ErrNotFound, ""},
	} {
		f.mu.Lock()
		f.runStatus = map[string]v1pb.RunStatus{}
		if tc.known {
			f.runStatus[tid(9)] = tc.status
		}
		f.mu.Unlock()
		var got []durable.RunEvent
		err := c.Subscribe(ctxTimeout(t, 5*time.Second), tid(9), nil, func(ev durable.RunEvent) { got = append(got, ev) })
		if tc.wantErr == nil {
			if err != nil || len(got) != 1 || got[0].Kind != durable.RunFinished || got[0].Final != tc.final || !got[0].Hangup || got[0].RunID != tid(9) {
				t.Errorf("%s: %v, events %+v", tc.status, err, got)
			}
			continue
		}
		if !errors.Is(err, tc.wantErr) || len(got) != 0 {
			t.Errorf("%s (known %v): %v, events %+v; want %v", tc.status, tc.known, err, got, tc.wantErr)
		}
	}
}

// Subscribe hands on every chunk as the engine sent it: late, repeated
// and out-of-order indexes included. Ordering them is the stream buffer's
// job; dropping one here would lose it for good.
func TestSubscribePassesChunksAsTheyCome(t *testing.T) {
	f := newFakeEngine(t, testToken())
	order := []int64{0, 1, 4, 5, 2, 3, 3, 6}
	var evs []*dispatcherpb.WorkflowEvent
	for _, i := range order {
		evs = append(evs, streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_STREAM, stepRun, tid(1), "c\n", i, false))
	}
	f.feeds = map[string][]*dispatcherpb.WorkflowEvent{tid(9): append(evs,
		streamEvent(dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_COMPLETED, wfRun, tid(9), "", 0, true))}
	c := dialFake(t, f, nil)
	var got []int64
	err := c.Subscribe(ctxTimeout(t, 5*time.Second), tid(9), nil, func(ev durable.RunEvent) {
		if ev.Kind == durable.TaskStream {
			got = append(got, ev.Index)
		}
	})
	if err != nil || !slices.Equal(got, order) {
		t.Errorf("chunks %v (%v), want %v as sent", got, err, order)
	}
}

// A burst far bigger than the merged channel reaches a slow reader whole
// and in order: a full channel holds the feed back, it drops nothing.
func TestFeedsDropNoChunkOfABurst(t *testing.T) {
	const n = 5000 // the channel holds 1024
	sub := burstSubscriber(n)
	fs := NewFeeds(sub, FeedOptions{})
	defer fs.Close()
	fs.Want([]string{"r"})
	next := int64(0)
	deadline := time.After(20 * time.Second)
	for next < n {
		select {
		case u := <-fs.Updates():
			if u.Event == nil || u.Event.Kind != durable.TaskStream {
				continue
			}
			if u.Event.Index != next {
				t.Fatalf("chunk %d arrived when %d was due", u.Event.Index, next)
			}
			next++
			if next%1000 == 0 {
				time.Sleep(10 * time.Millisecond) // a slow reader, so the channel fills (pacing, not synchronising)
			}
		case <-deadline:
			t.Fatalf("only %d of %d chunks arrived", next, n)
		}
	}
}

// burstSubscriber sends n chunks at once, then keeps the feed open.
type burstSubscriber int

func (b burstSubscriber) Subscribe(ctx context.Context, runID string, opened func(), out func(durable.RunEvent)) error {
	if opened != nil {
		opened()
	}
	for i := range int64(b) {
		out(durable.RunEvent{Kind: durable.TaskStream, RunID: runID, TaskID: "t", Index: i, Payload: "x\n"})
	}
	<-ctx.Done()
	return ctx.Err()
}
