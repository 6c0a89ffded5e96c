package client

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

// ctlSub is a Subscriber whose every call the test drives: it hands each
// call over on calls and the test opens it, feeds it and ends it.
type ctlSub struct {
	calls chan *subCall

	mu     sync.Mutex
	n      map[string]int // calls per run
	active int            // calls not yet returned
	// hold, when set, keeps a cancelled call from returning until closed.
	hold chan struct{}
}

func newCtlSub() *ctlSub {
	return &ctlSub{calls: make(chan *subCall, 100), n: map[string]int{}}
}

// subCall is one Subscribe call. Its callbacks run on the Subscribe
// goroutine, as the contract says: the test sends them through do.
type subCall struct {
	run    string
	ctx    context.Context
	opened func()
	out    func(durable.RunEvent)
	do     chan func()
	end    chan error
	gone   chan struct{} // closed when Subscribe has returned
}

func (s *ctlSub) Subscribe(ctx context.Context, runID string, opened func(), out func(durable.RunEvent)) error {
	c := &subCall{run: runID, ctx: ctx, opened: opened, out: out, do: make(chan func()), end: make(chan error, 1), gone: make(chan struct{})}
	s.mu.Lock()
	s.n[runID]++
	s.active++
	hold := s.hold
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.active--
		s.mu.Unlock()
		close(c.gone)
	}()
	s.calls <- c
	for {
		select {
		case f := <-c.do:
			f()
		case err := <-c.end:
			return err
		case <-ctx.Done():
			if hold != nil {
				<-hold
			}
			return ctx.Err()
		}
	}
}

func (s *ctlSub) count(run string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n[run]
}

func (s *ctlSub) running() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active
}

// next waits for the next call, which must be of run.
func (s *ctlSub) next(t *testing.T, run string) *subCall {
	t.Helper()
	select {
	case c := <-s.calls:
		if c.run != run {
			t.Fatalf("a call for %s, want %s", c.run, run)
		}
		return c
	case <-time.After(5 * time.Second):
		t.Fatalf("no call for %s within 5s", run)
	}
	return nil
}

// on runs f on the call's goroutine and waits for it; false if the call
// has ended.
func (c *subCall) on(f func()) bool {
	done := make(chan struct{})
	select {
	case c.do <- func() { f(); close(done) }:
		<-done
		return true
	case <-c.gone:
		return false
	}
}

func (c *subCall) open() bool                    { return c.on(c.opened) }
func (c *subCall) emit(ev durable.RunEvent) bool { return c.on(func() { c.out(ev) }) }
func (c *subCall) finish(err error)              { c.end <- err }

// fakeClock hands out a settable now, and backoff waits that fire at once
// while recording how long they were.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	delays []time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) after(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.delays = append(c.delays, d)
	ch := make(chan time.Time, 1)
	ch <- c.t
	return ch
}

func (c *fakeClock) asked() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.delays)
}

func newTestFeeds(sub Subscriber, opt FeedOptions) (*Feeds, *fakeClock) {
	clock := &fakeClock{t: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	opt.After, opt.Now = clock.after, clock.now
	return NewFeeds(sub, opt), clock
}

// waitUpdate reads updates until one satisfies cond.
func waitUpdate(t *testing.T, ch <-chan FeedUpdate, cond func(FeedUpdate) bool) FeedUpdate {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case u, ok := <-ch:
			if !ok {
				t.Fatal("updates closed")
			}
			if cond(u) {
				return u
			}
		case <-deadline:
			t.Fatal("no such feed update within 5s")
		}
	}
}

func isState(run string, st FeedState) func(FeedUpdate) bool {
	return func(u FeedUpdate) bool { return u.RunID == run && u.Event == nil && u.State == st }
}

// drain reads every update until Updates is closed.
func drain(f *Feeds) <-chan []FeedUpdate {
	done := make(chan []FeedUpdate, 1)
	go func() {
		var all []FeedUpdate
		for u := range f.Updates() {
			all = append(all, u)
		}
		done <- all
	}()
	return done
}

