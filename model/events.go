package model

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
)

// The pacing of task-event fetches, which rebuild the time to timeout and
// the eviction state of waiting tasks.
const maxEventFetches = 2

// eventsMsg carries one fetch of a task's lifecycle events.
type eventsMsg struct {
	taskID string
	events []durable.TaskEvent
	err    error
}

func fetchEvents(e engine.Engine, taskID string) tea.Cmd {
	return request(func(ctx context.Context) ([]durable.TaskEvent, error) { return e.TaskEvents(ctx, taskID) },
		func(events []durable.TaskEvent, err error) tea.Msg {
			return eventsMsg{taskID: taskID, events: events, err: err}
		})
}

func (m *Model) onEvents(msg eventsMsg) {
	delete(m.sched.eventsInFlight, msg.taskID)
	st, ok := m.tasks[msg.taskID]
	if !ok {
		return
	}
	st.eventsAt = m.now
	if msg.err != nil {
		// Still wanted: fetched again once the retry delay has passed.
		st.eventsRetryAt, st.eventsStale = m.now.Add(errorRetryAfter), true
		return
	}
	st.events, st.eventsStale = msg.events, false
	m.rebuildDeadline(st)
}

// eventsDue decides whether a task's events should be fetched: every
// running task has an execution timeout, durable or not, waiting or not,
// and the list's TIMEOUT shows what the detail does. The timeout only
// moves on an assignment or a TIMEOUT_REFRESHED, so the events are fetched
// on first sight and on a signal (a wait opened, a status or eviction
// change, hatchtop's own refresh), never on a timer.
func (m *Model) eventsDue(t *taskState, _ bool) bool {
	if t.task.Status != durable.StatusRunning ||
		m.sched.eventsInFlight[t.task.ID] || m.now.Before(t.eventsRetryAt) {
		return false
	}
	return t.eventsAt.IsZero() || t.eventsStale
}

// rebuildDeadline recomputes a task's execution deadline from its events,
// its configuration and the last RefreshTimeout answer. It runs when one
// of those changes, not on every frame.
func (m *Model) rebuildDeadline(t *taskState) {
	t.deadline, t.deadlineOK = time.Time{}, false
	if cfg, ok := m.sched.configs[t.cfgKey]; ok && len(t.events) > 0 {
		t.deadline, t.deadlineOK = durable.TimeoutAt(cfg, t.events)
	}
	// The engine's own answer to a refresh stands until the events show
	// as much, even while they have not loaded.
	if t.timeoutHint.After(t.deadline) {
		t.deadline, t.deadlineOK = t.timeoutHint, true
	}
	m.syncSortKeys(t)
	m.syncWorker(t)
}

// timeoutAt is a running task's execution deadline, when known.
func (m Model) timeoutAt(t *taskState) (time.Time, bool) {
	if t.task.Status != durable.StatusRunning {
		return time.Time{}, false
	}
	return t.deadline, t.deadlineOK
}
