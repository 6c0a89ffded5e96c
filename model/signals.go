package model

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
)

// Event signals: a wait for an event changes only when an event with its
// key arrives (or its sleep ends, or its status changes, which other
// signals cover). The engine lists the events pushed to it, for the
// whole tenant in one request, so instead of polling the event log of
// every waiting task hatchtop polls that list while some known task waits
// for an event, and re-reads the logs of the tasks waiting on a key that
// showed up. The selected row is still read every 2 s: the list is polled
// every 12 s, and the selected row's staleness bound is 2 s.
//
// The README's "How hatchtop polls and listens" states these figures.
const (
	signalsEvery   = 12 * time.Second // the events list's poll; with the log fetch, a wait on screen shows its end within 15 s
	signalsRows    = 100              // events per poll at most
	signalsOverlap = 15 * time.Second // asked again: the engine's queue and clock skew
	signalsRetry   = time.Minute      // after the events list failed: event waits are polled meanwhile
	signalsRecheck = 5 * time.Second  // a woken task is read once more, in case the match came late
)

// eventLister is an engine that lists the tenant's recent events
// (*client.Client.RecentEvents).
type eventLister interface {
	RecentEvents(ctx context.Context, since time.Time, limit int) ([]engine.SeenEvent, error)
}

// signalState is the events list's poll and the open waits by key.
type signalState struct {
	inFlight bool
	nextAt   time.Time
	newest   time.Time            // the newest event seen; the next poll starts signalsOverlap before it
	seen     map[string]time.Time // event ids applied, by when they were seen, kept for the overlap
	working  bool                 // the last poll answered: event waits need no polling of their own
	byKey    map[string]map[string]bool
}

func newSignalState() *signalState {
	return &signalState{seen: map[string]time.Time{}, byKey: map[string]map[string]bool{}}
}

// signalsMsg carries one poll of the events list.
type signalsMsg struct {
	since  time.Time
	events []engine.SeenEvent
	err    error
}

func fetchSignals(e eventLister, since time.Time) tea.Cmd {
	return request(func(ctx context.Context) ([]engine.SeenEvent, error) { return e.RecentEvents(ctx, since, signalsRows) },
		func(events []engine.SeenEvent, err error) tea.Msg {
			return signalsMsg{since: since, events: events, err: err}
		})
}

// signalsWork reports whether the events list stands in for polling the
// tasks that wait for events.
func (m *Model) signalsWork() bool { return m.signals != nil && m.signals.working }

// scheduleSignals polls the events list when it is due and some known task
// waits for an event.
func (m *Model) scheduleSignals() tea.Cmd {
	sg := m.signals
	e, ok := m.engine.(eventLister)
	if !ok || sg == nil || sg.inFlight || len(sg.byKey) == 0 || m.now.Before(sg.nextAt) || !m.sched.requests.ok() {
		return nil
	}
	m.sched.requests.take()
	sg.inFlight = true
	since := m.now.Add(-signalsOverlap)
	if !sg.newest.IsZero() && sg.newest.Add(-signalsOverlap).Before(since) {
		since = sg.newest.Add(-signalsOverlap)
	}
	return fetchSignals(e, since)
}

// onSignals applies one poll: every task waiting on the key of an event
// not seen before is re-read now and once more a moment later.
func (m *Model) onSignals(msg signalsMsg) {
	sg := m.signals
	sg.inFlight = false
	if msg.err != nil {
		sg.working = false // event waits on screen are polled until it answers
		sg.nextAt = m.now.Add(signalsRetry)
		return
	}
	sg.working = true
	sg.nextAt = m.now.Add(signalsEvery)
	// However many tasks one poll wakes, their reads go through the
	// scheduler's budgets: rows on screen first, the rest at the pace of
	// the changed tasks off screen.
	for _, e := range msg.events {
		if _, ok := sg.seen[e.ID]; ok || e.ID == "" {
			continue
		}
		sg.seen[e.ID] = e.SeenAt
		if e.SeenAt.After(sg.newest) {
			sg.newest = e.SeenAt
		}
		for id := range sg.byKey[e.Key] {
			m.wake(id)
		}
	}
	for id, at := range sg.seen { // bounded by the events of one overlap
		if at.Before(msg.since.Add(-signalsOverlap)) {
			delete(sg.seen, id)
		}
	}
}

// wake marks a task whose wait an event may have satisfied.
func (m *Model) wake(id string) {
	st, ok := m.tasks[id]
	if !ok {
		return
	}
	st.stale = true
	st.recheckAt = m.now.Add(signalsRecheck)
	m.queueChanged(id)
}

// indexWaits keeps the tasks by the keys of their open waits, as a task's
// waits change.
func (m *Model) indexWaits(id string, old, now []durable.Wait) {
	sg := m.signals
	if sg == nil {
		return
	}
	for _, w := range old {
		for _, k := range w.EventKeys {
			if ids := sg.byKey[k]; ids != nil {
				delete(ids, id)
				if len(ids) == 0 {
					delete(sg.byKey, k)
				}
			}
		}
	}
	for _, w := range now {
		for _, k := range w.EventKeys {
			if sg.byKey[k] == nil {
				sg.byKey[k] = map[string]bool{}
			}
			sg.byKey[k][id] = true
		}
	}
}

// waitsForEvent reports whether one of a task's open waits has an event key.
func waitsForEvent(t *taskState) bool {
	for _, w := range t.waits {
		if len(w.EventKeys) > 0 {
			return true
		}
	}
	return false
}
