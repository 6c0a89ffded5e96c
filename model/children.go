package model

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/ui"
)

// childrenState is the runs the open task spawned. They are read once
// when the detail opens and again when the task's event log says a spawn
// or a child's finish happened (its RUN entries changed), never polled.
type childrenState struct {
	tasks    []durable.Task
	err      string
	at       time.Time
	inFlight bool
	retryAt  time.Time
	sig      childSig // the RUN entries as of the last read
	sel      int      // the child enter opens
}

// childSig is what makes the children worth reading again: a new RUN
// entry is a spawn, a satisfied one a child's finish, and the parent's own
// end (its log is no longer read then) ends every child it waited on.
type childSig struct {
	runs, done int
	over       bool
}

func runSig(entries []durable.Entry) childSig {
	var s childSig
	for _, e := range durable.Current(entries) {
		if e.Kind == durable.EntryRun {
			s.runs++
			if e.Satisfied {
				s.done++
			}
		}
	}
	return s
}

// childrenMsg carries one read of a task's children.
type childrenMsg struct {
	taskID string
	sig    childSig
	tasks  []durable.Task
	err    error
}

func fetchChildren(e engine.ChildLister, taskID string, since time.Time, sig childSig) tea.Cmd {
	return request(func(ctx context.Context) ([]durable.Task, error) { return e.Children(ctx, taskID, since) },
		func(t []durable.Task, err error) tea.Msg {
			return childrenMsg{taskID: taskID, sig: sig, tasks: t, err: err}
		})
}

// scheduleChildren returns the children read due now, if any.
func (m *Model) scheduleChildren(d *detailState) []tea.Cmd {
	e, ok := m.engine.(engine.ChildLister)
	c := &d.children
	if !ok || c.inFlight || m.now.Before(c.retryAt) || !m.sched.requests.ok() {
		return nil
	}
	task, known := m.detailTask()
	sig := runSig(d.entries)
	// Sticky: a list poll that lags the finish push must not read again.
	sig.over = c.sig.over || (known && !task.Status.Active())
	if !c.at.IsZero() && sig == c.sig {
		return nil
	}
	// A child is created after its parent; a day back when that is unknown.
	since := m.now.Add(-24 * time.Hour)
	if known && !task.CreatedAt.IsZero() {
		since = task.CreatedAt.Add(-time.Minute)
	}
	c.inFlight = true
	m.sched.requests.take() // one token of the scheduler's budget, as every read beside the list
	return []tea.Cmd{fetchChildren(e, d.taskID, since, sig)}
}

func (m *Model) onChildren(msg childrenMsg) {
	d := m.detail()
	if d == nil || d.taskID != msg.taskID {
		return
	}
	c := &d.children
	c.inFlight = false
	if msg.err != nil {
		c.err, c.retryAt = childErrText(msg.err), m.now.Add(errorRetryAfter)
		if errors.Is(msg.err, engine.ErrUnauthorized) {
			c.at, c.sig = m.now, msg.sig // asking again will not help: only a change does
		}
		return
	}
	c.tasks, c.err, c.at, c.sig = msg.tasks, "", m.now, msg.sig
	c.sel = clamp(c.sel, 0, max(len(c.tasks)-1, 0))
}

func childErrText(err error) string {
	switch {
	case errors.Is(err, engine.ErrUnauthorized):
		return "not visible to this token: " + err.Error()
	case errors.Is(err, engine.ErrNotFound):
		return "the engine does not know this task's children (yet)"
	}
	return err.Error()
}

// childWait pairs each child with the RUN entry that spawned it: in node
// order, the first unpaired child of the entry's workflow (any workflow
// when the entry does not name one). A child without an entry was spawned
// without a durable wait; an entry without a child is not listed yet.
func childWait(children []durable.Task, entries []durable.Entry) map[string]durable.Entry {
	out := map[string]durable.Entry{}
	used := make([]bool, len(children))
	for _, e := range durable.Current(entries) {
		if e.Kind != durable.EntryRun {
			continue
		}
		name := ""
		for _, c := range e.Conditions {
			if c.Kind == durable.CondChild {
				name = c.WorkflowName
			}
		}
		for i, ch := range children {
			if !used[i] && (name == "" || name == ch.WorkflowName) {
				used[i], out[ch.ID] = true, e
				break
			}
		}
	}
	return out
}

