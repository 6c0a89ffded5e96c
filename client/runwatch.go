package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"google.golang.org/grpc"

	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
	"github.com/hatchtop/hatchtop/durable"
)

// runStream is the bidi stream of SubscribeToWorkflowRuns.
type runStream = grpc.BidiStreamingClient[dispatcherpb.SubscribeToWorkflowRunsRequest, dispatcherpb.WorkflowRunEvent]

// WatchRuns implements Engine: it starts the run watch on the client's
// connection (a read: allowed in read-only mode). Of opt, the backoff and
// Logf apply.
func (c *Client) WatchRuns(opt FeedOptions) RunWatcher {
	w := newRunWatch(func(ctx context.Context) (runStream, error) {
		s, err := c.dispatch.SubscribeToWorkflowRuns(ctx)
		if err != nil {
			return nil, fmt.Errorf("watch runs: %w", c.fail.grpc(c.cfg.GRPCAddr, "run watch", err))
		}
		return s, nil
	}, func(err error) error {
		if errors.Is(err, io.EOF) {
			return &kindError{kind: ErrUnreachable, msg: fmt.Sprintf("the engine at %s closed the run watch", c.cfg.GRPCAddr)}
		}
		return fmt.Errorf("run watch: %w", c.fail.grpc(c.cfg.GRPCAddr, "run watch", err))
	}, opt)
	// Closing the client ends the watch too: after a switch of tenant no
	// one reads it, and it would retry on a closed connection for ever.
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		go w.Close()
	} else {
		c.watches = append(c.watches, w)
	}
	return w
}

// RunWatch keeps one SubscribeToWorkflowRuns stream open, reconnecting
// with the backoff of Feeds, and asks it again for every run still wanted
// after each reconnect. It is safe for concurrent use.
type RunWatch struct {
	open    func(context.Context) (runStream, error)
	broke   func(error) error // classifies a stream's end
	opt     FeedOptions
	out     chan RunWatchUpdate
	ctx     context.Context
	stop    context.CancelFunc
	done    chan struct{}
	kick    chan struct{} // something to send
	health  healthSignal
	mu      sync.Mutex
	wanted  map[string]bool
	order   []string // wanted ids in the order given, for re-sending
	pending []string // to send on the current stream
	closed  bool
}

func newRunWatch(open func(context.Context) (runStream, error), broke func(error) error, opt FeedOptions) *RunWatch {
	opt = withDefaults(opt)
	ctx, stop := context.WithCancel(context.Background())
	w := &RunWatch{
		open: open, broke: broke, opt: opt, out: make(chan RunWatchUpdate, 1024), ctx: ctx, stop: stop,
		done: make(chan struct{}), kick: make(chan struct{}, 1), wanted: map[string]bool{},
	}
	go w.run()
	return w
}

// Watch implements RunWatcher.
func (w *RunWatch) Watch(runIDs ...string) {
	w.mu.Lock()
	added := false
	for _, id := range runIDs {
		if w.closed || w.wanted[id] || uuid.Validate(id) != nil {
			continue
		}
		w.wanted[id] = true
		w.order = append(w.order, id)
		w.pending = append(w.pending, id)
		added = true
	}
	w.mu.Unlock()
	if added {
		select {
		case w.kick <- struct{}{}:
		default:
		}
	}
}

// Forget implements RunWatcher.
func (w *RunWatch) Forget(runIDs ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range runIDs {
		delete(w.wanted, id)
	}
	w.compact()
}

// compact drops forgotten and finished ids from order once they are most
// of it (amortised: order at least halves each time).
func (w *RunWatch) compact() {
	if len(w.order) > 64 && len(w.order) > 2*len(w.wanted) {
		w.order = slices.DeleteFunc(w.order, func(id string) bool { return !w.wanted[id] })
	}
}

// Watched lists the runs still watched, sorted, for tests and logs.
func (w *RunWatch) Watched() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Sorted(maps.Keys(w.wanted))
}

// Updates implements RunWatcher.
func (w *RunWatch) Updates() <-chan RunWatchUpdate { return w.out }

// Healthy implements RunWatcher.
func (w *RunWatch) Healthy() { w.health.signal() }

// Close implements RunWatcher. Updates sent after Close began may be lost.
func (w *RunWatch) Close() {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closed = true
	w.mu.Unlock()
	w.stop()
	<-w.done
	close(w.out)
}

