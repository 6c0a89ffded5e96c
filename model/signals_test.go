package model

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
)

// signalEngine is the fake engine with the tenant's events list.
type signalEngine struct {
	*fake.Engine
	mu     sync.Mutex
	events []client.SeenEvent
	err    error
	polls  int
}

func (e *signalEngine) RecentEvents(_ context.Context, since time.Time, _ int) ([]client.SeenEvent, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.polls++
	if e.err != nil {
		return nil, e.err
	}
	var out []client.SeenEvent
	for _, ev := range e.events {
		if !ev.SeenAt.Before(since) {
			out = append(out, ev)
		}
	}
	return out, nil
}

func (e *signalEngine) push(id, key string, at time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = append(e.events, client.SeenEvent{ID: id, Key: key, SeenAt: at})
}

func (e *signalEngine) fail(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.err = err
}

func (e *signalEngine) pollCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.polls
}

func signalModel(t *testing.T, e *signalEngine) Model {
	t.Helper()
	m := newTestModel(e.Engine)
	m.engine = e
	return step(t, m, startMsg{})
}

// Three event waits, "sel" selected, "row" on screen, and 200 sleepers
// after them: only "sel" is polled while the events list works; an event
// on "row"'s key reads its log at once and once more a moment later.
func TestEventWaitsOnScreenAreReadWhenTheirEventComesNotOnATimer(t *testing.T) {
	f := fake.New()
	tasks := []durable.Task{durableTask("sel", "a", -time.Second), durableTask("row", "b", -2*time.Second)}
	f.SetLog("sel", eventEntry(1, "approval", t0, "approve"))
	f.SetLog("row", eventEntry(1, "shipping", t0, "ship"))
	f.SetTasks(tasks...)
	e := &signalEngine{Engine: f}
	m := signalModel(t, e)
	m = ticks(t, m, time.Second, 60*time.Second)
	if n := f.Calls("EventLog:row"); n != 1 {
		t.Fatalf("an event wait on screen was read %d times in a minute without its event, want once", n)
	}
	if n := f.Calls("EventLog:sel"); n < 29 {
		t.Fatalf("the selected event wait was read %d times in a minute, want one every 2 s", n)
	}
	if n := e.pollCount(); n < 4 || n > 6 {
		t.Fatalf("the events list was polled %d times in a minute, want one every %s", n, signalsEvery)
	}
	// The event comes; the engine has matched it by the time it lists it.
	f.SetLog("row", durable.Entry{NodeID: 1, BranchID: 1, Kind: durable.EntryWaitFor, Label: "shipping",
		InsertedAt: t0, Satisfied: true, Conditions: []durable.Condition{{Kind: durable.CondEvent, EventKey: "ship"}}},
		sleepEntry(2, "cool down", t0.Add(61*time.Second), time.Hour))
	e.push("ev1", "ship", t0.Add(61*time.Second))
	m = ticks(t, m, 61*time.Second, 61*time.Second+signalsEvery+2*time.Second)
	if n := f.Calls("EventLog:row"); n != 2 {
		t.Fatalf("the event on its key read the row's log %d times, want once more", n)
	}
	if ws := m.tasks["row"].waits; len(ws) != 1 || ws[0].Label != "cool down" {
		t.Fatalf("the row does not show its next wait: %v", ws)
	}
	// Nothing left to wake: no recheck, and the event is not applied twice
	// although the overlap lists it again.
	_ = ticks(t, m, 61*time.Second+signalsEvery+3*time.Second, 120*time.Second)
	if n := f.Calls("EventLog:row"); n != 2 {
		t.Fatalf("the row was read %d times after its wait ended, want no more", n)
	}
}

// A match that lands after the first read: the woken task is read once
// more, signalsRecheck later.
func TestAWokenTaskIsReadOnceMoreInCaseTheMatchCameLate(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("sel", "a", -time.Second), durableTask("row", "b", -2*time.Second))
	f.SetLog("sel", sleepEntry(1, "nap", t0, time.Hour))
	f.SetLog("row", eventEntry(1, "shipping", t0, "ship"))
	e := &signalEngine{Engine: f}
	m := signalModel(t, e)
	m = ticks(t, m, time.Second, 20*time.Second)
	e.push("ev1", "ship", t0.Add(20*time.Second))
	// The events list shows it within signalsEvery; the log still shows
	// the wait open, so it is read once more signalsRecheck later, and
	// then left alone.
	m = ticks(t, m, 21*time.Second, 21*time.Second+signalsEvery+signalsRecheck)
	if n := f.Calls("EventLog:row"); n != 3 {
		t.Fatalf("the event read the row %d times, want twice (at once, and once more)", n-1)
	}
	_ = ticks(t, m, 22*time.Second+signalsEvery+signalsRecheck, 90*time.Second)
	if n := f.Calls("EventLog:row"); n != 3 {
		t.Fatalf("the woken row was read %d times in all, want 3", n)
	}
}