// childrenSection is the overview's list of spawned runs; nil for a task
// that spawned none (and has no RUN entry).
func (m Model) childrenSection() *ui.Section {
	d := m.detail()
	c := d.children
	_, lister := m.engine.(engine.ChildLister)
	sig := runSig(d.entries)
	sec := ui.Section{Title: "children"}
	switch {
	case !lister:
		if sig.runs == 0 {
			return nil
		}
		sec.Fields = append(sec.Fields, ui.Field{Value: "this engine cannot list children", Tone: ui.Unknown})
		return &sec
	case c.err != "" && len(c.tasks) == 0:
		sec.Fields = append(sec.Fields, ui.Field{Name: "error", Value: c.err, Tone: ui.Warning})
		return &sec
	case c.at.IsZero():
		if sig.runs == 0 {
			return nil
		}
		sec.Fields = append(sec.Fields, ui.Field{Value: "loading…", Tone: ui.Unknown})
		return &sec
	case len(c.tasks) == 0:
		if sig.runs == 0 {
			return nil
		}
		sec.Fields = append(sec.Fields, ui.Field{Value: strconv.Itoa(sig.runs) + " spawned, none visible to this token yet", Tone: ui.Unknown})
		return &sec
	}
	waits := childWait(c.tasks, d.entries)
	for i, ch := range c.tasks {
		ch = m.liveChild(ch)
		mark := "  "
		if i == c.sel {
			mark = "▸ "
		}
		v := string(ch.Phase()) + " · " + ch.WorkflowName
		if w := m.childOwnWait(ch.ID); w != "" && ch.Status.Active() {
			v += " · " + w
		}
		if e, ok := waits[ch.ID]; ok {
			v += " · " + childWaitText(e, ch, m.now)
		}
		v += " · " + ch.ID
		sec.Fields = append(sec.Fields, ui.Field{Name: mark + ch.Name, Value: v, Tone: toneIf(ch.Status == durable.StatusFailed, ui.Warning)})
	}
	if c.err != "" {
		sec.Fields = append(sec.Fields, ui.Field{Name: "last read", Value: c.err, Tone: ui.Warning})
	}
	return &sec
}

// childOwnWait is the child's own first open wait and its countdown,
// when the child is a row of the list: its log is read for the row
// anyway. A child off the list is not read for it.
func (m Model) childOwnWait(id string) string {
	st, ok := m.tasks[id]
	if !ok || st.entries == nil {
		return ""
	}
	waits := durable.OpenWaits(st.entries)
	if len(waits) == 0 {
		return ""
	}
	v := "its wait " + strconv.Quote(waits[0].Title())
	if c := durable.Countdown(waits[0], m.now); c != "" {
		v += " " + c
	}
	return v
}

// waitChild says which child an open wait of the detail waits on, and
// its state; "" when the wait is not on a listed child.
func (m Model) waitChild(w durable.Wait) string {
	d := m.detail()
	if w.Kind != durable.WaitChild || len(d.children.tasks) == 0 {
		return ""
	}
	for id, e := range childWait(d.children.tasks, d.entries) {
		if e.Key() != w.Key {
			continue
		}
		for _, ch := range d.children.tasks {
			if ch.ID == id {
				ch = m.liveChild(ch)
				return "run " + ch.Name + " (" + ch.ID + ") " + string(ch.Phase())
			}
		}
	}
	return "its run not listed (yet)"
}

// liveChild is a child as fresh as its row when it is one: the list's
// polls and the finish pushes keep rows, at no request here.
func (m Model) liveChild(ch durable.Task) durable.Task {
	// A finish the read saw stands over a row not told yet.
	if st, ok := m.tasks[ch.ID]; ok && (ch.Status.Active() || !st.task.Status.Active()) {
		ch.Status = st.task.Status
	}
	return ch
}

// childWaitText is the parent's wait on the child: its label (RUN entries
// of the TypeScript SDK carry none) and whether it is over. A finished
// child ends the wait even while the parent's log was not read since.
func childWaitText(e durable.Entry, child durable.Task, now time.Time) string {
	wait := "wait"
	if e.Label != "" {
		wait += " " + strconv.Quote(e.Label)
	}
	switch {
	case e.Satisfied:
		return wait + " done"
	case !child.Status.Active():
		return wait + " over: the child finished"
	}
	as := ""
	if e.Label != "" {
		as = " as " + strconv.Quote(e.Label)
	}
	return "waited on" + as + " for " + durable.FormatDuration(now.Sub(e.InsertedAt).Truncate(time.Second))
}

// childKey handles the children keys: pick, open the picked child, or
// open the parent (back down the stack when it is the detail below).
func (m *Model) childKey(d *detailState, msg tea.KeyMsg) {
	k := m.keys.Detail
	c := &d.children
	switch {
	case key.Matches(msg, k.NextChild):
		c.sel = (c.sel + 1) % len(c.tasks)
	case key.Matches(msg, k.PrevChild):
		c.sel = (c.sel + len(c.tasks) - 1) % len(c.tasks)
	case key.Matches(msg, k.OpenChild):
		m.openTaskDetail(c.tasks[c.sel].ID)
	case key.Matches(msg, k.Parent):
		parent := d.info.ParentTaskID
		for i := len(m.stack) - 2; i > 0; i-- {
			if below, ok := m.stack[i].(*detailState); ok && below.taskID == parent {
				m.popTo(below)
				return
			}
		}
		m.openTaskDetail(parent)
	}
}

// openTaskDetail opens the detail of a task that need not be a row.
func (m *Model) openTaskDetail(taskID string) {
	d := &detailState{taskID: taskID, openedAt: m.now}
	if st, ok := m.tasks[taskID]; ok && st.entries != nil {
		d.entries, d.entriesAt = st.entries, st.logAt
	}
	m.push(d)
}