func (w *RunWatch) send(u RunWatchUpdate) bool {
	select {
	case w.out <- u:
		return true
	case <-w.ctx.Done():
		return false
	}
}

// run keeps the stream open until Close.
func (w *RunWatch) run() {
	defer close(w.done)
	clk := clock{after: w.opt.After, now: w.opt.Now}
	backoff := w.opt.MinBackoff
	for {
		tried := clk.now()
		upSince, err := w.serve()
		if w.ctx.Err() != nil {
			return
		}
		// A stream that stayed up longer than the longest wait was healthy.
		if !upSince.IsZero() && clk.now().Sub(upSince) >= w.opt.MaxBackoff {
			backoff = w.opt.MinBackoff
		}
		wake := w.health.wait()
		wait := jittered(backoff)
		if w.opt.Logf != nil {
			w.opt.Logf("run watch broke, retrying in %s: %v", wait.Round(time.Millisecond), err)
		}
		if !w.send(RunWatchUpdate{State: FeedRetrying, Err: err, RetryIn: wait}) {
			return
		}
		woken, ok := pauseBackoff(w.ctx, clk, w.opt.MinBackoff, wait, wake, tried)
		if !ok {
			return
		}
		if woken {
			backoff = w.opt.MinBackoff
		} else {
			backoff = min(backoff*2, w.opt.MaxBackoff)
		}
	}
}

// serve runs one stream: it asks for every wanted run, then for each new
// one as it comes, and reports finishes until the stream breaks.
func (w *RunWatch) serve() (upSince time.Time, err error) {
	ctx, cancel := context.WithCancel(w.ctx)
	defer cancel()
	stream, err := w.open(ctx)
	if err != nil {
		return time.Time{}, err
	}
	upSince = w.opt.Now()
	w.mu.Lock()
	w.compact()
	w.pending = w.pending[:0]
	for _, id := range w.order {
		if w.wanted[id] {
			w.pending = append(w.pending, id)
		}
	}
	w.mu.Unlock()
	if !w.send(RunWatchUpdate{State: FeedLive}) {
		return upSince, w.ctx.Err()
	}
	sent := make(chan error, 1)
	go func() { sent <- w.sendAll(ctx, stream) }()
	defer func() { cancel(); <-sent }()
	for {
		ev, err := stream.Recv()
		if err != nil {
			if w.ctx.Err() != nil {
				return upSince, w.ctx.Err()
			}
			return upSince, w.broke(err)
		}
		if f, ok := w.finished(ev); ok && !w.send(RunWatchUpdate{Finished: &f}) {
			return upSince, w.ctx.Err()
		}
	}
}

// sendAll sends the pending ids as they come, until ctx ends or a send
// fails (then Recv fails too, and the next stream sends them all again).
func (w *RunWatch) sendAll(ctx context.Context, stream runStream) error {
	for {
		w.mu.Lock()
		batch := slices.Clone(w.pending)
		w.pending = w.pending[:0]
		w.mu.Unlock()
		for _, id := range batch {
			if err := stream.Send(&dispatcherpb.SubscribeToWorkflowRunsRequest{WorkflowRunId: id}); err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.kick:
		}
	}
}

// finished maps a finish of a run still wanted, and forgets the run.
func (w *RunWatch) finished(ev *dispatcherpb.WorkflowRunEvent) (RunFinished, bool) {
	if ev.GetEventType() != dispatcherpb.WorkflowRunEventType_WORKFLOW_RUN_EVENT_TYPE_FINISHED {
		return RunFinished{}, false
	}
	id := ev.GetWorkflowRunId()
	w.mu.Lock()
	wanted := w.wanted[id]
	delete(w.wanted, id)
	w.compact()
	w.mu.Unlock()
	if !wanted {
		return RunFinished{}, false // forgotten, or already reported
	}
	f := RunFinished{RunID: id, At: ev.GetEventTimestamp().AsTime(), Final: durable.StatusCompleted}
	if ev.GetEventTimestamp() == nil {
		f.At = time.Time{}
	}
	silent := false
	for _, r := range ev.GetResults() {
		t := TaskResult{TaskID: r.GetTaskRunExternalId(), Name: r.GetTaskName(), Error: r.GetError(), Output: r.GetOutput()}
		switch {
		case t.Error != "":
			f.Final = durable.StatusFailed
		case t.Output == "":
			silent = true
		}
		f.Tasks = append(f.Tasks, t)
	}
	if silent && f.Final != durable.StatusFailed {
		f.Final = ""
	}
	return f, true
}
