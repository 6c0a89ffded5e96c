package model

import (
	"container/heap"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/harness/fakeengine"
	"github.com/hatchtop/hatchtop/keymap"
	"github.com/hatchtop/hatchtop/ui"
)

// The request-budget simulation: the real client and the model against
// harness/fakeengine, on a simulated clock. Every Cmd runs when Update
// returns it, at the simulated time of the message that produced it; its
// message comes back budgetLatency per REST request it made later (a page
// of a listing is one request each), so requests in flight and the
// concurrency caps behave as in the program. The clock ticks once a
// simulated second, as the program's does. Nothing depends on wall time,
// so the counts are the same on every run.
const (
	// budgetLatency is one REST request's round trip: a local engine's
	// order of magnitude, short enough that a 10,000-task list (50 pages)
	// returns well within the 5 s refresh.
	budgetLatency = 10 * time.Millisecond
	budgetMinutes = 10
	// budgetSteadyFrom is the first minute of the steady state (0-based):
	// minutes 3 to 10.
	budgetSteadyFrom = 2
	budgetWidth      = 200
	budgetHeight     = 50 // 46 rows on screen
)

// budgetResult is what one simulated run measured.
type budgetResult struct {
	perMinute []int            // REST requests in each simulated minute
	steady    map[string]int   // requests by route over the steady minutes
	minutes   []map[string]int // requests by route in each minute
	selected  string           // the selected row's line on the last frame
	watched   int              // run ids handed to the run watch
}

// steadyRate is REST requests per minute over the steady state.
func (r budgetResult) steadyRate() float64 {
	n := 0
	for _, c := range r.perMinute[budgetSteadyFrom:] {
		n += c
	}
	return float64(n) / float64(len(r.perMinute)-budgetSteadyFrom)
}

func (r budgetResult) maxRate() int { return slices.Max(r.perMinute) }

// BenchmarkRequestBudget reports the REST requests hatchtop makes per
// minute on a tenant of n active durable tasks (90 % 1 h sleeps, 10 %
// event waits) at 200x50, the selected row an event wait: req/min in the
// steady state (minutes 3-10) and max-req/min over the 10 minutes (the
// first sight's catch-up included). The figure is the simulation's, not
// the benchmark's speed: one iteration is enough.
func BenchmarkRequestBudget(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			var r budgetResult
			for b.Loop() {
				r = simulateBudget(b, n, budgetMinutes)
			}
			b.ReportMetric(r.steadyRate(), "req/min")
			b.ReportMetric(float64(r.maxRate()), "max-req/min")
			b.Logf("tasks=%d: %.0f req/min steady (minutes %d-%d), max %d/min; per minute %v",
				n, r.steadyRate(), budgetSteadyFrom+1, budgetMinutes, r.maxRate(), r.perMinute)
			b.Logf("tasks=%d: steady per minute by route: %s", n, perRoute(r.steady, budgetMinutes-budgetSteadyFrom))
			b.Logf("tasks=%d: minute 1 by route: %s", n, perRoute(r.minutes[0], 1))
			b.Logf("tasks=%d: selected row: %s", n, strings.TrimSpace(r.selected))
			b.Logf("tasks=%d: run ids handed to the run watch (gRPC, not counted): %d", n, r.watched)
		})
	}
}

// TestBudgetSimulationCoversTheClient runs the simulation briefly: the
// rows reach the screen, the selected row is an event wait, and the client
// asks the fake only for what it serves (a route the fake lacks would make
// the benchmark's figures wrong).
func TestBudgetSimulationCoversTheClient(t *testing.T) {
	r := simulateBudget(t, 60, 1)
	total := 0
	for _, c := range r.perMinute {
		total += c
	}
	if total == 0 || r.minutes[0][fakeengine.RouteList] == 0 {
		t.Fatalf("no requests or no list poll: %v", r.minutes[0])
	}
	if n := r.minutes[0][fakeengine.RouteOther]; n > 0 {
		t.Fatalf("%d requests to routes the fake engine does not serve: %v", n, r.minutes[0])
	}
	if !strings.Contains(r.selected, "wait-event-labelled") {
		t.Fatalf("the selected row is not an event wait: %q", r.selected)
	}
}

// perRoute formats counts by route as a rate over minutes.
func perRoute(counts map[string]int, minutes int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %.0f", k, float64(counts[k])/float64(minutes)))
		}
	}
	return strings.Join(parts, ", ")
}

// quietFeeds is a feed manager for runs that never send anything: Want is
// accepted, and the updates channel is closed, so the model's pending
// read returns at once instead of blocking the synchronous driver.
type quietFeeds struct{ ch chan client.FeedUpdate }

func newQuietFeeds() *quietFeeds {
	ch := make(chan client.FeedUpdate)
	close(ch)
	return &quietFeeds{ch: ch}
}

func (q *quietFeeds) Want([]string)                     {}
func (q *quietFeeds) Updates() <-chan client.FeedUpdate { return q.ch }

// simEngine is the real client with the run watch replaced by a quiet
// one: the real watch's updates channel blocks until a run finishes, and
// none does here, which would stall the synchronous driver.
type simEngine struct {
	*client.Client
	watch *quietRunWatch
}

func (e simEngine) WatchRuns(client.FeedOptions) client.RunWatcher { return e.watch }

// quietRunWatch reports the stream live once, as the real watch does when
// it opens, then closes its channel: no run ever finishes. It counts the
// ids it is asked to watch.
type quietRunWatch struct {
	ch      chan client.RunWatchUpdate
	mu      sync.Mutex
	watched int
}

