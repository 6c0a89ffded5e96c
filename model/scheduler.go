package model

import (
	"slices"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/store"
	"github.com/hatchtop/hatchtop/ui"
)

// The scheduler's pacing. The README's "How hatchtop polls and listens"
// states these.
const (
	maxLogFetches    = 4                // event-log requests in flight at once
	maxConfigFetches = 2                // task-config requests in flight at once
	visibleLogEvery  = 15 * time.Second // slow refresh of the logs of rows on screen that can change
	selectedLogEvery = 2 * time.Second  // the selected row's, while it can change
	overdueLogEvery  = 5 * time.Second  // re-check of a wait past its deadline
	errorRetryAfter  = 5 * time.Second  // a failed log or config fetch waits this long
	maxListBackoff   = 30 * time.Second // the longest wait between list retries

	// The request budget of what the scheduler sends over REST beside the
	// list's poll (logs, events, configs, the events list, the
	// reconciliation; not actions, the open detail or the health probe):
	// a token bucket, so no minute ever holds more than requestBurst + 60 ×
	// requestsPerSecond of them (100), whatever the tenant's size; with the
	// list every 5 s, 112 in all. The steady state needs less than half of
	// it; the burst is the first screen's logs at once. The list's poll
	// is not in it: it keeps the user's --refresh.
	requestsPerSecond = 1.0
	requestBurst      = 40.0

	// Off screen, two smaller budgets inside that one: a task that changed
	// (a signal, a deadline, a retry) is re-read briskly; a task merely
	// seen for the first time is read slowly, so 10,000 new tasks cost a
	// few requests a minute, not 10,000 at once. While the inbox is open,
	// first sights are what it shows, and go faster.
	changedPerSecond      = 1.0
	changedBurst          = 10.0
	firstSightPerSecond   = 0.1
	firstSightInboxPerSec = 0.7
	firstSightBurst       = 5.0
)

// bucket is a token bucket on the model's clock.
type bucket struct {
	tokens float64
	at     time.Time
}

// refill adds what was earned since the last refill at rate, up to burst;
// the first refill starts full.
func (b *bucket) refill(now time.Time, rate, burst float64) {
	if b.at.IsZero() {
		b.tokens, b.at = burst, now
		return
	}
	if now.After(b.at) {
		b.tokens = min(b.tokens+now.Sub(b.at).Seconds()*rate, burst)
		b.at = now
	}
}

func (b *bucket) ok() bool { return b.tokens >= 1 }
func (b *bucket) take()    { b.tokens-- }

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

	// What is next due of the tasks off screen, by task id: logs of tasks
	// that changed or reach a deadline, logs of tasks never read, configs.
	dueLogs, dueFirst, dueConfigs *store.Due
	requests                      bucket // every scheduled REST request beside the list's poll
	changed, firstSight           bucket // off screen, inside requests
}

