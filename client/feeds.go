package client

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

// feed is one run's subscription goroutine.
type feed struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when the goroutine has returned
}

// Feeds keeps one subscription per wanted run, reconnecting with backoff,
// and merges everything into one channel. It is safe for concurrent use.
//
// A full channel holds the feeds back rather than dropping anything: the
// reader must keep reading until Close.
type Feeds struct {
	sub  Subscriber
	opt  FeedOptions
	out  chan FeedUpdate
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	health healthSignal // ends every backoff (backoff.go)

	mu      sync.Mutex
	open    map[string]*feed
	leaving map[string]*feed // unwanted, still winding down
	done    map[string]bool  // finished or gone: never reopened
	closed  bool
}

// withDefaults fills the backoff bounds and the clock a caller left unset.
func withDefaults(opt FeedOptions) FeedOptions {
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = time.Second
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = 30 * time.Second
	}
	opt.MaxBackoff = max(opt.MaxBackoff, opt.MinBackoff)
	if opt.After == nil {
		opt.After = time.After
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return opt
}

// NewFeeds starts an empty set of feeds; Want decides which runs.
func NewFeeds(sub Subscriber, opt FeedOptions) *Feeds {
	if opt.Max <= 0 {
		opt.Max = 50
	}
	opt = withDefaults(opt)
	ctx, stop := context.WithCancel(context.Background())
	return &Feeds{
		sub: sub, opt: opt, out: make(chan FeedUpdate, 1024), ctx: ctx, stop: stop,
		open: map[string]*feed{}, leaving: map[string]*feed{}, done: map[string]bool{},
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
	want := make([]string, 0, min(len(runIDs), f.opt.Max))
	for _, id := range runIDs {
		if len(want) == f.opt.Max {
			break
		}
		if id != "" && !f.done[id] && !slices.Contains(want, id) {
			want = append(want, id)
		}
	}
	for id, fd := range f.open {
		if !slices.Contains(want, id) {
			fd.cancel()
			delete(f.open, id)
			f.leaving[id] = fd
		}
	}
	for _, id := range want {
		if _, ok := f.open[id]; ok {
			continue
		}
		ctx, cancel := context.WithCancel(f.ctx)
		fd := &feed{cancel: cancel, done: make(chan struct{})}
		prev := f.leaving[id]
		delete(f.leaving, id)
		f.open[id] = fd
		f.wg.Add(1)
		go f.follow(ctx, id, fd, prev)
	}
}

// Healthy says the engine answers (a poll, a probe, another feed that
// opened): every feed waiting out a backoff starts over from MinBackoff
// and retries now, rather than at the end of a wait of up to MaxBackoff.
func (f *Feeds) Healthy() { f.health.signal() }

// woken is closed at the next Healthy.
func (f *Feeds) woken() <-chan struct{} { return f.health.wait() }

// Open lists the runs with a feed, sorted, for tests and logs.
func (f *Feeds) Open() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.open))
}

// Close ends every feed, waits for them, and closes Updates. Updates sent
// after Close began may be lost.
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
	clear(f.leaving)
	f.mu.Unlock()
	close(f.out)
}

// send delivers an update unless ctx ends first; a full channel holds the
// feed back rather than dropping anything.
func (f *Feeds) send(ctx context.Context, u FeedUpdate) bool {
	select {
	case f.out <- u:
		return true
	case <-ctx.Done():
		return false
	}
}

// follow keeps one run's feed open until it is unwanted, finished or gone.
// prev is the run's previous feed, if it is still winding down: waiting
// for it keeps its FeedClosed ahead of this one's updates.
func (f *Feeds) follow(ctx context.Context, runID string, fd, prev *feed) {
	defer f.wg.Done()
	defer close(fd.done)
	if prev != nil {
		<-prev.done // it was cancelled, so it ends promptly
	}
	backoff := f.opt.MinBackoff
	for {
		if !f.send(ctx, FeedUpdate{RunID: runID, State: FeedOpening}) {
			f.closedBy(ctx, runID, fd)
			return
		}
		var upSince time.Time
		tried := f.opt.Now()
		err := f.sub.Subscribe(ctx, runID,
			func() {
				upSince = f.opt.Now()
				f.send(ctx, FeedUpdate{RunID: runID, State: FeedLive})
				f.Healthy() // the engine answers: the other feeds stop waiting
			},
			func(ev durable.RunEvent) { f.send(ctx, FeedUpdate{RunID: runID, Event: &ev}) })
		switch {
		case ctx.Err() != nil:
			f.closedBy(ctx, runID, fd)
			return
		case err == nil:
			f.end(runID, fd, FeedFinished)
			return
		case errors.Is(err, ErrNotFound):
			f.end(runID, fd, FeedGone)
			return
		}
		// A stream that stayed up longer than the longest wait was healthy:
		// the next failure starts the backoff over.
		if !upSince.IsZero() && f.opt.Now().Sub(upSince) >= f.opt.MaxBackoff {
			backoff = f.opt.MinBackoff
		}
		// Taken after this feed's own opening, which must not cut its own
		// backoff short: a stream that breaks as soon as it opens backs off.
		wake := f.woken()
		wait := jittered(backoff)
		if f.opt.Logf != nil {
			f.opt.Logf("feed of run %s broke, retrying in %s: %v", runID, wait.Round(time.Millisecond), err)
		}
		if !f.send(ctx, FeedUpdate{RunID: runID, State: FeedRetrying, Err: err, RetryIn: wait}) {
			f.closedBy(ctx, runID, fd)
			return
		}
		woken, ok := f.pause(ctx, wait, wake, tried)
		if !ok {
			f.closedBy(ctx, runID, fd)
			return
		}
		if woken {
			backoff = f.opt.MinBackoff
		} else {
			backoff = min(backoff*2, f.opt.MaxBackoff)
		}
	}
}

// pause waits out one backoff, or less after Healthy (pauseBackoff).
func (f *Feeds) pause(ctx context.Context, wait time.Duration, wake <-chan struct{}, tried time.Time) (woken, ok bool) {
	return pauseBackoff(ctx, clock{after: f.opt.After, now: f.opt.Now}, f.opt.MinBackoff, wait, wake, tried)
}

// end records a run whose feed must never reopen, and says so.
func (f *Feeds) end(runID string, fd *feed, st FeedState) {
	f.mu.Lock()
	f.done[runID] = true
	if f.open[runID] == fd {
		delete(f.open, runID)
	}
	if f.leaving[runID] == fd { // unwanted just as it ended
		delete(f.leaving, runID)
	}
	f.mu.Unlock()
	f.final(FeedUpdate{RunID: runID, State: st})
}

// closedBy reports a feed that was cancelled: by Want (say so, so that the
// reader stops counting it) or by Close (say nothing).
func (f *Feeds) closedBy(ctx context.Context, runID string, fd *feed) {
	f.mu.Lock()
	if f.leaving[runID] == fd {
		delete(f.leaving, runID)
	}
	f.mu.Unlock()
	if f.ctx.Err() == nil && ctx.Err() != nil {
		f.final(FeedUpdate{RunID: runID, State: FeedClosed})
	}
}

// final delivers a feed's last update unless everything is shutting down.
func (f *Feeds) final(u FeedUpdate) {
	select {
	case f.out <- u:
	case <-f.ctx.Done():
	}
}
