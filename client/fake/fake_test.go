package fake

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/durable"
)

var _ client.Engine = (*Engine)(nil)

// subscribe runs Subscribe in the background; its events arrive on the
// returned channel and its result on the other.
func subscribe(ctx context.Context, f *Engine, run string) (<-chan durable.RunEvent, <-chan error, <-chan struct{}) {
	events, result, opened := make(chan durable.RunEvent, 16), make(chan error, 1), make(chan struct{})
	go func() {
		result <- f.Subscribe(ctx, run, func() { close(opened) }, func(ev durable.RunEvent) { events <- ev })
	}()
	return events, result, opened
}

func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("no %s within 5s", what)
	}
	var zero T
	return zero
}

func TestSubscribeEmitHangup(t *testing.T) {
	f := New()
	if f.Emit("r", durable.RunEvent{}) || f.End("r", nil) || f.Subscribed("r") {
		t.Fatal("a run nobody follows took an event")
	}
	events, result, opened := subscribe(context.Background(), f, "r")
	waitFor(t, opened, "open")
	if !f.Subscribed("r") || f.Calls("Subscribe:r") != 1 {
		t.Fatalf("subscribed %v, calls %d", f.Subscribed("r"), f.Calls("Subscribe:r"))
	}
	if !f.Emit("r", durable.RunEvent{Kind: durable.TaskStream, Payload: "hi"}) {
		t.Fatal("Emit refused")
	}
	if ev := waitFor(t, events, "the chunk"); ev.Payload != "hi" {
		t.Errorf("event %+v", ev)
	}
	if !f.Hangup("r", durable.StatusCompleted) {
		t.Fatal("Hangup refused")
	}
	if ev := waitFor(t, events, "the end"); ev.Kind != durable.RunFinished || !ev.Hangup || ev.Final != durable.StatusCompleted {
		t.Errorf("end %+v", ev)
	}
	if err := waitFor(t, result, "Subscribe to return"); err != nil {
		t.Errorf("after a hangup: %v", err)
	}
	if f.Subscribed("r") || f.Emit("r", durable.RunEvent{}) {
		t.Error("still subscribed after the hangup")
	}
}

func TestSubscribeFailAndCancel(t *testing.T) {
	f := New()
	_, result, opened := subscribe(context.Background(), f, "r")
	waitFor(t, opened, "open")
	broken := fmt.Errorf("feed: %w", client.ErrUnreachable)
	f.End("r", broken)
	if err := waitFor(t, result, "Subscribe to return"); !errors.Is(err, client.ErrUnreachable) {
		t.Errorf("failed feed: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, result, opened = subscribe(ctx, f, "r")
	waitFor(t, opened, "open")
	cancel()
	if err := waitFor(t, result, "Subscribe to return"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if f.Subscribed("r") || f.Emit("r", durable.RunEvent{}) || f.Calls("Subscribe:r") != 2 {
		t.Errorf("after cancel: subscribed %v, calls %d", f.Subscribed("r"), f.Calls("Subscribe:r"))
	}
}

// The fake drives client.Feeds like the real client does.
func TestFeedsOverTheFake(t *testing.T) {
	f := New()
	feeds := client.NewFeeds(f, client.FeedOptions{})
	defer feeds.Close()
	feeds.Want([]string{"r"})
	next := func(cond func(client.FeedUpdate) bool) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for {
			select {
			case u := <-feeds.Updates():
				if cond(u) {
					return
				}
			case <-deadline:
				t.Fatal("no such update within 5s")
			}
		}
	}
	next(func(u client.FeedUpdate) bool { return u.State == client.FeedLive })
	f.Emit("r", durable.RunEvent{Kind: durable.TaskCompleted, RunID: "r", TaskID: "t"})
	next(func(u client.FeedUpdate) bool { return u.Event != nil && u.Event.Kind == durable.TaskCompleted })
	f.Hangup("r", durable.StatusCompleted)
	next(func(u client.FeedUpdate) bool { return u.Event == nil && u.State == client.FeedFinished })
}

func TestDetailAndLogLines(t *testing.T) {
	f := New()
	ctx := context.Background()
	if _, err := f.TaskDetail(ctx, "t"); !errors.Is(err, client.ErrNotFound) {
		t.Errorf("unknown task: %v", err)
	}
	f.SetDetail("t", durable.Detail{Task: durable.Task{ID: "t"}, Events: []durable.TaskEvent{{Type: durable.EventStarted}}})
	if d, err := f.TaskDetail(ctx, "t"); err != nil || d.ID != "t" || f.Calls("TaskDetail:t") != 2 {
		t.Errorf("detail %+v, %v", d, err)
	}
	if ev, _ := f.TaskEvents(ctx, "t"); len(ev) != 1 {
		t.Errorf("events from the detail: %+v", ev)
	}
	t0 := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	f.SetLogLines("t", durable.LogLine{At: t0, Message: "a"}, durable.LogLine{At: t0.Add(time.Second), Message: "b"})
	if l, _ := f.LogLines(ctx, "t", time.Time{}); len(l) != 2 {
		t.Errorf("all lines: %+v", l)
	}
	if l, _ := f.LogLines(ctx, "t", t0.Add(time.Second)); len(l) != 1 || l[0].Message != "b" || !f.LogLinesSince("t").Equal(t0.Add(time.Second)) {
		t.Errorf("since: %+v", l)
	}
}