func TestFeedsOpenLiveEventsFinished(t *testing.T) {
	sub := newCtlSub()
	f, _ := newTestFeeds(sub, FeedOptions{})
	defer f.Close()
	f.Want([]string{"r1"})
	c := sub.next(t, "r1")
	waitUpdate(t, f.Updates(), isState("r1", FeedOpening))
	c.open()
	waitUpdate(t, f.Updates(), isState("r1", FeedLive))
	c.emit(durable.RunEvent{Kind: durable.TaskStream, RunID: "r1", Index: 0, Payload: "a"})
	u := waitUpdate(t, f.Updates(), func(u FeedUpdate) bool { return u.Event != nil })
	if u.RunID != "r1" || u.Event.Payload != "a" {
		t.Errorf("event update %+v", u)
	}
	c.finish(nil)
	waitUpdate(t, f.Updates(), isState("r1", FeedFinished))
	if len(f.Open()) != 0 {
		t.Errorf("open after finishing: %v", f.Open())
	}
}

func TestFeedsReconnectWithBackoff(t *testing.T) {
	sub := newCtlSub()
	f, clock := newTestFeeds(sub, FeedOptions{MinBackoff: time.Second, MaxBackoff: 4 * time.Second})
	defer f.Close()
	f.Want([]string{"flaky"})
	broken := fmt.Errorf("feed: %w", ErrUnreachable)
	fail := func(openFor time.Duration) FeedUpdate {
		t.Helper()
		c := sub.next(t, "flaky")
		if openFor >= 0 {
			c.open()
			clock.advance(openFor)
		}
		c.finish(broken)
		return waitUpdate(t, f.Updates(), isState("flaky", FeedRetrying))
	}
	u := fail(-1)
	if !errors.Is(u.Err, ErrUnreachable) || u.RetryIn <= 0 || u.RetryIn > time.Second {
		t.Errorf("first retry: %+v", u)
	}
	fail(-1)
	fail(0)
	fail(3 * time.Second)        // up, but not long enough to count as healthy
	fail(5 * time.Second)        // up longer than MaxBackoff: start over
	fail(100 * time.Millisecond) // and double from there
	want := [][2]time.Duration{{500 * time.Millisecond, time.Second}, {time.Second, 2 * time.Second}, {2 * time.Second, 4 * time.Second},
		{2 * time.Second, 4 * time.Second}, {500 * time.Millisecond, time.Second}, {time.Second, 2 * time.Second}}
	delays := clock.asked()
	if len(delays) != len(want) {
		t.Fatalf("delays %v", delays)
	}
	for i, w := range want {
		if delays[i] < w[0] || delays[i] > w[1] {
			t.Errorf("delay %d is %s, want %s..%s (all: %v)", i, delays[i], w[0], w[1], delays)
		}
	}
	// It keeps going: the seventh call comes.
	sub.next(t, "flaky").open()
	waitUpdate(t, f.Updates(), isState("flaky", FeedLive))
}

func TestFeedsNeverReopenFinishedOrGone(t *testing.T) {
	sub := newCtlSub()
	f, _ := newTestFeeds(sub, FeedOptions{})
	defer f.Close()
	f.Want([]string{"done"})
	sub.next(t, "done").finish(nil)
	waitUpdate(t, f.Updates(), isState("done", FeedFinished))
	f.Want([]string{"gone"})
	sub.next(t, "gone").finish(fmt.Errorf("run: %w", ErrNotFound))
	waitUpdate(t, f.Updates(), isState("gone", FeedGone))
	f.Want([]string{"done", "gone", "other", "done"})
	sub.next(t, "other")
	if got := f.Open(); !slices.Equal(got, []string{"other"}) {
		t.Errorf("open %v, want only other", got)
	}
	if sub.count("done") != 1 || sub.count("gone") != 1 {
		t.Errorf("reopened: done %d, gone %d", sub.count("done"), sub.count("gone"))
	}
}

