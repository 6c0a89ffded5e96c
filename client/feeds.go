package client

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

// Subscriber opens one run's live feed; *Client implements it.
type Subscriber interface {
	Subscribe(ctx context.Context, runID string, opened func(), out func(durable.RunEvent)) error
}

// FeedState is where one run's feed stands.
type FeedState int

// Feed states. Finished and gone feeds are never reopened.
const (
	FeedOpening  FeedState = iota
	FeedLive               // subscribed; events flow as they happen
	FeedRetrying           // the stream broke; it reopens after RetryIn
	FeedFinished           // the engine ended it: the run is done
	FeedGone               // the engine does not know the run
	FeedClosed             // no longer wanted
)

// FeedUpdate is one message of the feeds: an event of a run, or a change
// of its feed's state.
type FeedUpdate struct {
	RunID   string
	Event   *durable.RunEvent // nil for a state change
	State   FeedState
	Err     error         // why it is retrying
	RetryIn time.Duration // when it retries
}

// FeedOptions tune Feeds; zero values take the defaults.
type FeedOptions struct {
	Max        int           // open feeds at most (50)
	MinBackoff time.Duration // first retry delay (1s)
	MaxBackoff time.Duration // retry delay cap (30s)
	Logf       func(format string, args ...any)
	// after replaces time.After in tests.
	after func(time.Duration) <-chan time.Time
}

// Feeds keeps one subscription per wanted run, reconnecting with backoff,
// and merges everything into one channel. It is safe for concurrent use.
type Feeds struct {
	sub  Subscriber
	opt  FeedOptions
	out  chan FeedUpdate
	ctx  context.Context
	stop context.CancelFunc

	mu     sync.Mutex
	open   map[string]context.CancelFunc // run id -> its goroutine's cancel
	done   map[string]bool               // finished or gone: never reopened
	wg     sync.WaitGroup
	closed bool
}

// NewFeeds starts an empty set of feeds; Want decides which runs.
func NewFeeds(sub Subscriber, opt FeedOptions) *Feeds {
	if opt.Max <= 0 {
		opt.Max = 50
	}
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = time.Second
	}
	if opt.MaxBackoff < opt.MinBackoff {
		opt.MaxBackoff = max(30*time.Second, opt.MinBackoff)
	}
	if opt.after == nil {
		opt.after = time.After
	}
	ctx, stop := context.WithCancel(context.Background())
	return &Feeds{
		sub: sub, opt: opt, out: make(chan FeedUpdate, 1024), ctx: ctx, stop: stop,
		open: map[string]context.CancelFunc{}, done: map[string]bool{},
	}
}

// Updates is the merged stream of every feed; it is closed by Close.
func (f *Feeds) Updates() <-chan FeedUpdate { return f.out }

// Want makes the open feeds the first Max of runIDs (in priority order)
// that have not finished: missing ones open, unwanted ones close.
func (f *Feeds) Want(runIDs []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	var want []string
	for _, id := range runIDs {
		if id != "" && !f.done[id] && !slices.Contains(want, id) && len(want) < f.opt.Max {
			want = append(want, id)
		}
	}
	for id, cancel := range f.open {
		if !slices.Contains(want, id) {
			cancel()
			delete(f.open, id)
		}
	}
	for _, id := range want {
		if _, ok := f.open[id]; ok {
			continue
		}
		ctx, cancel := context.WithCancel(f.ctx)
		f.open[id] = cancel
		f.wg.Add(1)
		go f.follow(ctx, id)
	}
}

// Open lists the runs with a feed, for tests and logs.
func (f *Feeds) Open() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := make([]string, 0, len(f.open))
	for id := range f.open {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Close ends every feed, waits for them, and closes Updates.
func (f *Feeds) Close() {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return
	}
	f.closed = true
	f.mu.Unlock()
	f.stop()
	f.wg.Wait()
	f.mu.Lock()
	clear(f.open)
	f.mu.Unlock()
	close(f.out)
}

// send delivers an update unless the feed was cancelled meanwhile; a full
// channel holds the feed back rather than dropping anything.
func (f *Feeds) send(ctx context.Context, u FeedUpdate) bool {
	select {
	case f.out <- u:
		return true
	case <-ctx.Done():
		return false
	}
}

// follow keeps one run's feed open until it is unwanted, finished or gone.
func (f *Feeds) follow(ctx context.Context, runID string) {
	defer f.wg.Done()
	backoff := f.opt.MinBackoff
	for {
		if !f.send(ctx, FeedUpdate{RunID: runID, State: FeedOpening}) {
			return
		}
		started := time.Now()
		err := f.sub.Subscribe(ctx, runID,
			func() { f.send(ctx, FeedUpdate{RunID: runID, State: FeedLive}) },
			func(ev durable.RunEvent) { f.send(ctx, FeedUpdate{RunID: runID, Event: &ev}) })
		switch {
		case ctx.Err() != nil:
			f.forget(runID, false)
			f.deliverFinal(runID, FeedClosed)
			return
		case err == nil:
			f.forget(runID, true)
			f.deliverFinal(runID, FeedFinished)
			return
		case errors.Is(err, ErrNotFound):
			f.forget(runID, true)
			f.deliverFinal(runID, FeedGone)
			return
		}
		// A stream that stayed up a while was healthy: start over.
		if time.Since(started) > f.opt.MaxBackoff {
			backoff = f.opt.MinBackoff
		}
		wait := backoff/2 + rand.N(backoff/2+1) // jitter keeps 50 feeds from reconnecting in step
		if f.opt.Logf != nil {
			f.opt.Logf("feed of run %s: %v; retrying in %s", runID, err, wait)
		}
		if !f.send(ctx, FeedUpdate{RunID: runID, State: FeedRetrying, Err: err, RetryIn: wait}) {
			return
		}
		select {
		case <-ctx.Done():
			f.forget(runID, false)
			return
		case <-f.opt.after(wait):
		}
		backoff = min(backoff*2, f.opt.MaxBackoff)
	}
}

// forget drops a run from the open set; done ones are never reopened.
func (f *Feeds) forget(runID string, done bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if done {
		f.done[runID] = true
		delete(f.open, runID)
	}
}

// deliverFinal reports a feed's end unless everything is shutting down.
func (f *Feeds) deliverFinal(runID string, st FeedState) {
	select {
	case f.out <- FeedUpdate{RunID: runID, State: st}:
	case <-f.ctx.Done():
	}
}