func newQuietRunWatch() *quietRunWatch {
	ch := make(chan client.RunWatchUpdate, 1)
	ch <- client.RunWatchUpdate{State: client.FeedLive}
	close(ch)
	return &quietRunWatch{ch: ch}
}

func (w *quietRunWatch) Watch(ids ...string) {
	w.mu.Lock()
	w.watched += len(ids)
	w.mu.Unlock()
}
func (w *quietRunWatch) Forget(...string)                      {}
func (w *quietRunWatch) Updates() <-chan client.RunWatchUpdate { return w.ch }
func (w *quietRunWatch) Healthy()                              {}
func (w *quietRunWatch) Close()                                {}

// simEvent is a message due at a simulated time; seq keeps FIFO order.
type simEvent struct {
	at  time.Time
	seq int
	msg tea.Msg
}

type simQueue []simEvent

func (q simQueue) Len() int { return len(q) }
func (q simQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q simQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)   { *q = append(*q, x.(simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// budgetSim drives one model against one fake engine.
type budgetSim struct {
	tb    testing.TB
	srv   *fakeengine.Server
	m     Model
	now   time.Time
	queue simQueue
	seq   int
	steps int
}

// simulateBudget runs the model for minutes simulated minutes on a fresh
// fake engine of n tasks and counts the REST requests it makes.
func simulateBudget(tb testing.TB, n, minutes int) budgetResult {
	tb.Helper()
	srv, err := fakeengine.Start(fakeengine.Workload{Tasks: n, Now: t0})
	if err != nil {
		tb.Fatal(err)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := srv.Dial(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()

	// Colours, so the selected row can be told by its style.
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.ANSI)
	styles := ui.NewStyles(r)
	// --since and --refresh as main's defaults.
	watch := newQuietRunWatch()
	m := New(Deps{Engine: simEngine{Client: c, watch: watch}, Since: 30 * 24 * time.Hour, Refresh: 5 * time.Second, Now: t0,
		Styles: styles, Keys: keymap.Default(), Feeds: newQuietFeeds()})
	m.tick = func() tea.Cmd { return nil } // the driver ticks the simulated clock
	s := &budgetSim{tb: tb, srv: srv, m: m, now: t0}

	s.deliver(tea.WindowSizeMsg{Width: budgetWidth, Height: budgetHeight})
	s.run(s.m.Init())

	var res budgetResult
	last := srv.Counts()
	moved := false
	for sec := 1; sec <= minutes*60; sec++ {
		at := t0.Add(time.Duration(sec) * time.Second)
		s.drainBefore(at)
		if sec%60 == 0 {
			cur := srv.Counts()
			res.minutes = append(res.minutes, diff(cur, last))
			last = cur
		}
		s.now = at
		s.deliver(tickMsg(at))
		// Frames cost nothing in requests; one is drawn only to see the
		// list arrive.
		if !moved && strings.Contains(s.m.View(), "wait-event-labelled") {
			// The list is on screen: select the first event wait (every
			// tenth task, newest first), as a user watching it would.
			for range 9 {
				s.deliver(tea.KeyMsg{Type: tea.KeyDown})
			}
			moved = true
		}
	}
	if !moved {
		tb.Fatalf("the list never reached the screen in %d simulated minutes", minutes)
	}
	res.selected = selectedLine(s.m.View(), styles.Selected)
	watch.mu.Lock()
	res.watched = watch.watched
	watch.mu.Unlock()
	res.steady = map[string]int{}
	for i, mc := range res.minutes {
		total := 0
		for k, v := range mc {
			if !strings.HasPrefix(k, "grpc:") {
				total += v
				if i >= budgetSteadyFrom {
					res.steady[k] += v
				}
			}
		}
		res.perMinute = append(res.perMinute, total)
	}
	return res
}

// deliver applies one message at the current simulated time and runs the
// Cmds it returns.
func (s *budgetSim) deliver(msg tea.Msg) {
	s.steps++
	if s.steps > 50_000_000 {
		s.tb.Fatal("the simulation does not settle")
	}
	next, cmd := s.m.Update(msg)
	s.m = next.(Model)
	s.run(cmd)
}

// run executes a Cmd now, flattening batches, and queues its message for
// when its requests would have been answered.
func (s *budgetSim) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	before := s.srv.REST()
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		for _, c := range batch {
			s.run(c)
		}
		return
	}
	if msg == nil {
		return
	}
	s.seq++
	latency := time.Duration(s.srv.REST()-before) * budgetLatency
	heap.Push(&s.queue, simEvent{at: s.now.Add(latency), seq: s.seq, msg: msg})
}

// drainBefore delivers every queued message due before t, in time order.
func (s *budgetSim) drainBefore(t time.Time) {
	for len(s.queue) > 0 && s.queue[0].at.Before(t) {
		e := heap.Pop(&s.queue).(simEvent)
		if e.at.After(s.now) {
			s.now = e.at
		}
		s.deliver(e.msg)
	}
}

func diff(cur, last map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range cur {
		if d := v - last[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

// selectedLine is the frame's line drawn in the selected style, as text.
func selectedLine(frame string, selected lipgloss.Style) string {
	mark, _, _ := strings.Cut(selected.Render("x"), "x")
	for _, l := range strings.Split(frame, "\n") {
		if mark != "" && strings.Contains(l, mark) {
			return ansi.Strip(l)
		}
	}
	return ""
}
