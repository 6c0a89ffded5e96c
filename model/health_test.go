package model

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/ui"
)

// healingFeeds is a Feeds that counts the model's "the engine answers"
// calls. Its channel is closed, so a step that waits on it ends at once.
type healingFeeds struct {
	ch chan client.FeedUpdate

	mu      sync.Mutex
	healthy int
}

func newHealingFeeds() *healingFeeds {
	ch := make(chan client.FeedUpdate)
	close(ch)
	return &healingFeeds{ch: ch}
}

func (h *healingFeeds) Want([]string)                     {}
func (h *healingFeeds) Updates() <-chan client.FeedUpdate { return h.ch }
func (h *healingFeeds) Healthy() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.healthy++
}

func (h *healingFeeds) healed() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.healthy
}

func startedWithFeeds(t *testing.T, f *fake.Engine, feeds Feeds) Model {
	t.Helper()
	m := newTestModel(f)
	m.feeds, m.steer = feeds, &feedSteer{feeds: feeds}
	return step(t, m, startMsg{})
}

var errDown = fmt.Errorf("list: %w", client.ErrUnreachable)

func feedStateMsg(run string, st client.FeedState) feedMsg {
	u := client.FeedUpdate{RunID: run, State: st}
	if st == client.FeedRetrying {
		u.Err, u.RetryIn = errDown, 30*time.Second
	}
	return feedMsg{update: u}
}

func headerLine(m Model) string { return strings.SplitN(m.View(), "\n", 2)[0] }

// Issue 7: the list's backoff grows to its 30 s cap while the engine is
// away, a probe runs every second meanwhile, and once the engine answers
// the list is live and the feeds are told to reopen within 3 s, not at the
// end of a 30 s wait.
func TestBackoffReachesItsCapAndEndsWhenTheEngineAnswers(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "a", -time.Minute))
	feeds := newHealingFeeds()
	m := startedWithFeeds(t, f, feeds)
	m = step(t, m, feedStateMsg("t1", client.FeedLive))
	f.FailList(errDown)
	f.FailVersion(errDown)
	m = step(t, m, feedStateMsg("t1", client.FeedRetrying))

	var polls []int
	probes := f.Calls("Version")
	const down = 200
	for s := 1; s <= down; s++ {
		before := f.Calls("ListActive")
		m = at(t, m, time.Duration(s)*time.Second)
		if f.Calls("ListActive") > before {
			polls = append(polls, s)
		}
	}
	var gaps []int
	for i := 1; i < len(polls); i++ {
		gaps = append(gaps, polls[i]-polls[i-1])
	}
	if len(gaps) < 3 || gaps[len(gaps)-1] != 30 || gaps[len(gaps)-2] != 30 || slicesMax(gaps) != 30 {
		t.Fatalf("list polls at %v (gaps %v), want the backoff to reach 30s and stay there", polls, gaps)
	}
	if n := f.Calls("Version") - probes; n < down-5 || n > down+1 {
		t.Errorf("%d probes in %ds of outage, want one a second", n, down)
	}
	if got := m.listConn().Kind; got != ui.Reconnecting {
		t.Fatalf("list state %v while the engine is away", got)
	}
	healedBefore := feeds.healed()

	// The engine answers again half a second after the last tick; the
	// next poll of the list would be up to 30 s away.
	back := time.Duration(down)*time.Second + 500*time.Millisecond
	f.FailList(nil)
	f.FailVersion(nil)
	var liveAt time.Duration
	for s := down + 1; s <= down+30; s++ {
		m = at(t, m, time.Duration(s)*time.Second)
		if m.listConn().Kind == ui.Live && feeds.healed() > healedBefore {
			liveAt = time.Duration(s)*time.Second - back
			break
		}
	}
	if liveAt == 0 || liveAt > 3*time.Second {
		t.Fatalf("list %v, feeds healed %d times: live again %s after the engine answered, want within 3s",
			m.listConn(), feeds.healed()-healedBefore, liveAt)
	}
	if l := headerLine(m); !strings.Contains(l, "list ● live") || !strings.Contains(l, "updated 0s ago") {
		t.Errorf("header after recovery: %s", l)
	}
	// Healed: the next failure starts the backoff over.
	f.FailList(errDown)
	f.FailVersion(errDown)
	at0 := m.now.Sub(t0)
	first := f.Calls("ListActive")
	for s := time.Second; f.Calls("ListActive") == first && s <= 5*time.Second; s += time.Second {
		m = at(t, m, at0+s)
	}
	if wait := m.sched.nextListAt.Sub(m.now); f.Calls("ListActive") == first || wait != 4*time.Second {
		t.Errorf("after a new failure the next poll is in %s, want the backoff to start over at 4s", wait)
	}
}