func newScheduler() scheduler {
	return scheduler{
		logsInFlight:   map[string]bool{},
		eventsInFlight: map[string]bool{},
		configInFlight: map[string]bool{},
		configRetryAt:  map[string]time.Time{},
		configs:        map[string]durable.Config{},
		dueLogs:        &store.Due{},
		dueFirst:       &store.Due{},
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
// something of it is due, and those under a request budget. What matters
// most asks first, as the request budget may run out on the way: the
// list, the selected row, the reconciliation and the events list, the
// rest of the screen, then everything else.
func (m *Model) schedule() []tea.Cmd {
	var cmds []tea.Cmd
	s := &m.sched
	s.requests.refill(m.now, requestsPerSecond, requestBurst)
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
	cmds = append(cmds, m.scheduleHealth()...)
	if m.version == "" && m.conn.Kind != ui.Failed && !s.versionInFlight && !m.now.Before(s.versionRetryAt) {
		s.versionInFlight = true
		cmds = append(cmds, fetchVersion(m.engine))
	}
	visible := m.visibleIDs()
	if m.selectedID != "" && slices.Contains(visible, m.selectedID) {
		cmds = m.scheduleTask(cmds, m.selectedID, true)
	}
	// Membership and the events list are a few requests a minute that
	// stand in for many: they go before the rows' own polls.
	if p, ok := m.paged(); ok {
		if c := m.schedulePass(p); c != nil {
			cmds = append(cmds, c)
		}
	}
	if c := m.scheduleSignals(); c != nil {
		cmds = append(cmds, c)
	}
	if c := m.scheduleWorkers(); c != nil { // only while its screen is on show
		cmds = append(cmds, c)
	}
	// Finished rows on screen and missed finishes: one read each, and few
	// (the push tells the rest), so before the rows' polls (finished.go).
	cmds = m.scheduleFinal(cmds, visible)
	cmds = m.scheduleMissed(cmds)
	// The rows' logs (their labels and countdowns) before their events
	// and configs (the timeout and attempt columns): when the budget is
	// short, as at first sight, every row on screen gets its label first.
	for _, id := range visible {
		cmds = m.scheduleTask(cmds, id, true, fetchLogKind)
	}
	for _, id := range visible {
		cmds = m.scheduleTask(cmds, id, true, fetchEventsKind, fetchConfigKind)
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

// retryAt is when a failed off-screen fetch of kind k (a log or a
// configuration) for t may be tried again.
func (m *Model) retryAt(k fetchKind, t *taskState) time.Time {
	if k == fetchLogKind {
		return t.retryAt
	}
	return m.sched.configRetryAt[t.cfgKey]
}

// startIfDue marks a fetch of kind k for t in flight and returns it, when
// one is due.
func (m *Model) startIfDue(k fetchKind, t *taskState, visible bool) (tea.Cmd, bool) {
	s := &m.sched
	if !s.requests.ok() {
		return nil, false
	}
	cmd := m.startFetch(k, t, visible)
	if cmd == nil {
		return nil, false
	}
	s.requests.take()
	return cmd, true
}

// startFetch is startIfDue without the request budget.
func (m *Model) startFetch(k fetchKind, t *taskState, visible bool) tea.Cmd {
	s, id := &m.sched, t.task.ID
	if t.finished() {
		return nil // nothing of a finished task changes: no polls (finished.go; the open detail reads it once)
	}
	switch k {
	case fetchLogKind:
		if m.logDue(t, visible) {
			s.logsInFlight[id] = true
			return fetchLog(m.engine, id)
		}
	case fetchEventsKind:
		if m.eventsDue(t, visible) {
			s.eventsInFlight[id] = true
			return fetchEvents(m.engine, id)
		}
	case fetchConfigKind:
		if m.configDue(t) {
			s.configInFlight[t.cfgKey] = true
			return fetchConfig(m.engine, t.cfgKey, id)
		}
	}
	return nil
}

// scheduleTask adds the fetches due for one task.
func (m *Model) scheduleTask(cmds []tea.Cmd, id string, visible bool, kinds ...fetchKind) []tea.Cmd {
	t, ok := m.tasks[id]
	if !ok {
		return cmds
	}
	if len(kinds) == 0 {
		kinds = fetchKinds[:]
	}
	for _, k := range kinds {
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

// An off-screen queue is a due-queue of one fetch kind drained under one
// of the off-screen budgets.
type offscreenQueue struct {
	kind   fetchKind
	due    *store.Due
	budget *bucket
}

// offscreen lists the off-screen queues, most urgent first. Task events
// are not among them: they feed the TIMEOUT column, which only rows on
// screen show, so a row reads them when it comes on screen.
func (s *scheduler) offscreen() [3]offscreenQueue {
	return [3]offscreenQueue{
		{fetchLogKind, s.dueLogs, &s.changed},
		{fetchConfigKind, s.dueConfigs, &s.changed},
		{fetchLogKind, s.dueFirst, &s.firstSight},
	}
}

// scheduleDue pops the due-queues of the tasks off screen, within the
// concurrency budgets and the off-screen request budgets. A popped id is
// checked against the task's state: what is no longer due is dropped (the
// answer in flight, or the next change, queues it again). Rows on screen
// are scheduled by scheduleTask; a configuration is shared, so its queue
// serves them too.
func (m *Model) scheduleDue(cmds []tea.Cmd, visible []string) []tea.Cmd {
	s := &m.sched
	s.changed.refill(m.now, changedPerSecond, changedBurst)
	rate := firstSightPerSecond
	if m.inbox() != nil {
		rate = firstSightInboxPerSec // the inbox shows how many were read
	}
	s.firstSight.refill(m.now, rate, firstSightBurst)
	for _, q := range s.offscreen() {
		for q.budget.ok() && s.requests.ok() && s.room(q.kind) {
			id, ok := q.due.PopDue(m.now)
			if !ok {
				break
			}
			t, ok := m.tasks[id]
			if !ok || (q.kind != fetchConfigKind && slices.Contains(visible, id)) {
				continue
			}
			if at := m.retryAt(q.kind, t); m.now.Before(at) {
				q.due.Add(id, at)
				continue
			}
			if c, ok := m.startIfDue(q.kind, t, false); ok {
				q.budget.take()
				cmds = append(cmds, c)
			}
		}
	}
	return cmds
}

// queueFirstSight queues the first read of a task's log, off screen: the
// slow budget's.
func (m *Model) queueFirstSight(id string) {
	m.sched.dueFirst.Add(id, m.now)
}

// queueChanged queues a task's log as due at once: a signal (status,
// eviction, its feed, an action, an event on a key it waits for) says it
// changed.
//
// A task whose log was never read stays in the first-sight queue: that
// first read tells all a change could, and a tenant whose tasks flip
// (REST reads a sleeping durable task as QUEUED for a moment) would
// otherwise read them at the changed budget's pace, not the first sight's.
func (m *Model) queueChanged(id string) {
	if st, ok := m.tasks[id]; ok && st.logAt.IsZero() {
		m.queueFirstSight(id)
		return
	}
	m.sched.dueLogs.Add(id, m.now)
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
	if !t.recheckAt.IsZero() && !m.now.Before(t.recheckAt) {
		return true // an event woke it: read once more in case the match came late
	}
	if len(m.watches) > 0 && m.watching(t.task.ID) && m.now.Sub(t.logAt) >= watchLogEvery {
		return true // an action waits to see its effect
	}
	if !visible {
		return false
	}
	since := m.now.Sub(t.logAt)
	if t.task.ID == m.selectedID {
		// The selected row's waits for events are read directly: the
		// events list is polled every 12 s, the selected row's bound is 2 s.
		return since >= selectedLogEvery && (m.canChange(t) || (waitsForEvent(t) && m.runningAwake(t)))
	}
	return since >= visibleLogEvery && m.canChange(t)
}

// canChange reports whether a task's log can change without a signal: it
// runs and is not asleep until a known deadline. A queued task, an evicted
// one, or one whose every open wait is a plain sleep that has not ended
// only changes with its status, its eviction or its feed, which mark it
// stale. A wait for an event changes when the event comes, which the
// events list signals while it answers (signals.go).
func (m *Model) canChange(t *taskState) bool {
	if !m.runningAwake(t) {
		return false
	}
	if len(t.waits) == 0 {
		return true
	}
	for _, w := range t.waits {
		if len(w.EventKeys) > 0 && !m.signalsWork() {
			return true
		}
		if len(w.EventKeys) == 0 && (w.Deadline.IsZero() || !m.now.Before(w.Deadline)) {
			return true
		}
	}
	return false
}

// runningAwake reports whether a task runs and is not evicted.
func (m *Model) runningAwake(t *taskState) bool {
	return t.task.Status == durable.StatusRunning && !t.task.Evicted
}
