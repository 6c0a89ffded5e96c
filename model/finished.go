package model

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/store"
	"github.com/hatchtop/hatchtop/ui"
)

// Finished tasks stay in the list, marked with their end, for a window
// (--finished, default 10 min) or until dismissed. Their finish comes by
// push (runs.go, feeds.go); the scheduler polls nothing of them (no event
// log, no events, no configuration). What the row shows beyond the push —
// the exact duration and the first line of the error — is one read of the
// task (v1-task:get) when the row is on screen, spent from the request
// budget. A task the list stops returning without a push (a missed
// finish) is read once too, on screen or off, and marked as it says.

// DefaultFinishedWindow is how long a finished task stays listed.
const DefaultFinishedWindow = 10 * time.Minute

// maxFinalReads caps the final reads in flight.
const maxFinalReads = 2

// showMode is which rows the list shows.
type showMode int

const (
	showAll showMode = iota
	showActive
	showFinished
)

var showWords = [...]string{"", "active only", "finished only"}

// finState is what the list keeps of a finished task.
type finState struct {
	at       time.Time     // when hatchtop learned of the finish
	dur      time.Duration // how long it ran; exact once read
	errLine  string        // the first line of its error, cleaned
	timedOut bool          // the engine timed it out (its TIMED_OUT event)
	label    string        // the last wait it was seen in: the row and the filter keep it
	read     bool          // the final read answered
	missed   bool          // no push said it finished: its status is read
	retryAt  time.Time     // an early read still said active: not before this
	tries    int
	logReads int // the open detail's reads of its log since the finish
}

// A pushed finish may reach us before the REST read says so: the read is
// tried again a few times, a little later.
const (
	finalRetryAfter = 2 * time.Second
	maxFinalTries   = 3
)

// finishedState is the window, the view toggle and the expiry queue.
type finishedState struct {
	window  time.Duration
	show    showMode
	expiry  *store.Due      // task id -> when it leaves the list
	reading map[string]bool // final reads in flight
	count   int             // finished tasks listed, for the header
	failed  int             // finished with a failure, for the header
	missed  []string        // finishes no push told, to read (few: the push tells the rest)
}

func newFinished(window time.Duration) *finishedState {
	if window <= 0 {
		window = DefaultFinishedWindow
	}
	return &finishedState{window: window, expiry: &store.Due{}, reading: map[string]bool{}}
}

// finalReader is the one-request read of a finished task the client
// offers; other engines fall back to TaskDetail.
type finalReader interface {
	TaskFinal(ctx context.Context, taskID string) (durable.Detail, error)
}

// finalMsg carries the final read of a finished task.
type finalMsg struct {
	taskID string
	detail durable.Detail
	err    error
}

func fetchFinal(e engine.Engine, taskID string) tea.Cmd {
	read := e.TaskDetail
	if f, ok := e.(finalReader); ok {
		read = f.TaskFinal
	}
	return request(func(ctx context.Context) (durable.Detail, error) { return read(ctx, taskID) },
		func(d durable.Detail, err error) tea.Msg { return finalMsg{taskID: taskID, detail: d, err: err} })
}

// finished reports whether the list keeps t as finished.
func (t *taskState) finished() bool { return t.fin != nil }

// finalLogOwed reports whether a finished task's log is read once more:
// its detail is open and the log was last read before the finish, or it
// still shows an open wait (REST may lag the pushed finish) and 2 s have
// passed, three reads at most.
func (m *Model) finalLogOwed(t *taskState) bool {
	d := m.detail()
	if d == nil || d.taskID != t.task.ID || t.fin.logReads >= finalLogReads || m.now.Before(t.retryAt) {
		return false
	}
	return t.logAt.Before(t.fin.at) || (len(durable.OpenWaits(t.entries)) > 0 && m.now.Sub(t.logAt) >= finalLogEvery)
}

// The open detail's reads of a finished task's log (finalLogOwed).
const (
	finalLogReads = 3
	finalLogEvery = 2 * time.Second
)

// finish keeps a task as finished with status s (as the push says).
func (m *Model) finish(st *taskState, s durable.Status) {
	if st.fin == nil {
		st.fin = &finState{at: m.now}
		m.fin.count++
		m.fin.expiry.Add(st.task.ID, m.now.Add(m.fin.window))
		st.fin.dur = st.task.Elapsed(m.now)
		m.closeWaits(st)
	}
	st.fin.missed = false
	m.setFinishedStatus(st, s)
}

// setFinishedStatus changes the status and keeps the failure count.
func (m *Model) setFinishedStatus(st *taskState, s durable.Status) {
	if st.task.Status == durable.StatusFailed && st.finished() {
		m.fin.failed--
	}
	t := st.task
	t.Status = s
	m.setTask(st, t)
	if s == durable.StatusFailed {
		m.fin.failed++
	}
}

// unfinish makes a finished task active again (a retry, a replay).
func (m *Model) unfinish(st *taskState) {
	if st.task.Status == durable.StatusFailed {
		m.fin.failed--
	}
	st.fin = nil // its expiry entry is dropped when it pops
	m.fin.count--
	m.markStale(st.task.ID)
}

