package model

import (
	"slices"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/store"
	"github.com/hatchtop/hatchtop/ui"
)

// The scheduler's pacing. The README's "How hatchtop polls" states these.
const (
	maxLogFetches    = 4                // event-log requests in flight at once
	maxConfigFetches = 2                // task-config requests in flight at once
	visibleLogEvery  = 15 * time.Second // slow refresh of the logs of rows on screen that can change
	selectedLogEvery = 2 * time.Second  // the selected row's, while it can change
	overdueLogEvery  = 5 * time.Second  // re-check of a wait past its deadline
	errorRetryAfter  = 5 * time.Second  // a failed log or config fetch waits this long
	maxListBackoff   = 30 * time.Second // the longest wait between list retries

	// The off-screen request budget: fetches for tasks not on screen
	// (first sight, deadlines, changes) spend a token each; tokens come
	// back at this rate up to the burst, so 10,000 new tasks never cost
	// 10,000 requests at once.
	offscreenPerSecond = 1.0
	offscreenBurst     = 20.0
)

// scheduler is the bookkeeping of what is in flight and when the next list
// poll is due. It decides nothing by itself: Model.schedule reads it.
type scheduler struct {
	listInFlight bool
	listSentAt   time.Time // when the poll in flight was sent
	nextListAt   time.Time
	listFails    int
	// listSilentSince is when the first poll that ran out of time was
	// sent; zero once the engine answers a poll.
	listSilentSince time.Time

	probeInFlight bool
	nextProbeAt   time.Time
	healFeeds     bool // the engine answered: the feeds should stop backing off
	engineAway    bool // a request failed to reach the engine since it last answered

	versionInFlight bool
	versionRetryAt  time.Time

	firstPageSent bool // the newest page was asked for beside the first list

	logsInFlight   map[string]bool // by task id
	eventsInFlight map[string]bool // by task id
	configInFlight map[string]bool // by config key
	configRetryAt  map[string]time.Time
	configs        map[string]durable.Config // by config key

	// What is next due of the tasks off screen, by task id.
	dueLogs, dueEvents, dueConfigs *store.Due
	budget                         float64 // off-screen requests that may be sent now
	budgetAt                       time.Time
}

func newScheduler() scheduler {
	return scheduler{
		logsInFlight:   map[string]bool{},
		eventsInFlight: map[string]bool{},
		configInFlight: map[string]bool{},
		configRetryAt:  map[string]time.Time{},
		configs:        map[string]durable.Config{},
		dueLogs:        &store.Due{},
		dueEvents:      &store.Due{},
		dueConfigs:     &store.Due{},
	}
}

// listDone records the end of a list poll and when the next one is due:
// after the refresh interval, or after a growing backoff on failure.
func (s *scheduler) listDone(now time.Time, refresh time.Duration, failed bool) {
	s.listInFlight = false
	if !failed {
		s.listFails = 0
		s.nextListAt = now.Add(refresh)
		return
	}
	s.listFails++
	wait := refresh << min(s.listFails, 5)
	s.nextListAt = now.Add(min(wait, maxListBackoff))
}

// configKey groups tasks that share a configuration: the runs of one task
// definition of one workflow version. The definition is the task's action
// id when the engine gives it; display names are a poor key, as SDKs stamp
// them ("name-<timestamp>").
func configKey(t durable.Task) string {
	switch {
	case t.VersionID == "":
		return "task/" + t.ID
	case t.ActionID != "":
		return t.VersionID + "/" + t.ActionID
	}
	return t.VersionID + "/" + t.Name
}

