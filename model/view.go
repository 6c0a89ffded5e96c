package model

import (
	"fmt"
	"strings"
	"time"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/ui"
)

func (m Model) headerData() ui.HeaderData {
	h := ui.HeaderData{
		Profile:  m.info.Profile,
		Addr:     m.info.GRPCAddr,
		Tenant:   m.info.TenantID,
		Version:  m.version,
		Conn:     m.listConn(),
		Counts:   m.index.Counts(),
		Shown:    len(m.shown),
		Total:    len(m.tasks),
		Filter:   m.filter.Value(),
		ReadOnly: m.readOnly,
	}
	h.FeedsLive, h.FeedsRetrying, _ = m.feedHeader()
	h.Finished, h.Failed, h.Showing = m.finishedHeader()
	h.Total -= h.Finished
	if !m.updated.IsZero() {
		h.Updated = "updated " + durable.FormatDuration(m.now.Sub(m.updated).Truncate(1e9)) + " ago"
	}
	return h
}

// rows turns the visible window into table rows.
func (m Model) rows() []ui.Row {
	ids := m.visibleIDs()
	rows := make([]ui.Row, 0, len(ids))
	for i, id := range ids {
		rows = append(rows, m.row(m.tasks[id], m.offset+i == m.cursor))
	}
	return rows
}

func (m Model) row(t *taskState, selected bool) ui.Row {
	cfg, ok := m.sched.configs[t.cfgKey]
	if !ok {
		cfg = durable.UnknownConfig()
	}
	r := ui.Row{
		Phase:    t.task.Phase(),
		Task:     t.task.Name,
		Workflow: t.task.WorkflowName,
		Attempt:  attemptCell(t.task.Attempt, cfg.MaxRetries),
		Selected: selected,
		Marked:   m.marks[t.task.ID],
		// Known once the row's events are read (a new wait reads them).
		SlotReleased: durable.SlotReleaseOf(t.events).Released,
	}
	if e := t.task.Elapsed(m.now); e > 0 {
		r.Elapsed = durable.FormatDuration(e.Truncate(1e9))
	}
	switch {
	case t.task.Durable && t.logAt.IsZero():
		r.Wait = "…"
	case len(t.waits) > 0:
		w := t.waits[0]
		r.Wait = w.Title()
		if len(t.waits) > 1 {
			r.Wait += fmt.Sprintf(" (+%d)", len(t.waits)-1)
		}
		r.On = w.Summary()
		r.Remaining = durable.Countdown(w, m.now)
		r.Overdue = w.Overdue(m.now)
	}
	if at, ok := m.timeoutAt(t); ok {
		r.Timeout = m.timeoutCell(at)
		r.TimeoutRisk = durable.TimeoutRisk(at, t.waits, m.now, m.timeoutWarn)
		if r.TimeoutRisk {
			r.Timeout = "⚠ " + r.Timeout
		}
	}
	if t.finished() {
		r = m.finishedRow(t, r)
	}
	return r
}

// timeoutCell is the time left before the engine times the task out.
func (m Model) timeoutCell(at time.Time) string {
	if left, past := durable.Remaining(at, m.now); !past {
		return durable.FormatDuration(left)
	}
	return "due"
}

// attemptCell is "3/4" when the maximum is known, else "3"; "5 (max 3)"
// when reassignments after restarts took the count past the maximum.
func attemptCell(attempt, maxRetries int) string {
	return strings.TrimPrefix(durable.AttemptText(attempt, maxRetries), "attempt ")
}

func (m Model) emptyText() string {
	switch {
	case m.updated.IsZero():
		return "loading active tasks…"
	case len(m.tasks) == 0:
		return "no active tasks created in the last " + durable.FormatDuration(m.since)
	case len(m.shown) == 0:
		return "no task matches the filter"
	}
	return ""
}

// helpNotes explain what the page below the help shows and how fresh it
// is; the column notes are the list's.
func (m Model) helpNotes(below screen) []string {
	var notes []string
	if m.readOnly {
		notes = append(notes, "hatchtop runs read-only (--read-only or read_only in the config): the keys that change the engine are off.")
	}
	if w, ok := below.(*workersScreen); ok {
		notes = append(notes, w.helpNote())
	}
	if _, ok := below.(*listScreen); !ok {
		return append(notes, fmt.Sprintf("The list polls the engine every %s; countdowns tick locally every second.", durable.FormatDuration(m.refresh)))
	}
	return append(notes,
		fmt.Sprintf("The list polls the engine every %s; countdowns tick locally every second.", durable.FormatDuration(m.refresh)),
		"A task's event log is fetched when it appears or changes and when its sleep ends; a row on screen that can change every 15s, the selected one every 2s.",
		"REMAINING is the label's sleep deadline (registered + duration); 'overdue' until the engine wakes the task.",
		"ATTEMPT is attempt/max attempts; the max shows once the task's configuration is loaded. '5 (max 3)': the engine's count includes reassignments after restarts.",
		"Status: ● running  ◐ released: running without its worker slot (release_slot)  ◌ evicted  ○ queued",
		m.sortNote(),
	)
}