// forgetFinished keeps the failure count when a task is dropped.
func (m *Model) forgetFinished(st *taskState) {
	if !st.finished() {
		return
	}
	m.fin.count--
	if st.task.Status == durable.StatusFailed {
		m.fin.failed--
	}
}

// goneFromList is a task the list no longer returns: a finished one stays
// until it expires; an active one finished without a push reaching us,
// and is read once to learn how.
func (m *Model) goneFromList(st *taskState) {
	if st.finished() {
		return
	}
	st.fin = &finState{at: m.now, dur: st.task.Elapsed(m.now), missed: true}
	m.fin.count++
	m.fin.expiry.Add(st.task.ID, m.now.Add(m.fin.window))
	m.fin.missed = append(m.fin.missed, st.task.ID)
	m.closeWaits(st)
}

// closeWaits forgets what a finished task waited for: no wait of it is
// open (the inbox and the events list no longer count it), and it is no
// longer marked for a cancel.
func (m *Model) closeWaits(st *taskState) {
	if len(st.waits) > 0 {
		st.fin.label = st.waits[0].Title()
	}
	m.indexWaits(st.task.ID, st.waits, nil)
	st.waits = nil
	delete(m.marks, st.task.ID)
}

// listed applies a list answer of a task sent at sent: a finished task
// the list returns active again was retried or replayed, unless the finish
// came after the request left (the answer is older than the push).
func (m *Model) listed(t durable.Task, sent time.Time) *taskState {
	if st, ok := m.tasks[t.ID]; ok && st.finished() {
		if !sent.After(st.fin.at) {
			return st
		}
		m.unfinish(st)
	}
	return m.mergeTask(t)
}

// expireFinished drops the finished tasks whose window is over: only what
// the expiry queue says is due is looked at.
func (m *Model) expireFinished() bool {
	dropped := false
	for {
		id, ok := m.fin.expiry.PopDue(m.now)
		if !ok {
			break
		}
		st, ok := m.tasks[id]
		if !ok || !st.finished() {
			continue
		}
		if at := st.fin.at.Add(m.fin.window); m.now.Before(at) {
			m.fin.expiry.Add(id, at) // finished again after a replay
			continue
		}
		m.dropTask(id)
		dropped = true
	}
	if dropped {
		m.reorder()
	}
	return dropped
}

// dismiss drops the selected finished task now.
func (m *Model) dismiss() {
	st, ok := m.tasks[m.selectedID]
	if !ok || !st.finished() {
		return
	}
	m.dropTask(m.selectedID)
	m.reorder()
}

// toggleShown cycles both → active only → finished only.
func (m *Model) toggleShown() {
	m.fin.show = (m.fin.show + 1) % 3
	m.applyFilter()
}

// shows reports whether the toggle lets a task's row show.
func (m *Model) shows(st *taskState) bool {
	switch m.fin.show {
	case showActive:
		return !st.finished()
	case showFinished:
		return st.finished()
	}
	return true
}

// nextFailure moves the cursor to the next failed row, wrapping around.
func (m *Model) nextFailure() bool {
	n := len(m.shown)
	for i := 1; i <= n; i++ {
		j := (m.cursor + i) % n
		if st := m.tasks[m.shown[j]]; st.finished() && st.task.Status == durable.StatusFailed {
			m.cursor = j
			m.clampCursor()
			return true
		}
	}
	return false
}

// scheduleFinal reads once the finished rows on screen, and every task
// whose finish was missed, within the request budget.
func (m *Model) scheduleFinal(cmds []tea.Cmd, visible []string) []tea.Cmd {
	f := m.fin
	want := func(st *taskState) bool {
		return st.finished() && !st.fin.read && !f.reading[st.task.ID] && !m.now.Before(st.fin.retryAt)
	}
	for _, id := range visible {
		if len(f.reading) >= maxFinalReads || !m.sched.requests.ok() {
			return cmds
		}
		if st := m.tasks[id]; want(st) {
			cmds = append(cmds, m.startFinal(id))
		}
	}
	return cmds
}

// scheduleMissed reads the status of the tasks whose finish was missed,
// off screen too, oldest first; what is no longer owed leaves the queue.
func (m *Model) scheduleMissed(cmds []tea.Cmd) []tea.Cmd {
	f := m.fin
	for len(f.missed) > 0 && len(f.reading) < maxFinalReads && m.sched.requests.ok() {
		id := f.missed[0]
		f.missed = f.missed[1:]
		if st, ok := m.tasks[id]; ok && st.finished() && st.fin.missed && !f.reading[id] {
			cmds = append(cmds, m.startFinal(id))
		}
	}
	return cmds
}

func (m *Model) startFinal(id string) tea.Cmd {
	m.sched.requests.take()
	m.fin.reading[id] = true
	return fetchFinal(m.engine, id)
}

