package client

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
	"github.com/hatchtop/hatchtop/durable"
)

// runsServer is the engine's SubscribeToWorkflowRuns: it records the ids
// each stream asks for, finishes runs on command (once per stream that
// asked, as the engine answers every stream that asked), and can break
// every stream or refuse new ones.
type runsServer struct {
	dispatcherpb.UnimplementedDispatcherServer
	mu      sync.Mutex
	streams []*runsStream
	refuse  error // when set, new streams fail with it
	changed chan struct{}
}

type runsStream struct {
	asked  []string
	finish chan *dispatcherpb.WorkflowRunEvent
	kill   chan error
}

func (s *runsServer) SubscribeToWorkflowRuns(ss grpc.BidiStreamingServer[dispatcherpb.SubscribeToWorkflowRunsRequest, dispatcherpb.WorkflowRunEvent]) error {
	s.mu.Lock()
	if s.refuse != nil {
		err := s.refuse
		s.mu.Unlock()
		s.poke()
		return err
	}
	st := &runsStream{finish: make(chan *dispatcherpb.WorkflowRunEvent, 1024), kill: make(chan error, 1)}
	s.streams = append(s.streams, st)
	s.mu.Unlock()
	s.poke()
	go func() {
		for {
			req, err := ss.Recv()
			if err != nil {
				return
			}
			s.mu.Lock()
			st.asked = append(st.asked, req.GetWorkflowRunId())
			s.mu.Unlock()
			s.poke()
		}
	}()
	for {
		select {
		case ev := <-st.finish:
			if err := ss.Send(ev); err != nil {
				return err
			}
		case err := <-st.kill:
			return err
		case <-ss.Context().Done():
			return nil
		}
	}
}

func (s *runsServer) poke() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// until waits, with a deadline, for cond over the server's state.
func (s *runsServer) until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		ok := cond()
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-s.changed:
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// finishAll finishes the runs on the latest stream, the first with an
// error, the second with neither error nor output (as a cancel does).
func (s *runsServer) finishAll(ids ...string) {
	s.mu.Lock()
	st := s.streams[len(s.streams)-1]
	s.mu.Unlock()
	for i, id := range ids {
		ev := &dispatcherpb.WorkflowRunEvent{WorkflowRunId: id, EventTimestamp: timestamppb.Now(),
			Results: []*dispatcherpb.StepRunResult{{TaskRunExternalId: id, TaskName: "step", Output: ptr(`{"ok":true}`)}}}
		switch i {
		case 0:
			ev.Results[0].Output, ev.Results[0].Error = nil, ptr("boom")
		case 1:
			ev.Results[0].Output = nil
		}
		st.finish <- ev
	}
}

func ptr(s string) *string { return &s }

func (s *runsServer) latest() *runsStream { return s.streams[len(s.streams)-1] }

// startRuns serves runsServer and dials it; opt tunes the watch.
func startRuns(t *testing.T, readOnly bool) (*runsServer, *Client) {
	t.Helper()
	s := &runsServer{changed: make(chan struct{}, 1)}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	dispatcherpb.RegisterDispatcherServer(srv, s)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	api := httptest.NewServer(nil)
	t.Cleanup(api.Close)
	f := &fakeEngine{token: testToken(), api: api, grpcAdr: lis.Addr().String()}
	cfg, err := LoadConfig(ConfigInput{Getenv: f.env(), Home: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cfg.ReadOnly = readOnly
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return s, c
}

func runIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("9d0c0000-0000-4000-8000-%012d", i+1)
	}
	return ids
}

// collect reads n finishes, failing on a state change other than live.
func collect(t *testing.T, w RunWatcher, n int) []RunFinished {
	t.Helper()
	var out []RunFinished
	deadline := time.After(10 * time.Second)
	for len(out) < n {
		select {
		case u := <-w.Updates():
			if u.Finished != nil {
				out = append(out, *u.Finished)
			} else if u.State != FeedLive {
				t.Fatalf("state %v (%v) while collecting", u.State, u.Err)
			}
		case <-deadline:
			t.Fatalf("%d of %d finishes", len(out), n)
		}
	}
	return out
}

// Many runs ride one stream, ids given at any time; each finish arrives
// once, with its tasks' results, and the run is forgotten. Read-only mode
// allows the watch: it is a read.
func TestRunWatchManyRunsOnOneStream(t *testing.T) {
	s, c := startRuns(t, true)
	w := c.WatchRuns(FeedOptions{MinBackoff: 10 * time.Millisecond})
	defer w.Close()
	ids := runIDs(300)
	w.Watch(ids[:100]...)
	w.Watch(ids[100:]...)
	w.Watch(ids[:10]...)                   // already watched: not asked again
	w.Watch("not-a-uuid", "", "../../etc") // never sent to the engine
	s.until(t, "300 ids asked", func() bool { return len(s.streams) == 1 && len(s.latest().asked) >= 300 })
	if got := s.latest().asked; len(got) != 300 || !slices.Equal(got, ids) {
		t.Fatalf("asked %d ids (%v…), want the 300 in order once", len(got), got[:3])
	}
	s.finishAll(ids...)
	s.finishAll(ids[5]) // the engine repeats itself: still reported once
	got := collect(t, w, 300)
	seen := map[string]bool{}
	for _, f := range got {
		if seen[f.RunID] {
			t.Errorf("run %s finished twice", f.RunID)
		}
		seen[f.RunID] = true
	}
	if first := got[0]; first.RunID != ids[0] || first.Final != durable.StatusFailed || len(first.Tasks) != 1 || first.Tasks[0].Error != "boom" {
		t.Errorf("first finish = %+v", first)
	}
	if f := got[1]; f.Final != "" || f.Tasks[0].Output != "" {
		t.Errorf("second finish = %+v, want no final status: the push did not say", f)
	}
	if f := got[2]; f.Final != durable.StatusCompleted || f.Tasks[0].Output != `{"ok":true}` || f.At.IsZero() {
		t.Errorf("third finish = %+v", f)
	}
	rw := w.(*RunWatch)
	if left := rw.Watched(); len(left) != 0 {
		t.Errorf("%d runs still watched after their finish", len(left))
	}
	select {
	case u := <-w.Updates():
		t.Errorf("extra update %+v", u)
	default:
	}
}