func TestFeedsFollowWantAndCap(t *testing.T) {
	sub := newCtlSub()
	f, _ := newTestFeeds(sub, FeedOptions{Max: 2})
	f.Want([]string{"a", "", "a", "b", "c"})
	if got := f.Open(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("open %v, want the first two", got)
	}
	f.Want([]string{"c"})
	if got := f.Open(); !slices.Equal(got, []string{"c"}) {
		t.Errorf("open %v, want only c", got)
	}
	// The unwanted feeds say they closed.
	closed := map[string]bool{}
	waitUpdate(t, f.Updates(), func(u FeedUpdate) bool {
		if u.State == FeedClosed && u.Event == nil {
			closed[u.RunID] = true
		}
		return closed["a"] && closed["b"]
	})
	all := drain(f)
	f.Close()
	<-all
	f.Want([]string{"a"}) // after Close: nothing
	if len(f.Open()) != 0 || sub.running() != 0 {
		t.Errorf("after Close: open %v, %d calls running", f.Open(), sub.running())
	}
}

// A run unwanted and wanted again before its old feed has wound down: the
// old feed's last update comes before anything of the new one.
func TestFeedsRewantKeepsOrder(t *testing.T) {
	sub := newCtlSub()
	sub.hold = make(chan struct{})
	f, _ := newTestFeeds(sub, FeedOptions{})
	defer f.Close()
	f.Want([]string{"r"})
	sub.next(t, "r").open()
	waitUpdate(t, f.Updates(), isState("r", FeedLive))
	f.Want(nil) // the old call is cancelled but held
	f.Want([]string{"r"})
	close(sub.hold) // now it returns
	sub.next(t, "r").open()
	var states []FeedState
	waitUpdate(t, f.Updates(), func(u FeedUpdate) bool {
		states = append(states, u.State)
		return len(states) == 3
	})
	if want := []FeedState{FeedClosed, FeedOpening, FeedLive}; !slices.Equal(states, want) {
		t.Errorf("states %v, want %v", states, want)
	}
}

// A reader that falls behind holds the feeds back; nothing is dropped.
func TestFeedsBackpressureDropsNothing(t *testing.T) {
	sub := newCtlSub()
	f, _ := newTestFeeds(sub, FeedOptions{})
	defer f.Close()
	f.Want([]string{"r"})
	c := sub.next(t, "r")
	const n = 3000 // well past the channel's buffer
	go func() {
		c.open()
		for i := range n {
			if !c.emit(durable.RunEvent{Kind: durable.TaskStream, RunID: "r", Index: int64(i)}) {
				return
			}
		}
	}()
	next := int64(0)
	waitUpdate(t, f.Updates(), func(u FeedUpdate) bool {
		if u.Event != nil {
			if u.Event.Index != next {
				t.Fatalf("chunk %d after %d", u.Event.Index, next-1)
			}
			next++
		}
		return next == n
	})
}

// Close ends feeds blocked anywhere: in Subscribe, in a backoff wait, or
// sending to a full channel nobody reads.
func TestFeedsCloseLeavesNothingRunning(t *testing.T) {
	before := runtime.NumGoroutine()
	sub := newCtlSub()
	f, _ := newTestFeeds(sub, FeedOptions{})
	f.opt.After = func(time.Duration) <-chan time.Time { return nil } // backoffs never end
	f.Want([]string{"idle", "retrying", "flooding"})
	calls := map[string]*subCall{}
	for range 3 {
		c := <-sub.calls
		calls[c.run] = c
	}
	calls["idle"].open()
	calls["retrying"].finish(errors.New("broken"))
	flooded := make(chan struct{})
	go func() {
		defer close(flooded)
		for i := 0; calls["flooding"].emit(durable.RunEvent{Kind: durable.TaskStream, Index: int64(i)}); i++ {
		}
	}()
	// Nobody reads: wait until the channel is full and the feed is stuck.
	deadline := time.Now().Add(5 * time.Second)
	for len(f.out) < cap(f.out) {
		if time.Now().After(deadline) {
			t.Fatal("the updates channel never filled")
		}
		runtime.Gosched()
	}
	f.Close()
	<-flooded
	if n := sub.running(); n != 0 {
		t.Errorf("%d Subscribe calls still running after Close", n)
	}
	for range f.Updates() { // buffered updates, then closed
	}
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines before, %d after Close", before, runtime.NumGoroutine())
		}
		runtime.Gosched()
	}
}