// schedule returns the fetches due now: the active list every refresh, and
// event logs, task events and configs within small concurrency budgets.
// Its work is O(rows on screen + what is due): the rows on screen are
// looked at each time, every other task only when the due-queues say
// something of it is due, and those under a request budget.
func (m *Model) schedule() []tea.Cmd {
	var cmds []tea.Cmd
	s := &m.sched
	if !s.listInFlight && !m.now.Before(s.nextListAt) {
		s.listInFlight = true
		s.listSentAt = m.now
		if p, ok := m.paged(); ok {
			cmds = append(cmds, fetchScreen(p, m.screenQuery()))
		} else {
			cmds = append(cmds, fetchList(m.engine, m.now.Add(-m.since)))
			if c := m.scheduleFirstPage(); c != nil {
				cmds = append(cmds, c)
			}
		}
	}
	if p, ok := m.paged(); ok {
		if c := m.schedulePass(p); c != nil {
			cmds = append(cmds, c)
		}
	}
	cmds = append(cmds, m.scheduleHealth()...)
	if m.version == "" && m.conn.Kind != ui.Failed && !s.versionInFlight && !m.now.Before(s.versionRetryAt) {
		s.versionInFlight = true
		cmds = append(cmds, fetchVersion(m.engine))
	}
	visible := m.visibleIDs()
	for _, id := range visible {
		cmds = m.scheduleTask(cmds, id, true)
	}
	for _, w := range m.watches {
		for _, id := range w.p.wakes {
			cmds = m.scheduleTask(cmds, id, slices.Contains(visible, id))
		}
		for _, id := range w.p.taskIDs {
			cmds = m.scheduleTask(cmds, id, slices.Contains(visible, id))
		}
	}
	cmds = m.scheduleDue(cmds, visible)
	cmds = append(cmds, m.scheduleRunWatch()...)
	return append(cmds, m.scheduleDetail()...)
}

// A fetch kind is one of the per-task fetches the scheduler paces: the
// event log, the lifecycle events, the shared configuration.
type fetchKind int

const (
	fetchLogKind fetchKind = iota
	fetchEventsKind
	fetchConfigKind
)

var fetchKinds = [...]fetchKind{fetchLogKind, fetchEventsKind, fetchConfigKind}

// room reports whether another fetch of kind k may be in flight.
func (s *scheduler) room(k fetchKind) bool {
	switch k {
	case fetchLogKind:
		return len(s.logsInFlight) < maxLogFetches
	case fetchEventsKind:
		return len(s.eventsInFlight) < maxEventFetches
	}
	return len(s.configInFlight) < maxConfigFetches
}

// queue is the due-queue of the tasks off screen for kind k.
func (s *scheduler) queue(k fetchKind) *store.Due {
	switch k {
	case fetchLogKind:
		return s.dueLogs
	case fetchEventsKind:
		return s.dueEvents
	}
	return s.dueConfigs
}

// retryAt is when a failed fetch of kind k for t may be tried again.
func (m *Model) retryAt(k fetchKind, t *taskState) time.Time {
	switch k {
	case fetchLogKind:
		return t.retryAt
	case fetchEventsKind:
		return t.eventsRetryAt
	}
	return m.sched.configRetryAt[t.cfgKey]
}

// startIfDue marks a fetch of kind k for t in flight and returns it, when
// one is due.
func (m *Model) startIfDue(k fetchKind, t *taskState, visible bool) (tea.Cmd, bool) {
	s, id := &m.sched, t.task.ID
	switch k {
	case fetchLogKind:
		if m.logDue(t, visible) {
			s.logsInFlight[id] = true
			return fetchLog(m.engine, id), true
		}
	case fetchEventsKind:
		if m.eventsDue(t, visible) {
			s.eventsInFlight[id] = true
			return fetchEvents(m.engine, id), true
		}
	case fetchConfigKind:
		if m.configDue(t) {
			s.configInFlight[t.cfgKey] = true
			return fetchConfig(m.engine, t.cfgKey, id), true
		}
	}
	return nil, false
}

// scheduleTask adds the fetches due for one task.
func (m *Model) scheduleTask(cmds []tea.Cmd, id string, visible bool) []tea.Cmd {
	t, ok := m.tasks[id]
	if !ok {
		return cmds
	}
	for _, k := range fetchKinds {
		if !m.sched.room(k) {
			continue
		}
		if c, ok := m.startIfDue(k, t, visible); ok {
			cmds = append(cmds, c)
		}
	}
	return cmds
}

// configDue reports whether the configuration a task shares is unknown
// and may be fetched now.
func (m *Model) configDue(t *taskState) bool {
	s := &m.sched
	_, known := s.configs[t.cfgKey]
	return !known && !s.configInFlight[t.cfgKey] && !m.now.Before(s.configRetryAt[t.cfgKey])
}