// onFinal applies a final read: the status (for a missed finish), the
// exact duration and the error's first line.
func (m *Model) onFinal(msg finalMsg) {
	delete(m.fin.reading, msg.taskID)
	st, ok := m.tasks[msg.taskID]
	if !ok || !st.finished() {
		return
	}
	if msg.err != nil {
		if errors.Is(msg.err, engine.ErrNotFound) && st.fin.missed {
			m.dropTask(msg.taskID) // gone from the engine too
			m.reorder()
			return
		}
		st.fin.read = true // one read only; the row keeps what the push said
		if st.fin.missed {
			st.fin.missed = false // not read again; it expires like the others
		}
		return
	}
	d := msg.detail
	switch {
	case d.Status.Active() && st.fin.missed:
		// The list missed it for a moment (paging): active after all.
		m.unfinish(st)
		m.mergeTask(d.Task)
		m.reorder()
		return
	case d.Status.Active():
		// The push said it ended; the read lags it. Ask again soon.
		if st.fin.tries++; st.fin.tries >= maxFinalTries {
			st.fin.read = true
		}
		st.fin.retryAt = m.now.Add(finalRetryAfter)
		return
	}
	m.applyFinal(st, d)
}

// applyFinal takes what a read of a finished task says.
func (m *Model) applyFinal(st *taskState, d durable.Detail) {
	if d.Status != "" && !d.Status.Active() {
		m.setFinishedStatus(st, d.Status)
	}
	st.fin.read, st.fin.missed = true, false
	if !d.FinishedAt.IsZero() && !d.StartedAt.IsZero() && d.FinishedAt.After(d.StartedAt) {
		st.fin.dur = d.FinishedAt.Sub(d.StartedAt)
	}
	st.fin.errLine = errFirstLine(d.Error)
	for _, ev := range d.Events {
		if ev.Type == eventTimedOut {
			st.fin.timedOut = true
			if st.fin.errLine == "" {
				st.fin.errLine = errFirstLine(ev.Message)
			}
		}
	}
}

// eventTimedOut is the task event the engine writes when it times a task out.
const eventTimedOut = "TIMED_OUT"

// sdkError reads an error as the TypeScript SDK reports it: JSON with
// its message and stack. ok is false for any other text.
func sdkError(s string) (message, stack string, ok bool) {
	var sdk struct {
		Message string `json:"message"`
		Stack   string `json:"stack"`
	}
	if json.Unmarshal([]byte(strings.TrimSpace(s)), &sdk) != nil || sdk.Message == "" {
		return "", "", false
	}
	return sdk.Message, sdk.Stack, true
}

// errorBlock is an error as the data tab shows it: the SDK's message,
// then its stack, rather than the JSON they came in; other text as it is.
func errorBlock(s string) []string {
	msg, stack, ok := sdkError(s)
	if !ok {
		return strings.Split(s, "\n")
	}
	lines := strings.Split(msg, "\n")
	if stack = strings.TrimSpace(stack); stack != "" {
		lines = append(append(lines, "", "stack:"), strings.Split(stack, "\n")...)
	}
	return lines
}

// errFirstLine is the first non-blank line of an engine message, cleaned:
// of the SDK's JSON, its message's.
func errFirstLine(s string) string {
	if msg, _, ok := sdkError(s); ok {
		s = msg
	}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(ui.Clean(l)); l != "" {
			return l
		}
	}
	return ""
}

// timedOut reports whether a failure was the engine's timeout: v0.105.0
// fails the task with a message saying so.
func timedOut(errLine string) bool {
	l := strings.ToLower(errLine)
	return strings.Contains(l, "timed out") || strings.Contains(l, "exceeded timeout")
}

// finishedRow fills a finished task's cells: its end, how long it ran and
// its error's first line where the wait was.
func (m Model) finishedRow(t *taskState, r ui.Row) ui.Row {
	r.Wait, r.On, r.Remaining, r.Timeout, r.Overdue, r.TimeoutRisk = "", "", "", "", false, false
	r.Elapsed = ""
	if t.fin.dur > 0 {
		r.Elapsed = durable.FormatDuration(t.fin.dur.Truncate(time.Second))
	}
	switch {
	case t.fin.missed:
		r.Wait = "finished (reading its status)"
	case t.fin.errLine != "":
		r.Wait, r.WaitSpans = t.fin.errLine, true
	default:
		r.Wait = t.fin.label // what it last waited for, so the run is found again
	}
	r.TimedOut = t.task.Status == durable.StatusFailed && (t.fin.timedOut || timedOut(t.fin.errLine))
	return r
}

// onDetailFinal takes the finished task's end from the open detail's read,
// which spares the row its own.
func (m *Model) onDetailFinal(msg detailMsg) {
	if st, ok := m.tasks[msg.taskID]; ok && msg.err == nil && st.finished() && !st.fin.missed && !msg.detail.Status.Active() {
		m.applyFinal(st, msg.detail)
	}
}

// finishedHeader is the header's count of finished tasks and failures,
// and the toggle's word; the counts are kept as tasks finish and leave.
func (m Model) finishedHeader() (finished, failed int, showing string) {
	return m.fin.count, m.fin.failed, showWords[m.fin.show]
}
