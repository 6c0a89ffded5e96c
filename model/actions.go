package model

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/keymap"
	"github.com/hatchtop/hatchtop/preflight"
	"github.com/hatchtop/hatchtop/ui"
)

// actionKind names a change hatchtop can make in the engine.
type actionKind = preflight.Action

const (
	actPush    = preflight.Push
	actCancel  = preflight.Cancel
	actTimeout = preflight.Timeout
	actRestore = preflight.Restore
	actReplay  = preflight.Replay
	actBranch  = preflight.Branch
)

// How long hatchtop watches for the effect of an action the engine's
// answer does not prove.
const (
	watchFor      = 15 * time.Second
	watchLogEvery = 2 * time.Second
	toastFor      = 8 * time.Second
)

// pending is a change waiting for its confirmation: exactly what will be
// sent, to which tasks.
type pending struct {
	kind    actionKind
	taskIDs []string
	names   []string
	event   engine.Event  // actPush
	wakes   []string      // actPush: the tasks whose open waits the key matches
	by      time.Duration // actTimeout
	node    int64         // actBranch
	branch  int64         // actBranch
	// restore follows a branch of an evicted task: the engine replays a
	// branch only when the task next starts.
	restore bool
	// target is the task a push was prepared for from its wait: the push
	// goes only while that wait is still open.
	target  string
	preview string // actPush: the payload as the confirmation shows it
	// skipped are the tasks of a bulk cancel the model already knows
	// finished; the rest are checked with the engine before sending.
	skipped []preflight.Checked
}

// actionDoneMsg is the engine's answer to a confirmed change.
type actionDoneMsg struct {
	p         pending
	eventID   string
	timeoutAt time.Time
	newBranch int64
	restored  bool                // actBranch: the evicted task was restored
	sent      []string            // actCancel: the ids actually sent
	skipped   []preflight.Checked // actCancel: left out, with the reason
	fresh     durable.Task        // the engine's answer of the last check
	err       error
}

// watch follows an action's effect until it shows or time runs out.
type watch struct {
	p     pending
	until time.Time
	note  string // said with the outcome: what a bulk cancel skipped
}

// toast is the footer's answer to an action.
type toast struct {
	text  string
	tone  ui.Tone
	until time.Time
	hint  string // the key that acts on it, kept whole at the footer's end
}

// runAction sends a confirmed change; its row re-reads, right before
// sending, what the engine says of each task now, and sends only what
// that state allows: a task that finished while the confirmation was open
// is left alone, with the reason.
func runAction(e engine.Engine, p pending) tea.Cmd {
	send := actionOf(p.kind).send
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		done := actionDoneMsg{p: p}
		send(ctx, e, p, &done)
		return done
	}
}

// checkTask asks the engine for a task's state and whether it allows a.
func checkTask(ctx context.Context, e engine.Engine, a actionKind, id, name string) preflight.Checked {
	t, err := e.TaskState(ctx, id)
	if t.Name == "" {
		t.Name = name
	}
	c := preflight.Checked{ID: id, Task: t}
	switch {
	case errors.Is(err, engine.ErrNotFound):
		c.Err = &preflight.Refusal{Action: a, Task: t.Name, Reason: "is not known to the engine (not found)"}
	case err != nil:
		c.Err = &preflight.Refusal{Action: a, Task: t.Name, Reason: "could not be checked with the engine (" + err.Error() + ")"}
	default:
		c.Err = preflight.Allow(a, t)
	}
	return c
}

// nothingSent is the refusal of a cancel whose every task was skipped.
func nothingSent(skipped []preflight.Checked) error {
	if len(skipped) == 1 {
		return skipped[0].Err
	}
	return fmt.Errorf("cancel: skipped all %d tasks (%s); nothing was sent", len(skipped), preflight.SkipText(skipped))
}

