package e2e

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The engine outages run last: the engine stalls new runs for about a
// minute after a restart.

// header is the screen's first line, where the list's and the feeds'
// states are.
func header(screen string) string { return strings.SplitN(screen, "\n", 2)[0] }

var (
	feedCount   = regexp.MustCompile(`(\d+) feeds? streaming`)
	activeCount = regexp.MustCompile(`(\d+) active`)
)

// activeOn is the number of active tasks the screen's second line counts.
func activeOn(s string) int {
	lines := strings.SplitN(s, "\n", 3)
	if len(lines) < 2 {
		return 0
	}
	m := activeCount.FindStringSubmatch(lines[1])
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// steadyFeeds waits until the list is live and the header has shown the
// same number of open feeds, none reconnecting, for 3 s (every wanted
// feed has opened), and returns that number and the screen.
func (tm *term) steadyFeeds(within time.Duration) (int, string) {
	tm.t.Helper()
	last, since := -1, time.Now()
	var s string
	eventually(tm.t, within, func() (bool, string) {
		s = tm.screen()
		h := header(s)
		n := liveFeeds(h)
		if n == 0 || !strings.Contains(h, "list ● live") || strings.Contains(h, "reconnecting") {
			last = -1
			return false, "no steady live feeds; header " + h
		}
		if n != last {
			last, since = n, time.Now()
		}
		return time.Since(since) >= 3*time.Second, "the feeds still opening; header " + h
	})
	return last, s
}

// liveFeeds is the number of open feeds the header shows, 0 if none.
func liveFeeds(h string) int {
	m := feedCount.FindStringSubmatch(h)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// sampleHeader reads the screen every 100 ms until done says stop or
// within passes; it returns when done held (zero if never) and every
// header seen.
func (tm *term) sampleHeader(within time.Duration, done func(h string) bool) (time.Time, []string) {
	return tm.sampleScreen(within, func(s string) bool { return done(header(s)) })
}

func (tm *term) sampleScreen(within time.Duration, done func(s string) bool) (time.Time, []string) {
	var seen []string
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		s := tm.screen()
		at := time.Now()
		seen = append(seen, header(s))
		if done(s) {
			return at, seen
		}
		time.Sleep(100 * time.Millisecond) // the sampling rate, not synchronisation
	}
	return time.Time{}, seen
}

// Issue 8: an engine that stops answering (SIGSTOP: its sockets accept,
// nothing replies) turns "live" into "not answering" within 3 s plus a
// poll, and "live" never comes back over stale data until it answers.
func TestEngineHangSaysNotAnswering(t *testing.T) {
	requireStack(t)
	waitForWaits(t, "event", "or", "retry")
	tm := startTerm(t, 200, 40, "--refresh", "1s")
	tm.waitScreen(30*time.Second, "live data and open feeds", func(s string) bool {
		h := header(s)
		return strings.Contains(h, "list ● live") && liveFeeds(h) > 0 && strings.Contains(s, "third time lucky")
	})
	if err := env.stack.PauseEngine(); err != nil {
		t.Fatal(err)
	}
	paused := time.Now()
	resumed := false
	t.Cleanup(func() {
		if !resumed {
			_ = env.stack.ResumeEngine()
		}
	})
	at, seen := tm.sampleHeader(15*time.Second, func(h string) bool { return strings.Contains(h, "list ⚠ not answering") })
	if at.IsZero() {
		t.Fatalf("no 'not answering' within 15s of the hang; headers seen:\n%s", strings.Join(seen, "\n"))
	}
	shown := at.Sub(paused)
	t.Logf("'not answering' shown %s after the engine was paused (--refresh 1s): %q", shown.Round(time.Millisecond), seen[len(seen)-1])
	if shown > 6*time.Second {
		t.Errorf("'not answering' took %s, want 3s plus one poll interval and a tick", shown)
	}
	// While it hangs, "live" never shows again.
	_, seen = tm.sampleHeader(10*time.Second, func(string) bool { return false })
	for _, h := range seen {
		if strings.Contains(h, "● live") || !strings.Contains(h, "not answering") {
			t.Fatalf("during the hang the header said %q", h)
		}
	}
	if s := tm.screen(); !strings.Contains(s, "third time lucky") {
		t.Errorf("rows vanished during the hang:\n%s", s)
	}
	if err := env.stack.ResumeEngine(); err != nil {
		t.Fatal(err)
	}
	resumed = true
	back := time.Now()
	at, seen = tm.sampleHeader(30*time.Second, func(h string) bool {
		return strings.Contains(h, "list ● live") && !strings.Contains(h, "not answering")
	})
	if at.IsZero() {
		t.Fatalf("not live within 30s of the engine resuming; headers:\n%s", strings.Join(seen, "\n"))
	}
	t.Logf("live again %s after the engine resumed: %q", at.Sub(back).Round(time.Millisecond), seen[len(seen)-1])
	tm.keys("q")
}

// Issue 7: the engine killed mid-watch and kept down until every backoff
// (the list's and the feeds') has reached its 30 s cap; once it answers
// again, the list and every feed are live within 3 s, without
// restarting hatchtop.
func TestEngineRestartMidWatch(t *testing.T) {
	requireStack(t)
	waitForWaits(t, "event", "or", "retry")
	tm := startTerm(t, 200, 40, "--refresh", "1s")
	feeds, s := tm.steadyFeeds(60 * time.Second)
	if !strings.Contains(s, "third time lucky") {
		t.Fatalf("the retried task is not on screen:\n%s", s)
	}
	t.Logf("before the outage: %q", header(s))

	stopped := time.Now()
	env.stack.StopEngine()
	s = tm.waitScreen(30*time.Second, "the list and the feeds reconnecting", func(s string) bool {
		h := header(s)
		return strings.Contains(h, "list ◌ reconnecting") && strings.Contains(h, "◌ "+strconv.Itoa(feeds)+" feed") && strings.Contains(h, " reconnecting · ")
	})
	t.Logf("reconnecting shown %s after the engine stopped: %q", time.Since(stopped).Round(time.Millisecond), header(s))
	if !strings.Contains(s, "third time lucky") {
		t.Errorf("rows vanished while reconnecting:\n%s", s)
	}
	tm.keys("?")
	help := tm.waitScreen(5*time.Second, "the help with the reason", func(s string) bool { return strings.Contains(s, "List poll failed: ") })
	t.Logf("the help says: %q", lineWith(help, "List poll failed: "))
	if !strings.Contains(help, "connection refused") {
		t.Errorf("the help does not say why:\n%s", help)
	}
	tm.keys("Escape")

	// The outage itself: long enough for the list's backoff (2s, 4s, …
	// 30s) and the feeds' (1s … 30s) to reach their cap.
	time.Sleep(time.Until(stopped.Add(40 * time.Second)))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The first moment the engine answers, read every 50 ms beside the
	// stack's own readiness wait.
	answered := make(chan time.Time, 1)
	go func() {
		for ctx.Err() == nil {
			probe, stop := context.WithTimeout(ctx, time.Second)
			ok := env.stack.EngineReady(probe)
			stop()
			if ok {
				answered <- time.Now()
				return
			}
			time.Sleep(50 * time.Millisecond) // the probing rate
		}
	}()
	started := make(chan error, 1)
	go func() { started <- env.stack.StartEngine(ctx) }()

	// The screen is read from before the engine is up, so no moment of
	// the recovery is missed.
	// Every feed: as many as before, or fewer if tasks ended meanwhile.
	var listAt, feedsAt time.Time
	_, seen := tm.sampleScreen(90*time.Second, func(s string) bool {
		h := header(s)
		if listAt.IsZero() && strings.Contains(h, "list ● live") {
			listAt = time.Now()
		}
		if feedsAt.IsZero() && liveFeeds(h) == min(feeds, activeOn(s)) && !strings.Contains(h, "reconnecting") {
			feedsAt = time.Now()
		}
		return !listAt.IsZero() && !feedsAt.IsZero()
	})
	if err := <-started; err != nil {
		t.Fatalf("restart the engine: %v", err)
	}
	var ready time.Time
	select {
	case ready = <-answered:
	case <-ctx.Done():
		t.Fatal("the engine never answered /api/ready")
	}
	t.Logf("down %s in all", ready.Sub(stopped).Round(time.Millisecond))
	if listAt.IsZero() || feedsAt.IsZero() {
		t.Fatalf("list live at %v, %d feeds at %v; headers since the restart:\n%s", listAt, feeds, feedsAt, strings.Join(seen[max(len(seen)-40, 0):], "\n"))
	}
	list, all := listAt.Sub(ready), feedsAt.Sub(ready)
	t.Logf("after the engine answered: the list live in %s, all %d feeds in %s: %q",
		list.Round(time.Millisecond), feeds, all.Round(time.Millisecond), seen[len(seen)-1])
	if list > 3*time.Second || all > 3*time.Second {
		t.Errorf("recovery took %s (list) and %s (feeds), want within 3s", list, all)
	}
	tm.keys("q")
}
