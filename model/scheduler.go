package model

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/ui"
)

// The scheduler's pacing. The README's "How hatchtop polls" states these.
const (
	maxLogFetches    = 4                // event-log requests in flight at once
	maxConfigFetches = 2                // task-config requests in flight at once
	visibleLogEvery  = 15 * time.Second // slow refresh of the logs of rows on screen
	overdueLogEvery  = 5 * time.Second  // re-check of a wait past its deadline
	errorRetryAfter  = 5 * time.Second  // a failed log or config fetch waits this long
	maxListBackoff   = 30 * time.Second // the longest wait between list retries
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

	logsInFlight   map[string]bool // by task id
	eventsInFlight map[string]bool // by task id
	configInFlight map[string]bool // by config key
	configRetryAt  map[string]time.Time
	configs        map[string]durable.Config // by config key
}

func newScheduler() scheduler {
	return scheduler{
		logsInFlight:   map[string]bool{},
		eventsInFlight: map[string]bool{},
		configInFlight: map[string]bool{},
		configRetryAt:  map[string]time.Time{},
		configs:        map[string]durable.Config{},
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
// of one workflow version.
func configKey(t durable.Task) string {
	if t.VersionID == "" {
		return "task/" + t.ID
	}
	return t.VersionID + "/" + t.Name
}

// schedule returns the fetches due now: the active list every refresh, and
// event logs and configs by priority (rows on screen first) within small
// concurrency budgets, so there is never one request per task per tick nor
// two identical requests in flight.
func (m *Model) schedule() []tea.Cmd {
	var cmds []tea.Cmd
	s := &m.sched
	if !s.listInFlight && !m.now.Before(s.nextListAt) {
		s.listInFlight = true
		s.listSentAt = m.now
		cmds = append(cmds, fetchList(m.engine, m.now.Add(-m.since)))
	}
	cmds = append(cmds, m.scheduleHealth()...)
	if m.version == "" && m.conn.Kind != ui.Failed && !s.versionInFlight && !m.now.Before(s.versionRetryAt) {
		s.versionInFlight = true
		cmds = append(cmds, fetchVersion(m.engine))
	}
	visible := map[string]bool{}
	for _, id := range m.visibleIDs() {
		visible[id] = true
	}
	for _, id := range m.byPriority(visible) {
		t := m.tasks[id]
		if len(s.logsInFlight) < maxLogFetches && m.logDue(t, visible[id]) {
			s.logsInFlight[id] = true
			cmds = append(cmds, fetchLog(m.engine, id))
		}
		if len(s.eventsInFlight) < maxEventFetches && m.eventsDue(t, visible[id]) {
			s.eventsInFlight[id] = true
			cmds = append(cmds, fetchEvents(m.engine, id))
		}
		key := t.cfgKey
		_, known := s.configs[key]
		if !known && !s.configInFlight[key] && len(s.configInFlight) < maxConfigFetches &&
			!m.now.Before(s.configRetryAt[key]) {
			s.configInFlight[key] = true
			cmds = append(cmds, fetchConfig(m.engine, key, id))
		}
	}
	return append(cmds, m.scheduleDetail()...)
}

// byPriority lists task ids with the visible ones first, each part in list
// order.
func (m *Model) byPriority(visible map[string]bool) []string {
	out := make([]string, 0, len(m.order))
	out = append(out, m.visibleIDs()...)
	for _, id := range m.order {
		if !visible[id] {
			out = append(out, id)
		}
	}
	return out
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
	return visible && m.now.Sub(t.logAt) >= visibleLogEvery
}