func slicesMax(xs []int) int {
	m := xs[0]
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// A feed that opens proves the engine answers: the list stops waiting out
// its backoff at once.
func TestAFeedOpeningEndsTheListBackoff(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "a", -time.Minute))
	m := startedWithFeeds(t, f, newHealingFeeds())
	f.FailList(errDown)
	f.FailVersion(errDown)
	for s := 2; s <= 40; s++ {
		m = at(t, m, time.Duration(s)*time.Second)
	}
	if m.sched.nextListAt.Sub(m.now) < 10*time.Second {
		t.Fatalf("the list should be deep in backoff, next poll in %s", m.sched.nextListAt.Sub(m.now))
	}
	f.FailList(nil)
	before := f.Calls("ListActive")
	m = step(t, m, feedStateMsg("t1", client.FeedLive))
	if f.Calls("ListActive") != before+1 || m.listConn().Kind != ui.Live {
		t.Fatalf("a feed opened, the list polled %d times and is %v", f.Calls("ListActive")-before, m.listConn())
	}
}

// Issue 8: a poll left unanswered for 3 s turns "live" into "not
// answering", counting; it never shows "live" over stale data, and an
// answer brings "live" back.
func TestNotAnsweringAfterThreeSeconds(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "a", -time.Minute))
	m := startedModel(t, f) // polled at t0
	// update, not step: the poll sent at t0+2s is never answered.
	m = update(m, tickMsg(t0.Add(2*time.Second)))
	if !m.sched.listInFlight {
		t.Fatal("no poll in flight at t0+2s")
	}
	m = update(m, tickMsg(t0.Add(4*time.Second)))
	if l := headerLine(m); !strings.Contains(l, "list ● live") {
		t.Errorf("2s without an answer is not yet an outage: %s", l)
	}
	for s := 5; s <= 12; s++ {
		m = update(m, tickMsg(t0.Add(time.Duration(s)*time.Second)))
		l := headerLine(m)
		if want := fmt.Sprintf("list ⚠ not answering %ds", s-2); !strings.Contains(l, want) || strings.Contains(l, "live") {
			t.Fatalf("at t0+%ds the header is %q, want %q and never live", s, l, want)
		}
	}
	// The poll runs out of time: still not answering, and still counting
	// from the first unanswered poll, through the backoff and the next one.
	timedOut := fmt.Errorf("list: %w", errors.Join(client.ErrUnreachable, context.DeadlineExceeded))
	m = update(m, listMsg{err: timedOut})
	for s := 13; s <= 20; s++ {
		m = update(m, tickMsg(t0.Add(time.Duration(s)*time.Second)))
		if l := headerLine(m); !strings.Contains(l, fmt.Sprintf("not answering %ds", s-2)) {
			t.Fatalf("at t0+%ds after a timed-out poll: %s", s, l)
		}
	}
	if h := update(m, press("?")).View(); !strings.Contains(h, "has not answered the list poll for 18s") {
		t.Errorf("the help does not say why:\n%s", h)
	}
	m = update(m, listMsg{tasks: []durable.Task{durableTask("t1", "a", -time.Minute)}})
	if l := headerLine(m); !strings.Contains(l, "list ● live") || strings.Contains(l, "not answering") {
		t.Errorf("answered, the header is %s", l)
	}
}

// A refused connection is an answer, not silence: the header says
// reconnecting at once, and the help has the whole reason.
func TestRefusalIsReconnectingWithTheReasonInTheHelp(t *testing.T) {
	f := fake.New()
	m := startedModel(t, f)
	long := "cannot reach the engine at http://localhost:8080 (the connection was closed: read tcp 127.0.0.1:50312->127.0.0.1:8080: read: connection reset by peer)"
	f.FailList(fmt.Errorf("list: %w", errors.Join(client.ErrUnreachable, errors.New(long))))
	f.FailVersion(errDown)
	m = at(t, m, 2*time.Second)
	l := headerLine(m)
	if !strings.Contains(l, "list ◌ reconnecting · ? why") || strings.Contains(l, "connection reset") {
		t.Errorf("header %q", l)
	}
	help := strings.Join(strings.Fields(update(m, press("?")).View()), " ")
	if !strings.Contains(help, strings.Join(strings.Fields(long), " ")) {
		t.Errorf("the help lacks the whole reason:\n%s", help)
	}
}

// An engine that answers with an error is not away: no probe runs and the
// list keeps its backoff, so a failing engine is not polled every second.
func TestAnErrorReplyKeepsItsBackoff(t *testing.T) {
	f := fake.New()
	m := startedModel(t, f)
	f.FailList(errors.New("the API at http://localhost:8080 answered HTTP 500"))
	probes, polls := f.Calls("Version"), f.Calls("ListActive")
	for s := 1; s <= 60; s++ {
		m = at(t, m, time.Duration(s)*time.Second)
	}
	if n := f.Calls("Version") - probes; n != 0 {
		t.Errorf("%d probes of an engine that answers", n)
	}
	if n := f.Calls("ListActive") - polls; n > 6 {
		t.Errorf("%d polls in a minute of error replies, want the backoff", n)
	}
	if l := headerLine(m); !strings.Contains(l, "list ◌ reconnecting") {
		t.Errorf("header %s", l)
	}
}