// Want from many goroutines while feeds come and go: the race detector
// watches.
func TestFeedsConcurrentWant(t *testing.T) {
	sub := newCtlSub()
	f, _ := newTestFeeds(sub, FeedOptions{Max: 3})
	all := drain(f)
	stop := make(chan struct{})
	defer close(stop)
	go func() { // answer every call: open it, send one event, end it some way
		for i := 0; ; i++ {
			var c *subCall
			select {
			case c = <-sub.calls:
			case <-stop:
				return
			}
			go func() {
				c.open()
				c.emit(durable.RunEvent{Kind: durable.TaskCreated, RunID: c.run})
				switch i % 3 {
				case 0:
					c.finish(errors.New("broken"))
				case 1:
					c.finish(nil)
				}
			}()
		}
	}()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				f.Want([]string{fmt.Sprint("r", (g+i)%7), fmt.Sprint("r", (g*i)%5), fmt.Sprint("r", i%4)})
				f.Open()
			}
		}()
	}
	wg.Wait()
	f.Close()
	updates := <-all
	if len(updates) == 0 {
		t.Error("no updates at all")
	}
	if n := sub.running(); n != 0 {
		t.Errorf("%d calls running after Close", n)
	}
}

func TestFeedStateNames(t *testing.T) {
	if FeedLive.String() != "live" || FeedGone.String() != "gone" || FeedState(42).String() != "unknown" {
		t.Error(FeedLive, FeedGone, FeedState(42))
	}
}

// manualClock is a clock whose timers fire only when the test moves it,
// so a backoff lasts exactly as long as the test says.
type manualClock struct {
	mu     sync.Mutex
	t      time.Time
	timers []manualTimer
	asked  []time.Duration
}

type manualTimer struct {
	at time.Time
	ch chan time.Time
}

func (c *manualClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) after(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.asked = append(c.asked, d)
	ch := make(chan time.Time, 1)
	c.timers = append(c.timers, manualTimer{at: c.t.Add(d), ch: ch})
	return ch
}

// advance moves the clock and fires the timers that are due.
func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	kept := c.timers[:0]
	for _, tm := range c.timers {
		if tm.at.After(c.t) {
			kept = append(kept, tm)
			continue
		}
		tm.ch <- c.t
	}
	c.timers = kept
}

// waitAsked waits until n backoff waits have been asked for and returns
// them all.
func (c *manualClock) waitAsked(t *testing.T, n int) []time.Duration {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.mu.Lock()
		got := slices.Clone(c.asked)
		c.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d waits asked for within 5s, want %d: %v", len(got), n, got)
		}
		runtime.Gosched()
	}
}

func newManualFeeds(sub Subscriber, opt FeedOptions) (*Feeds, *manualClock) {
	clock := &manualClock{t: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)}
	opt.After, opt.Now = clock.after, clock.now
	return NewFeeds(sub, opt), clock
}

// nextCall waits for the next Subscribe call, of any run.
func (s *ctlSub) nextCall(t *testing.T) *subCall {
	t.Helper()
	select {
	case c := <-s.calls:
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("no Subscribe call within 5s")
	}
	return nil
}

// failAll breaks the next call of each of n feeds and waits until every
// one of them waits out its backoff; it returns those waits.
func failAll(t *testing.T, sub *ctlSub, clock *manualClock, n, asked int) []time.Duration {
	t.Helper()
	for range n {
		sub.nextCall(t).finish(fmt.Errorf("feed: %w", ErrUnreachable))
	}
	return clock.waitAsked(t, asked+n)[asked:]
}

