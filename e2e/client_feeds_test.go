package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/durable"
)

// dialStack is hatchtop's client for the stack, configured the way the
// program configures itself: from the environment.
func dialStack(t *testing.T) *client.Client {
	t.Helper()
	vars := map[string]string{}
	for _, kv := range env.stack.Env() {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	cfg, err := client.LoadConfig(client.ConfigInput{Getenv: func(k string) string { return vars[k] }, Home: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestClient drives hatchtop's client against the real engine: its own
// Subscribe, the feed manager, TaskDetail and LogLines. The cases run in
// parallel: they trigger runs of their own, and the screen tests after
// this file need the 120 s sleep of TestMain still running.
func TestClient(t *testing.T) {
	requireStack(t)
	for _, tc := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"SubscribeStreamDetailAndLogs", testSubscribeStreamDetailAndLogs},
		{"StreamDelay", testStreamDelay},
		{"SubscribeUnknownRun", testSubscribeUnknownRun},
		{"SubscribeFinishedRun", testSubscribeFinishedRun},
		{"FeedsFollowARun", testFeedsFollowARun},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t)
		})
	}
}

// received is one event of a feed with the time it arrived.
type received struct {
	ev durable.RunEvent
	at time.Time
}

// testSubscribeStreamDetailAndLogs follows a stream-and-log run over
// the client's own Subscribe, then reads it back with TaskDetail and
// LogLines.
func testSubscribeStreamDetailAndLogs(t *testing.T) {
	c := dialStack(t)
	const chunks = 5
	runID := trigger(t, "stream-and-log", map[string]any{"seconds": chunks, "sleep": "2s"})
	triggered := time.Now()

	var (
		mu     sync.Mutex
		got    []received
		opened time.Time
	)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	err := c.Subscribe(ctx, runID, func() {
		mu.Lock()
		opened = time.Now()
		mu.Unlock()
	}, func(ev durable.RunEvent) {
		mu.Lock()
		got = append(got, received{ev, time.Now()})
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("Subscribe ended with %v, want nil after the run's hangup", err)
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("feed open %s after the trigger returned", opened.Sub(triggered).Round(time.Millisecond))
	for _, r := range got {
		t.Logf("+%6s %-14s task=%s index=%d hangup=%v final=%s payload=%q",
			r.at.Sub(triggered).Round(time.Millisecond), r.ev.Kind, r.ev.TaskID, r.ev.Index, r.ev.Hangup, r.ev.Final, r.ev.Payload)
	}

	// The stream: chunks in index order, each "chunk i+1 of 5" at index i.
	// The engine keeps nothing for late subscribers, so the first chunks may
	// be missed; from the first one seen on, none may be missing.
	var stream []received
	taskID := ""
	for _, r := range got {
		if r.ev.Kind == durable.TaskStream {
			stream = append(stream, r)
			taskID = r.ev.TaskID
		}
	}
	if len(stream) == 0 {
		t.Fatal("no stream chunk arrived")
	}
	first := stream[0].ev.Index
	for i, r := range stream {
		want := fmt.Sprintf("chunk %d of %d\n", first+int64(i)+1, chunks)
		if r.ev.Index != first+int64(i) || r.ev.Payload != want {
			t.Errorf("chunk %d: index %d payload %q, want index %d payload %q", i, r.ev.Index, r.ev.Payload, first+int64(i), want)
		}
		if r.ev.TaskID != taskID {
			t.Errorf("chunk %d of task %s, the others of %s", i, r.ev.TaskID, taskID)
		}
	}
	if last := stream[len(stream)-1].ev; last.Index != chunks-1 {
		t.Errorf("last chunk has index %d, want %d", last.Index, chunks-1)
	}
	if first > 0 {
		t.Logf("missed the first %d chunk(s): they were sent before the engine had the subscription", first)
	}

	// The end: a RunFinished with hangup, last.
	end := got[len(got)-1].ev
	if end.Kind != durable.RunFinished || !end.Hangup || end.Final != durable.StatusCompleted || end.RunID != runID {
		t.Errorf("last event %+v, want RunFinished COMPLETED with hangup", end)
	}
	if !slices.ContainsFunc(got, func(r received) bool { return r.ev.Kind == durable.TaskCompleted && r.ev.TaskID == taskID }) {
		t.Error("no TaskCompleted for the task")
	}

	// The detail as the engine tells it once the run is over. The REST
	// side reads OLAP tables, which trail the feed by a moment.
	var d durable.Detail
	eventually(t, 20*time.Second, func() (bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d, err = c.TaskDetail(ctx, taskID)
		if err != nil {
			return false, err.Error()
		}
		return d.Status == durable.StatusCompleted && len(d.Output) > 0, fmt.Sprintf("status %s, output %s", d.Status, d.Output)
	})
	t.Logf("detail: %s", describeDetail(d))
	var in map[string]any
	if err := json.Unmarshal(d.Input, &in); err != nil || in["seconds"] != float64(chunks) || in["sleep"] != "2s" {
		t.Errorf("input %s (%v)", d.Input, err)
	}
	var out map[string]any
	if err := json.Unmarshal(d.Output, &out); err != nil || out["seconds"] != float64(chunks) {
		t.Errorf("output %s (%v)", d.Output, err)
	}
	if d.ID != taskID || d.RunID != runID || !d.Durable || d.Name == "" || d.WorkflowID == "" || d.StartedAt.IsZero() || d.FinishedAt.IsZero() {
		t.Errorf("task fields: %+v", d.Task)
	}
	if d.Attempt != 1 || d.RetryCount != 0 || d.Config.MaxRetries != 0 || d.Config.Timeout <= 0 {
		t.Errorf("attempt %d, retry count %d, config %+v", d.Attempt, d.RetryCount, d.Config)
	}
	if d.WorkerID == "" {
		t.Error("no worker id from the task's events")
	}
	if d.TriggeredByEvent == nil || *d.TriggeredByEvent {
		t.Errorf("triggered by event %v, want known false for a run triggered directly", d.TriggeredByEvent)
	}
	var types []string
	for _, e := range d.Events {
		types = append(types, e.Type)
	}
	t.Logf("task events, newest first: %v", types)
	for _, want := range []string{"QUEUED", durable.EventAssigned, durable.EventStarted, "FINISHED"} {
		if !slices.Contains(types, want) {
			t.Errorf("events %v lack %s", types, want)
		}
	}
	for i := 1; i < len(d.Events); i++ {
		if d.Events[i].At.After(d.Events[i-1].At) {
			t.Errorf("events not newest first: %v", types)
			break
		}
	}

	// Log lines: all of them, oldest first, then only the later ones.
	var lines []durable.LogLine
	eventually(t, 20*time.Second, func() (bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		lines, err = c.LogLines(ctx, taskID, time.Time{})
		if err != nil {
			return false, err.Error()
		}
		return len(lines) >= chunks, fmt.Sprintf("%d log lines", len(lines))
	})
	for i, l := range lines {
		t.Logf("log %s %s %q retry=%d", l.At.Format(time.RFC3339Nano), l.Level, l.Message, l.RetryCount)
		if want := fmt.Sprintf("log line %d of %d", i+1, chunks); i < chunks && l.Message != want {
			t.Errorf("line %d is %q, want %q", i, l.Message, want)
		}
		if l.Level != "INFO" || l.At.IsZero() {
			t.Errorf("line %d: level %q at %s", i, l.Level, l.At)
		}
	}
	since := lines[1].At
	later, err := c.LogLines(ctx, taskID, since)
	if err != nil {
		t.Fatal(err)
	}
	if len(later) == 0 || later[0].At.Before(since) || later[len(later)-1].Message != lines[len(lines)-1].Message {
		t.Errorf("since %s: %+v", since.Format(time.RFC3339Nano), later)
	}
	t.Logf("since line 2 (%s): %d lines, first %q", since.Format(time.RFC3339Nano), len(later), later[0].Message)
}

// streamStamp is "chunk 3 at 1795412307773" as stream-fast writes it.
var streamStamp = regexp.MustCompile(`^chunk (\d+) at (\d{13})\n$`)

// testStreamDelay measures put_stream to Subscribe's out over a
// stream whose first chunk waits for the subscription: every chunk then
// arrives, in order, soon after it was written.
func testStreamDelay(t *testing.T) {
	c := dialStack(t)
	const chunks = 10
	// The short sleep after the chunks keeps the run open until the last
	// chunk is out: a run that completes at once races its final chunk with
	// the engine's hangup, and under load the engine hangs up first.
	runID := trigger(t, "stream-fast", map[string]any{"chunks": chunks, "intervalMs": 200, "delayMs": 4000, "sleep": "3s", "label": "resting after the stream"})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var (
		mu     sync.Mutex
		delays []time.Duration
		index  []int64
	)
	err := c.Subscribe(ctx, runID, nil, func(ev durable.RunEvent) {
		now := time.Now()
		if ev.Kind != durable.TaskStream {
			return
		}
		m := streamStamp.FindStringSubmatch(ev.Payload)
		if m == nil {
			t.Errorf("chunk %q", ev.Payload)
			return
		}
		n, _ := strconv.Atoi(m[1])
		ms, _ := strconv.ParseInt(m[2], 10, 64)
		mu.Lock()
		defer mu.Unlock()
		if int64(n) != ev.Index+1 {
			t.Errorf("chunk %d has index %d", n, ev.Index)
		}
		index = append(index, ev.Index)
		delays = append(delays, now.Sub(time.UnixMilli(ms)))
	})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := make([]int64, chunks)
	for i := range want {
		want[i] = int64(i)
	}
	if !slices.Equal(index, want) {
		t.Fatalf("indexes %v, want %v", index, want)
	}
	sorted := slices.Clone(delays)
	slices.Sort(sorted)
	t.Logf("put_stream → out over %d chunks: median %s, max %s", len(sorted),
		sorted[len(sorted)/2].Round(time.Millisecond), sorted[len(sorted)-1].Round(time.Millisecond))
}

// testSubscribeUnknownRun: the engine looks for an unknown run for
// about 10s, then says NotFound.
func testSubscribeUnknownRun(t *testing.T) {
	c := dialStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	err := c.Subscribe(ctx, "0b1e7c5e-0000-4000-8000-00000000dead", nil, func(durable.RunEvent) {})
	if !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("unknown run: %v, want ErrNotFound", err)
	}
	t.Logf("NotFound after %s: %v", time.Since(start).Round(time.Millisecond), err)
}

// testSubscribeFinishedRun: a run that finished before the
// subscription ends it at once, with the run's final status.
func testSubscribeFinishedRun(t *testing.T) {
	c := dialStack(t)
	runID := trigger(t, "stream-and-log", map[string]any{"seconds": 1, "sleep": "1s"})
	eventually(t, 60*time.Second, func() (bool, string) {
		st := taskStatus(t, runID)
		return st.Status == "COMPLETED", "status " + st.Status
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var got []durable.RunEvent
	start := time.Now()
	err := c.Subscribe(ctx, runID, nil, func(ev durable.RunEvent) { got = append(got, ev) })
	if err != nil {
		t.Fatalf("finished run: %v, want nil", err)
	}
	if len(got) != 1 || got[0].Kind != durable.RunFinished || got[0].Final != durable.StatusCompleted {
		t.Errorf("events %+v, want one RunFinished COMPLETED", got)
	}
	t.Logf("a finished run's feed ended after %s", time.Since(start).Round(time.Millisecond))
}

// testFeedsFollowARun runs the feed manager against the engine: live
// at once for an idle run, events, then finished.
func testFeedsFollowARun(t *testing.T) {
	c := dialStack(t)
	key := fmt.Sprintf("e2e:feeds:%d", time.Now().UnixNano())
	runID := trigger(t, "wait-event-labelled", map[string]any{"key": key, "label": "feeds manager"})
	f := client.NewFeeds(c, client.FeedOptions{Logf: t.Logf})
	defer f.Close()
	f.Want([]string{runID})
	wait := func(what string, cond func(client.FeedUpdate) bool) {
		t.Helper()
		deadline := time.After(60 * time.Second)
		for {
			select {
			case u := <-f.Updates():
				if u.Event != nil {
					t.Logf("%s event %s %s", u.RunID, u.Event.Kind, u.Event.Payload)
				} else {
					t.Logf("%s state %s %v", u.RunID, u.State, u.Err)
				}
				if cond(u) {
					return
				}
			case <-deadline:
				t.Fatalf("no %s within 60s", what)
			}
		}
	}
	wait("live", func(u client.FeedUpdate) bool { return u.Event == nil && u.State == client.FeedLive })
	waitOpenWait(t, runID)
	pushEvent(t, key)
	wait("finished", func(u client.FeedUpdate) bool { return u.Event == nil && u.State == client.FeedFinished })
	f.Want([]string{runID})
	if open := f.Open(); len(open) != 0 {
		t.Errorf("a finished run's feed reopened: %v", open)
	}
}

func describeDetail(d durable.Detail) string {
	trig := "unknown"
	if d.TriggeredByEvent != nil {
		trig = fmt.Sprint(*d.TriggeredByEvent)
	}
	return fmt.Sprintf("status=%s durable=%v attempt=%d retry=%d config=%+v worker=%q parent=%q priority=%d default=%d trigger=%s workflow=%s version=%s started=%s finished=%s metadata=%v input=%s output=%s events=%d upstream=%v parents=%d",
		d.Status, d.Durable, d.Attempt, d.RetryCount, d.Config, d.WorkerID, d.ParentTaskID, d.Priority, d.DefaultPriority, trig,
		d.WorkflowID, d.VersionID, d.StartedAt.Format(time.RFC3339Nano), d.FinishedAt.Format(time.RFC3339Nano), d.Metadata,
		d.Input, d.Output, len(d.Events), d.UpstreamErrors, len(d.ParentOutputs))
}
