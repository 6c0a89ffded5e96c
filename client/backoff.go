package client

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// The outage rules the run feeds (Feeds) and the run watch (RunWatch)
// share: a broken stream waits out a jittered, doubling backoff, and any
// sign that the engine answers again (healthSignal) ends every wait early,
// though never sooner than MinBackoff after the failed attempt began.

// healthSignal wakes every wait at once: wait returns a channel that the
// next signal closes.
type healthSignal struct {
	mu sync.Mutex
	ch chan struct{}
}

func (h *healthSignal) channel() chan struct{} {
	if h.ch == nil {
		h.ch = make(chan struct{})
	}
	return h.ch
}

// signal ends every wait taken before it.
func (h *healthSignal) signal() {
	h.mu.Lock()
	defer h.mu.Unlock()
	close(h.channel())
	h.ch = make(chan struct{})
}

// wait is closed at the next signal.
func (h *healthSignal) wait() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.channel()
}

// jittered is one wait of a backoff: between half and all of it, so that
// many streams that broke together do not retry in step.
func jittered(backoff time.Duration) time.Duration {
	return backoff/2 + rand.N(backoff/2+1)
}

// clock is the time a backoff runs on; tests replace it.
type clock struct {
	after func(time.Duration) <-chan time.Time
	now   func() time.Time
}

// pauseBackoff waits out one backoff of wait, or less once wake is
// closed: then it returns woken as soon as minBackoff has passed since the
// attempt began at tried (streams that break as soon as they open cannot
// spin each other). ok is false when ctx ended.
func pauseBackoff(ctx context.Context, clk clock, minBackoff, wait time.Duration, wake <-chan struct{}, tried time.Time) (woken, ok bool) {
	timer, until := clk.after(wait), clk.now().Add(wait)
	for {
		select {
		case <-ctx.Done():
			return woken, false
		case <-timer:
			return woken, true
		case <-wake:
			woken, wake = true, nil
			now := clk.now()
			soonest := tried.Add(minBackoff).Sub(now)
			if soonest <= 0 {
				return true, true
			}
			if soonest < until.Sub(now) {
				timer = clk.after(soonest)
			}
		}
	}
}