// onActionKey handles the keys that change something in the engine, from
// the list or the detail: the row of the key pressed opens its form or
// confirmation; nothing is sent before the confirmation's yes. A key whose
// action does not apply to the task (enableActions switched it off) does
// nothing; in read-only mode the keys that would apply still match, so
// that pressing one says why it does nothing.
func (m *Model) onActionKey(msg tea.KeyMsg, a keymap.Actions, branch key.Binding) tea.Cmd {
	var row *action
	for i := range actions {
		if key.Matches(msg, *actions[i].binding(&a, &branch)) {
			row = &actions[i]
			break
		}
	}
	switch {
	case row == nil, !m.actionApplies(*row):
		return nil
	case m.readOnly:
		m.say(string(row.kind)+": hatchtop runs read-only (--read-only or read_only in the config); nothing was sent", ui.Warning)
		return nil
	case m.busy != nil:
		m.say("wait: "+m.busy.label+" is still in flight", ui.Warning)
		return nil
	}
	id, _, _, _ := m.actionTarget()
	task, _ := m.taskByID(id)
	row.open(m, id, task)
	return nil
}

// onInboxSend opens the send-event form for the inbox's selected key.
func (m *Model) onInboxSend() tea.Cmd {
	if m.readOnly {
		m.say("send event: hatchtop runs read-only (--read-only or read_only in the config); nothing was sent", ui.Warning)
		return nil
	}
	g, ok := m.selectedGroup()
	if !ok || g.Sleeping {
		m.say("send event: pick an event key; sleeps end by themselves", ui.Warning)
		return nil
	}
	f := newEventForm([]string{g.Key}, "inbox", m.keys.Form, m.width, m.styles)
	f.rememberScope(m.scopes)
	m.push(&f)
	return nil
}

// taskByID is a task from the list, or the open detail's.
func (m Model) taskByID(id string) (durable.Task, bool) {
	if st, ok := m.tasks[id]; ok {
		return st.task, true
	}
	if m.detail() != nil && m.detail().taskID == id && m.detail().info != nil {
		return m.detail().info.Task, true
	}
	return durable.Task{ID: id, Name: id}, false
}

// waitKeys is every event key the task's open waits wait on.
func (m Model) waitKeys(id string) []string {
	var waits []durable.Wait
	if st, ok := m.tasks[id]; ok {
		waits = st.waits
	} else if m.detail() != nil && m.detail().taskID == id {
		waits = durable.OpenWaits(m.detail().entries)
	}
	var keys []string
	for _, w := range waits {
		for _, k := range w.EventKeys {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// waitersOf is the active tasks with an open wait on key.
func (m Model) waitersOf(key string) []string {
	var ids []string
	for _, id := range m.order {
		st := m.tasks[id]
		if !st.task.Status.Active() {
			continue
		}
		for _, w := range st.waits {
			if slices.Contains(w.EventKeys, key) {
				ids = append(ids, id)
				break
			}
		}
	}
	return ids
}

func (m Model) markedIDs() []string {
	var ids []string
	for _, id := range m.order {
		if m.marks[id] {
			ids = append(ids, id)
		}
	}
	return ids
}

func (m Model) names(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		t, _ := m.taskByID(id)
		out[i] = t.Name
	}
	return out
}

// ask opens the confirmation of p.
func (m *Model) ask(p pending) { m.push(&confirmScreen{p: p}) }

// confirmLines says exactly what will happen to which tasks.
func (m Model) confirmLines(p pending) (string, []ui.DialogLine) {
	title, lines := actionOf(p.kind).confirm(m, p)
	k := m.keys.Confirm
	lines = append(lines, ui.DialogLine{Text: ""}, ui.DialogLine{Text: hints(hint(k.Yes, "confirms"), hint(k.No, "backs out")), Tone: ui.Unknown})
	return title, lines
}

// confirmScreen is the one confirmation of every change: what exactly
// will be sent, to which tasks; nothing is sent before its yes.
type confirmScreen struct{ p pending }

func (*confirmScreen) layer() layer { return dialogLayer }

func (*confirmScreen) bindings(m *Model) help.KeyMap { return m.keys.Confirm }

func (c *confirmScreen) update(m *Model, msg tea.KeyMsg) tea.Cmd {
	k := m.keys.Confirm
	switch {
	case key.Matches(msg, k.Yes):
		m.pop()
		next, cmd := m.start(c.p)
		*m = next
		return cmd
	case key.Matches(msg, k.No):
		m.pop()
		m.say(string(c.p.kind)+": backed out, nothing was sent", ui.Unknown)
	}
	return nil
}

func (c *confirmScreen) view(m *Model) string {
	title, lines := m.confirmLines(c.p)
	return ui.Dialog(title, lines, m.width, m.dialogHeight(), m.styles)
}

// start sends a confirmed change. Tasks the model already knows finished
// are left out at once; the Cmd checks the rest with the engine.
func (m Model) start(p pending) (Model, tea.Cmd) {
	row := actionOf(p.kind)
	if !row.keepsFinished {
		var ids, names []string
		for i, id := range p.taskIDs {
			t, _ := m.taskByID(id)
			if t.Status != "" && !t.Status.Active() {
				p.skipped = append(p.skipped, preflight.Checked{ID: id, Task: t, Err: &preflight.Refusal{Action: p.kind, Task: t.Name,
					Reason: "is " + strings.ToLower(string(t.Status)) + " since it was selected"}})
				continue
			}
			ids, names = append(ids, id), append(names, p.names[i])
		}
		if len(ids) == 0 {
			m.say(nothingSent(p.skipped).Error(), ui.Warning)
			return m, nil
		}
		p.taskIDs, p.names = ids, names
	}
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot), ui.SpinnerStyle(m.styles))
	m.busy = &busyState{label: row.busy(p), spin: sp}
	return m, tea.Batch(runAction(m.engine, p), sp.Tick)
}