// scheduleDue pops the due-queues of the tasks off screen, within the
// concurrency budgets and the off-screen request budget. A popped id is
// checked against the task's state: what is no longer due is dropped (the
// answer in flight, or the next change, queues it again). Rows on screen
// are scheduled by scheduleTask; a configuration is shared, so its queue
// serves them too.
func (m *Model) scheduleDue(cmds []tea.Cmd, visible []string) []tea.Cmd {
	s := &m.sched
	s.refillBudget(m.now)
	for _, k := range fetchKinds {
		q := s.queue(k)
		for s.budget >= 1 && s.room(k) {
			id, ok := q.PopDue(m.now)
			if !ok {
				break
			}
			t, ok := m.tasks[id]
			if !ok || (k != fetchConfigKind && slices.Contains(visible, id)) {
				continue
			}
			if at := m.retryAt(k, t); m.now.Before(at) {
				q.Add(id, at)
				continue
			}
			if c, ok := m.startIfDue(k, t, false); ok {
				s.budget--
				cmds = append(cmds, c)
			}
		}
	}
	return cmds
}

// refillBudget adds the off-screen requests earned since the last refill.
func (s *scheduler) refillBudget(now time.Time) {
	if s.budgetAt.IsZero() {
		s.budget, s.budgetAt = offscreenBurst, now
		return
	}
	if now.After(s.budgetAt) {
		s.budget = min(s.budget+now.Sub(s.budgetAt).Seconds()*offscreenPerSecond, offscreenBurst)
		s.budgetAt = now
	}
}

// queueTask queues every per-task fetch of a task as due at once: it is
// new, or a signal (status, eviction, its feed, an action) says it changed.
func (m *Model) queueTask(id string) {
	m.sched.dueLogs.Add(id, m.now)
	m.sched.dueEvents.Add(id, m.now)
}

// queueAfterLog queues a task's next log fetch from what its log says: at
// the deadline of its earliest sleep, then briskly while that is overdue.
// A task with no deadline is refetched off screen only on a signal.
func (m *Model) queueAfterLog(t *taskState) {
	w, ok := durable.NextDeadline(t.waits)
	switch {
	case !ok:
	case w.Overdue(m.now):
		m.sched.dueLogs.Add(t.task.ID, m.now.Add(overdueLogEvery))
	default:
		m.sched.dueLogs.Add(t.task.ID, w.Deadline)
	}
}

// logDue decides whether a task's event log should be fetched now.
func (m *Model) logDue(t *taskState, visible bool) bool {
	if !t.task.Durable || m.sched.logsInFlight[t.task.ID] || m.now.Before(t.retryAt) {
		return false
	}
	if t.logAt.IsZero() || t.stale {
		return true
	}
	if w, ok := durable.NextDeadline(t.waits); ok && w.Overdue(m.now) {
		// Once right after the deadline, then at a brisk pace until the
		// engine reports the wait satisfied.
		if t.logAt.Before(w.Deadline) || m.now.Sub(t.logAt) >= overdueLogEvery {
			return true
		}
	}
	if len(m.watches) > 0 && m.watching(t.task.ID) && m.now.Sub(t.logAt) >= watchLogEvery {
		return true // an action waits to see its effect
	}
	if !visible || !m.canChange(t) {
		return false
	}
	since := m.now.Sub(t.logAt)
	return since >= visibleLogEvery || (t.task.ID == m.selectedID && since >= selectedLogEvery)
}

// canChange reports whether a task's log can change without a signal: it
// runs and is not asleep until a known deadline. A queued task, an evicted
// one, or one whose every open wait is a plain sleep that has not ended
// only changes with its status, its eviction or its feed, which mark it
// stale.
func (m *Model) canChange(t *taskState) bool {
	if t.task.Status != durable.StatusRunning || t.task.Evicted {
		return false
	}
	if len(t.waits) == 0 {
		return true
	}
	for _, w := range t.waits {
		if len(w.EventKeys) > 0 || w.Deadline.IsZero() || !m.now.Before(w.Deadline) {
			return true
		}
	}
	return false
}