// Off screen too: an event wait far below the screen is read when its
// event comes, which no poll of the rows on screen would do.
func TestAnEventWakesAWaitOffScreen(t *testing.T) {
	f := fake.New()
	var tasks []durable.Task
	for i := range 60 {
		id := "s" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		tasks = append(tasks, durableTask(id, "sleep", -time.Duration(i+1)*time.Second))
		f.SetLog(id, sleepEntry(1, "nap", t0, time.Hour))
	}
	low := durableTask("low", "wait", -time.Hour)
	tasks = append(tasks, low)
	f.SetLog("low", eventEntry(1, "shipping", t0, "ship"))
	f.SetTasks(tasks...)
	e := &signalEngine{Engine: f}
	m := signalModel(t, e)
	m.push(&inboxScreen{}) // first sights go faster while the inbox is open
	m = ticks(t, m, time.Second, 120*time.Second)
	if m.tasks["low"].logAt.IsZero() || len(m.tasks["low"].waits) != 1 {
		t.Fatal("the wait off screen was never read")
	}
	m.pop()
	read := f.Calls("EventLog:low")
	e.push("ev1", "ship", t0.Add(120*time.Second))
	_ = ticks(t, m, 121*time.Second, 121*time.Second+signalsEvery+signalsRecheck)
	if n := f.Calls("EventLog:low"); n != read+2 {
		t.Fatalf("the event read the wait off screen %d times, want twice (at once, and once more)", n-read)
	}
}

// When the engine refuses the events list, the event waits on screen are
// polled as before, every 15 s.
func TestWithoutTheEventsListEventWaitsOnScreenArePolled(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("sel", "a", -time.Second), durableTask("row", "b", -2*time.Second))
	f.SetLog("sel", eventEntry(1, "approval", t0, "approve"))
	f.SetLog("row", eventEntry(1, "shipping", t0, "ship"))
	e := &signalEngine{Engine: f}
	e.fail(errors.New("403 forbidden"))
	m := signalModel(t, e)
	_ = ticks(t, m, time.Second, 30*time.Second)
	if n := f.Calls("EventLog:row"); n != 3 {
		t.Fatalf("an event wait on screen was read %d times in 30 s without the events list, want every 15 s", n)
	}
}

// One event on a key that many tasks wait for wakes every one of them,
// through the budgets: none is left out, however many.
func TestOneEventWakesEveryTaskWaitingOnItsKey(t *testing.T) {
	f := fake.New()
	var tasks []durable.Task
	var ids []string
	for i := range 80 {
		id := "w" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		tasks = append(tasks, durableTask(id, "wait", -time.Duration(i+1)*time.Second))
		f.SetLog(id, eventEntry(1, "shipping", t0, "ship"))
		f.SetConfig(id, durable.Config{})
		ids = append(ids, id)
	}
	f.SetTasks(tasks...)
	e := &signalEngine{Engine: f}
	m := signalModel(t, e)
	m.push(&inboxScreen{})
	m = ticks(t, m, time.Second, 400*time.Second)
	before := callsOf(f, "EventLog", ids)
	for _, id := range ids {
		if m.tasks[id].logAt.IsZero() {
			t.Fatalf("%s was never read", id)
		}
	}
	e.push("ev1", "ship", t0.Add(400*time.Second))
	m = ticks(t, m, 401*time.Second, 600*time.Second)
	for _, id := range ids {
		if m.tasks[id].logAt.Before(t0.Add(400 * time.Second)) {
			t.Fatalf("%s was not read after the event on its key", id)
		}
	}
	if n := callsOf(f, "EventLog", ids) - before; n < len(ids) {
		t.Fatalf("%d reads after the event, want at least one for each of %d tasks", n, len(ids))
	}
}