// busyState is an action in flight.
type busyState struct {
	label string
	spin  spinner.Model
}

// onActionDone shows what the engine answered and starts watching for
// what it does not prove.
func (m *Model) onActionDone(msg actionDoneMsg) {
	m.busy = nil
	p := msg.p
	row := actionOf(p.kind)
	var refused *preflight.Refusal
	switch {
	case errors.As(msg.err, &refused):
		m.say(msg.err.Error(), ui.Warning)
		return
	case msg.err != nil && row.nothingDone != nil:
		if text, ok := row.nothingDone(msg); ok {
			m.say(text, ui.Warning)
			return
		}
		m.say(string(p.kind)+" failed: "+actionError(msg.err), ui.Bad)
		return
	case msg.err != nil:
		m.say(string(p.kind)+" failed: "+actionError(msg.err), ui.Bad)
		return
	}
	row.answered(m, msg)
}

func (m *Model) markStale(id string) {
	if st, ok := m.tasks[id]; ok {
		st.stale, st.eventsStale = true, true
		m.queueChanged(id)
	}
	if m.detail() != nil && m.detail().taskID == id {
		m.detail().infoStale = true
	}
}

// actionError is the engine's message, without our wrapping noise.
func actionError(err error) string {
	switch {
	case errors.Is(err, engine.ErrReadOnly):
		return "hatchtop runs read-only"
	case errors.Is(err, engine.ErrNotFound):
		return "the engine does not know this task (it may have finished): " + err.Error()
	}
	return err.Error()
}

// checkWatches reports effects that showed, and watches that ran out.
func (m *Model) checkWatches() {
	keep := m.watches[:0]
	for _, w := range m.watches {
		done, text, tone := m.observe(w)
		if done {
			m.sayUntilNext(text+w.note, tone) // read after the fact: it stays until the next feedback
			continue
		}
		keep = append(keep, w)
	}
	m.watches = keep
}

// observe says whether a watch's effect showed, or its time ran out.
func (m *Model) observe(w watch) (bool, string, ui.Tone) {
	if obs := actionOf(w.p.kind).observe; obs != nil {
		return obs(m, w, !m.now.Before(w.until))
	}
	return true, "", ui.Plain
}

// watching reports whether a task's log should be polled briskly because
// an action waits to see its effect.
func (m *Model) watching(id string) bool {
	for _, w := range m.watches {
		if slices.Contains(w.p.wakes, id) || slices.Contains(w.p.taskIDs, id) {
			return true
		}
	}
	return false
}