// Issue 7: the feeds back off up to 30 s while the engine is away; once
// it answers, Healthy makes every one of them reopen at once instead of
// at the end of its wait, and their next failure backs off from 1 s again.
func TestFeedsHealthyEndsEveryBackoff(t *testing.T) {
	sub := newCtlSub()
	f, clock := newManualFeeds(sub, FeedOptions{MinBackoff: time.Second, MaxBackoff: 30 * time.Second})
	defer f.Close()
	go func() {
		for range f.Updates() {
		}
	}()
	runs := []string{"r1", "r2", "r3"}
	f.Want(runs)
	var waits []time.Duration
	asked := 0
	for round := 0; round < 8; round++ {
		waits = failAll(t, sub, clock, len(runs), asked)
		asked += len(runs)
		if round < 7 {
			clock.advance(slices.Max(waits)) // every feed retries
		}
	}
	for _, w := range waits {
		if w < 15*time.Second || w > 30*time.Second {
			t.Fatalf("after 8 failures the waits are %v, want the 30s cap (jittered 15s..30s)", waits)
		}
	}
	// The engine is back 2 s into those waits: no timer is due for 13 s
	// or more, yet every feed reopens without the clock moving.
	clock.advance(2 * time.Second)
	f.Healthy()
	seen := map[string]*subCall{}
	for range runs {
		c := sub.nextCall(t)
		seen[c.run] = c
		c.open()
	}
	if len(seen) != len(runs) {
		t.Fatalf("reopened %v after Healthy, want every feed", seen)
	}
	// Healed: the next break starts over at MinBackoff.
	seen["r1"].finish(fmt.Errorf("feed: %w", ErrUnreachable))
	waits = clock.waitAsked(t, asked+1)[asked:]
	if waits[0] < 500*time.Millisecond || waits[0] > time.Second {
		t.Errorf("the first wait after healing is %s, want 0.5s..1s", waits[0])
	}
}

// A feed that opens proves the engine answers: the others, deep in their
// backoff, reopen at once.
func TestFeedsOneOpeningWakesTheOthers(t *testing.T) {
	sub := newCtlSub()
	f, clock := newManualFeeds(sub, FeedOptions{MinBackoff: time.Second, MaxBackoff: 30 * time.Second})
	defer f.Close()
	go func() {
		for range f.Updates() {
		}
	}()
	f.Want([]string{"a", "b"})
	var waits []time.Duration
	asked := 0
	for round := 0; round < 7; round++ {
		waits = failAll(t, sub, clock, 2, asked)
		asked += 2
		if round < 6 {
			clock.advance(slices.Max(waits))
		}
	}
	// Only the sooner timer fires (the waits are jittered apart).
	clock.advance(slices.Min(waits))
	c := sub.nextCall(t)
	c.open()
	other := sub.nextCall(t) // no clock move: woken by the first one's opening
	if other.run == c.run {
		t.Fatalf("the same run %s twice", c.run)
	}
}

// Healthy right after an attempt does not retry at once: a feed that
// breaks as soon as it opens would otherwise spin with the others.
func TestFeedsHealthyKeepsAMinimumBetweenAttempts(t *testing.T) {
	sub := newCtlSub()
	f, clock := newManualFeeds(sub, FeedOptions{MinBackoff: time.Second, MaxBackoff: 30 * time.Second})
	defer f.Close()
	go func() {
		for range f.Updates() {
		}
	}()
	f.Want([]string{"a"})
	asked := 0
	for round := 0; round < 5; round++ {
		waits := failAll(t, sub, clock, 1, asked)
		asked++
		if round < 4 {
			clock.advance(waits[0])
		}
	}
	clock.advance(300 * time.Millisecond)
	f.Healthy()
	waits := clock.waitAsked(t, asked+1)
	if got := waits[asked]; got != 700*time.Millisecond {
		t.Fatalf("woken 0.3s after its attempt, the feed waits %s more, want 0.7s", got)
	}
	if sub.count("a") != 5 {
		t.Fatalf("%d calls before the minimum passed, want 5", sub.count("a"))
	}
	clock.advance(700 * time.Millisecond)
	sub.nextCall(t).open()
}