// After the stream breaks, the new one asks again for every run still
// watched, and only for those: finished and forgotten runs are not asked.
func TestRunWatchResendsAfterReconnect(t *testing.T) {
	s, c := startRuns(t, false)
	w := c.WatchRuns(FeedOptions{MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	defer w.Close()
	ids := runIDs(6)
	w.Watch(ids...)
	s.until(t, "6 ids asked", func() bool { return len(s.streams) == 1 && len(s.latest().asked) == 6 })
	s.finishAll(ids[0], ids[1])
	collect(t, w, 2)
	w.Forget(ids[2])

	s.latest().kill <- status.Error(codes.Unavailable, "dispatcher shutting down")
	var states []FeedState
	deadline := time.After(10 * time.Second)
	for len(states) < 2 {
		select {
		case u := <-w.Updates():
			if u.Finished == nil {
				states = append(states, u.State)
			}
		case <-deadline:
			t.Fatalf("states %v", states)
		}
	}
	if !slices.Equal(states, []FeedState{FeedRetrying, FeedLive}) {
		t.Fatalf("states %v, want retrying then live", states)
	}
	s.until(t, "ids asked again", func() bool { return len(s.streams) == 2 && len(s.latest().asked) == 3 })
	if got := s.latest().asked; !slices.Equal(got, ids[3:]) {
		t.Fatalf("second stream asked %v, want %v", got, ids[3:])
	}
	w.Watch(ids[2]) // wanted again: asked on the open stream
	s.until(t, "a late id asked", func() bool { return len(s.latest().asked) == 4 })
	s.finishAll(ids[2:]...)
	if got := collect(t, w, 4); got[0].RunID != ids[2] {
		t.Errorf("finishes %+v", got)
	}
}

// While the engine refuses the stream, it backs off; Healthy ends the
// wait at once. The backoff's timers never fire here, so only Healthy can
// bring the watch back.
func TestRunWatchHealthyEndsBackoff(t *testing.T) {
	s, c := startRuns(t, false)
	s.refuse = status.Error(codes.Unavailable, "no dispatcher")
	// The backoff's own timer (the first asked for) never fires; a Healthy
	// within MinBackoff of the attempt waits out the rest of that floor on
	// a second timer, which does (with every timer dead the test hung
	// whenever Healthy came that fast, about one run in three).
	var timers atomic.Int32
	never := func(d time.Duration) <-chan time.Time {
		if timers.Add(1) == 1 {
			return nil
		}
		return time.After(d)
	}
	opt := FeedOptions{MinBackoff: time.Millisecond, MaxBackoff: time.Hour, After: never}
	w := c.WatchRuns(opt)
	defer w.Close()
	w.Watch(runIDs(3)...)
	u := <-w.Updates()
	if u.State == FeedLive {
		u = <-w.Updates() // the stream opens before the engine refuses it
	}
	if u.State != FeedRetrying || u.Err == nil || u.RetryIn <= 0 {
		t.Fatalf("first update %+v, want retrying", u)
	}
	s.mu.Lock()
	s.refuse = nil
	s.mu.Unlock()
	w.Healthy()
	s.until(t, "ids asked after the outage", func() bool { return len(s.streams) == 1 && len(s.latest().asked) == 3 })
}

// Close ends the stream and closes Updates; Watch after Close is ignored.
func TestRunWatchClose(t *testing.T) {
	s, c := startRuns(t, false)
	w := c.WatchRuns(FeedOptions{})
	w.Watch(runIDs(1)...)
	s.until(t, "stream", func() bool { return len(s.streams) == 1 })
	w.Close()
	for range w.Updates() {
	}
	w.Watch(runIDs(2)...)
	w.Close()
}

// Finished and forgotten runs do not pile up in the watch: what a
// reconnect re-sends is bounded by what is still watched.
func TestRunWatchForgetsFinishedForGood(t *testing.T) {
	s, c := startRuns(t, false)
	w := c.WatchRuns(FeedOptions{MinBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	defer w.Close()
	ids := runIDs(500)
	w.Watch(ids...)
	s.until(t, "500 ids asked", func() bool { return len(s.streams) == 1 && len(s.latest().asked) == 500 })
	s.finishAll(ids[:490]...)
	collect(t, w, 490)
	rw := w.(*RunWatch)
	rw.mu.Lock()
	kept := len(rw.order)
	rw.mu.Unlock()
	if kept > 64 {
		t.Errorf("%d ids kept for 10 still watched", kept)
	}
	s.latest().kill <- status.Error(codes.Unavailable, "bye")
	s.until(t, "ids asked again", func() bool { return len(s.streams) == 2 && len(s.latest().asked) == 10 })
	if got := s.latest().asked; !slices.Equal(got, ids[490:]) {
		t.Errorf("asked again %v", got)
	}
}
