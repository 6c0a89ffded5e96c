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
}

// runAction checks, right before sending, what the engine says of each
// task now, and sends only what that state allows: a task that finished
// while the confirmation was open is left alone, with the reason.
func runAction(e engine.Engine, p pending) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := withTimeout()
		defer cancel()
		done := actionDoneMsg{p: p}
		if p.kind == actCancel {
			checked := append([]preflight.Checked(nil), p.skipped...)
			for i, id := range p.taskIDs {
				checked = append(checked, checkTask(ctx, e, actCancel, id, p.names[i]))
			}
			done.sent, done.skipped = preflight.Split(checked)
			if len(done.sent) == 0 {
				done.err = nothingSent(done.skipped)
				return done
			}
			done.err = e.Cancel(ctx, done.sent...)
			return done
		}
		id, name := p.target, ""
		if p.kind != actPush {
			id, name = p.taskIDs[0], p.names[0]
		}
		if id != "" {
			c := checkTask(ctx, e, p.kind, id, name)
			if c.Err != nil {
				done.err = c.Err
				return done
			}
			done.fresh = c.Task
		}
		switch p.kind {
		case actPush:
			if p.target != "" {
				entries, err := e.EventLog(ctx, p.target)
				if err != nil {
					done.err = &preflight.Refusal{Action: actPush, Task: done.fresh.Name, Reason: "has an event log the engine did not return (" + err.Error() + ")"}
					return done
				}
				if !preflight.StillWaitsOn(entries, p.event.Key) {
					done.err = &preflight.Refusal{Action: actPush, Task: done.fresh.Name, Reason: "no longer waits on " + preflight.Escape(p.event.Key) + " (its wait was satisfied or replaced)"}
					return done
				}
			}
			done.eventID, done.err = e.PushEvent(ctx, p.event)
		case actTimeout:
			done.timeoutAt, done.err = e.RefreshTimeout(ctx, id, p.by)
		case actRestore:
			done.err = e.RestoreEvicted(ctx, id)
		case actReplay:
			done.err = e.Replay(ctx, id)
		case actBranch:
			done.newBranch, done.err = e.Branch(ctx, id, p.node, p.branch)
			// Restore what is evicted now, not what was when the dialog opened.
			if done.err == nil && done.fresh.Evicted {
				done.err = e.RestoreEvicted(ctx, id)
				done.restored = done.err == nil
			}
		}
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
// the list or the detail. Each opens a form or a confirmation; nothing is
// sent before enter on the confirmation.
func (m *Model) onActionKey(msg tea.KeyMsg, a keymap.Actions, branch key.Binding) tea.Cmd {
	var kind actionKind
	switch {
	case key.Matches(msg, a.SendEvent):
		kind = actPush
	case key.Matches(msg, a.Cancel):
		kind = actCancel
	case key.Matches(msg, a.Timeout):
		kind = actTimeout
	case key.Matches(msg, a.Restore):
		kind = actRestore
	case key.Matches(msg, a.Replay):
		kind = actReplay
	case m.detail() != nil && m.detail().tab == tabTimeline && key.Matches(msg, branch):
		kind = actBranch
	default:
		return nil
	}
	if m.readOnly {
		m.say(string(kind)+": hatchtop runs read-only (--read-only or read_only in the config); nothing was sent", ui.Warning)
		return nil
	}
	if m.busy != nil {
		m.say("wait: "+m.busy.label+" is still in flight", ui.Warning)
		return nil
	}
	if m.detail() == nil && len(m.shown) == 0 && kind != actPush {
		m.say("no task selected", ui.Warning)
		return nil
	}
	id := m.selectedID
	if m.detail() != nil {
		id = m.detail().taskID
	}
	task, _ := m.taskByID(id)
	switch kind {
	case actPush:
		keys := m.waitKeys(id)
		f := newEventForm(keys, task.Name, m.keys.Form, m.width)
		if len(keys) > 0 {
			f.target = id
		}
		m.push(&f)
		return nil
	case actCancel:
		ids := m.markedIDs()
		if len(ids) == 0 || m.detail() != nil {
			ids = []string{id}
		}
		m.ask(pending{kind: actCancel, taskIDs: ids, names: m.names(ids)})
	case actTimeout:
		// Not on QUEUED: REST reads a task that has just started as queued
		// for a while. The engine's answer decides.
		if task.Status != "" && !task.Status.Active() {
			m.say("refresh timeout: "+task.Name+" is "+strings.ToLower(string(task.Status))+"; only a running or evicted task has a timeout to push", ui.Warning)
			return nil
		}
		m.push(newDurationPrompt(id, task.Name, m.keys.Form))
		return nil
	case actRestore:
		if !task.Evicted {
			m.say("restore: "+task.Name+" is not evicted; only an evicted task can be restored", ui.Warning)
			return nil
		}
		m.ask(pending{kind: actRestore, taskIDs: []string{id}, names: []string{task.Name}})
	case actReplay:
		if task.Status.Active() {
			// Seen on v0.105.0: a replay of a queued, running or evicted
			// task is accepted and then ignored.
			m.say("replay: the engine replays finished tasks only and "+task.Name+" is "+string(task.Phase())+
				"; cancel it first, or branch from a timeline entry (b)", ui.Warning)
			return nil
		}
		m.ask(pending{kind: actReplay, taskIDs: []string{id}, names: []string{task.Name}})
	case actBranch:
		items := durable.Timeline(m.detail().entries)
		if len(items) == 0 {
			m.say("branch: the event log has no entries yet", ui.Warning)
			return nil
		}
		if !task.Status.Active() {
			m.say("branch: "+task.Name+" is "+string(task.Phase())+"; replay it (R) instead", ui.Warning)
			return nil
		}
		e := items[clamp(m.detail().entry, 0, len(items)-1)].Entry
		m.ask(pending{kind: actBranch, taskIDs: []string{id}, names: []string{task.Name}, node: e.NodeID, branch: e.BranchID, restore: task.Evicted})
	}
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
	f := newEventForm([]string{g.Key}, "inbox", m.keys.Form, m.width)
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
	list := func() []ui.DialogLine {
		var out []ui.DialogLine
		for i, n := range p.names {
			if i == 8 {
				out = append(out, ui.DialogLine{Text: fmt.Sprintf("  … and %d more", len(p.names)-8)})
				break
			}
			out = append(out, ui.DialogLine{Text: "  " + n + "  (" + p.taskIDs[i] + ")"})
		}
		return out
	}
	var title string
	var lines []ui.DialogLine
	switch p.kind {
	case actPush:
		title = "Send event " + preflight.Escape(p.event.Key) + "?"
		scope := "no scope"
		if p.event.Scope != "" {
			scope = "scope " + preflight.Escape(p.event.Scope)
		}
		lines = append(lines,
			ui.DialogLine{Text: "pushes event " + preflight.Escape(p.event.Key) + " (" + scope + ") with payload " + p.preview},
			ui.DialogLine{Text: "It should wake " + count(len(p.wakes), "waiting task") + " hatchtop has seen; it also triggers any workflow bound to this key."},
		)
		for _, id := range p.wakes[:min(len(p.wakes), 8)] {
			t, _ := m.taskByID(id)
			lines = append(lines, ui.DialogLine{Text: "  " + t.Name})
		}
	case actCancel:
		title = "Cancel " + count(len(p.taskIDs), "task") + "?"
		lines = append([]ui.DialogLine{{Text: "The engine will cancel these tasks; a cancelled task does not resume:"}}, list()...)
	case actTimeout:
		title = "Refresh the timeout of " + p.names[0] + "?"
		lines = []ui.DialogLine{{Text: "adds " + durable.FormatDuration(p.by) + " to its current execution deadline (Dispatcher.RefreshTimeout)."}}
	case actRestore:
		title = "Restore " + p.names[0] + "?"
		lines = []ui.DialogLine{{Text: "queues the evicted task to run again on a worker; it replays its durable log and goes on waiting."}}
	case actReplay:
		title = "Replay " + p.names[0] + "?"
		lines = append([]ui.DialogLine{{Text: "runs the task again from the beginning (a durable task replays from node 0):"}}, list()...)
	case actBranch:
		title = "Replay " + p.names[0] + " from " + entryRef(p.branch, p.node) + "?"
		lines = []ui.DialogLine{{Text: fmt.Sprintf("creates a new branch of the durable event log starting at node %d of branch %d; the task replays from there and later entries of the current branch are replaced.", p.node, p.branch)}}
		if p.restore {
			lines = append(lines, ui.DialogLine{Text: "The task is evicted, so hatchtop then restores it: the engine replays a branch when the task next starts."})
		} else {
			lines = append(lines, ui.DialogLine{Text: "The engine replays a branch when the task next starts (after an eviction and restore, or a worker restart); the running invocation goes on meanwhile.", Tone: ui.Warning})
		}
	}
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
	if p.kind != actPush && p.kind != actReplay {
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
	sp := spinner.New(spinner.WithSpinner(spinner.MiniDot))
	m.busy = &busyState{label: busyLabel(p), spin: sp}
	return m, tea.Batch(runAction(m.engine, p), sp.Tick)
}

// busyState is an action in flight.
type busyState struct {
	label string
	spin  spinner.Model
}

func busyLabel(p pending) string {
	switch p.kind {
	case actPush:
		return "sending " + p.event.Key
	case actCancel:
		return "cancelling " + count(len(p.taskIDs), "task")
	}
	return string(p.kind) + " " + strings.Join(p.names, ", ")
}

// onActionDone shows what the engine answered and starts watching for
// what it does not prove.
func (m *Model) onActionDone(msg actionDoneMsg) {
	m.busy = nil
	p := msg.p
	var refused *preflight.Refusal
	switch {
	case errors.As(msg.err, &refused), msg.err != nil && p.kind == actCancel && len(msg.sent) == 0:
		m.say(msg.err.Error(), ui.Warning)
		return
	case msg.err != nil && p.kind == actTimeout && errors.Is(msg.err, engine.ErrNotFound) && msg.fresh.Status == durable.StatusQueued:
		m.say("refresh timeout: the engine has no running attempt of "+p.names[0]+" (it reads as queued and has not started, or just ended); nothing changed", ui.Warning)
		return
	case msg.err != nil:
		m.say(string(p.kind)+" failed: "+actionError(msg.err), ui.Bad)
		return
	}
	switch p.kind {
	case actPush:
		m.say(fmt.Sprintf("event %s pushed (id %s); watching %s…", p.event.Key, msg.eventID, count(len(p.wakes), "waiting task")), ui.Good)
		if len(p.wakes) > 0 {
			m.watches = append(m.watches, watch{p: p, until: m.now.Add(watchFor)})
			for _, id := range p.wakes {
				if st, ok := m.tasks[id]; ok {
					st.stale = true
				}
			}
		}
	case actCancel:
		note := ""
		if len(msg.skipped) > 0 {
			note = fmt.Sprintf(", skipped %d (%s)", len(msg.skipped), preflight.SkipText(msg.skipped))
		}
		m.say(fmt.Sprintf("cancel of %s accepted by the engine%s; rows turn cancelled as it does", count(len(msg.sent), "task"), note), ui.Good)
		for _, id := range p.taskIDs {
			delete(m.marks, id)
		}
		for _, c := range msg.skipped {
			delete(m.marks, c.ID)
		}
		sent := p
		sent.taskIDs = msg.sent
		m.watches = append(m.watches, watch{p: sent, until: m.now.Add(watchFor), note: note})
	case actTimeout:
		text := "timeout of " + p.names[0] + " refreshed"
		if !msg.timeoutAt.IsZero() {
			text += ": the engine says it now times out " + atText(msg.timeoutAt, m.now)
		}
		m.say(text, ui.Good)
		if st, ok := m.tasks[p.taskIDs[0]]; ok {
			st.eventsStale = true
			if msg.timeoutAt.After(st.timeoutHint) {
				st.timeoutHint = msg.timeoutAt
				m.rebuildDeadline(st)
			}
		}
		if m.detail() != nil && m.detail().taskID == p.taskIDs[0] {
			m.detail().infoStale = true
		}
	case actRestore:
		m.say("restore of "+p.names[0]+" queued (the engine always answers \"requeued\"); watching whether it leaves eviction…", ui.Good)
		m.watches = append(m.watches, watch{p: p, until: m.now.Add(2 * watchFor)})
		m.markStale(p.taskIDs[0])
	case actReplay:
		m.say("replay of "+p.names[0]+" accepted; the engine runs it again as a new attempt", ui.Good)
		m.markStale(p.taskIDs[0])
	case actBranch:
		text := fmt.Sprintf("%s branched: new branch %d from node %d", p.names[0], msg.newBranch, p.node)
		switch {
		case msg.restored:
			text += ", and restored: the timeline shows the branch as it replays"
		case p.restore:
			text += "; not restored, as it is no longer evicted: it replays from there when the task next starts"
		default:
			text += "; it replays from there when the task next starts"
		}
		m.say(text, ui.Good)
		m.markStale(p.taskIDs[0])
		if m.detail() != nil {
			m.detail().entriesAt = time.Time{}
		}
	}
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
	p := w.p
	over := !m.now.Before(w.until)
	switch p.kind {
	case actPush:
		woke := 0
		for _, id := range p.wakes {
			st, ok := m.tasks[id]
			if !ok || !st.task.Status.Active() || !slices.ContainsFunc(st.waits, func(wt durable.Wait) bool { return slices.Contains(wt.EventKeys, p.event.Key) }) {
				woke++
			}
		}
		if woke == len(p.wakes) {
			return true, fmt.Sprintf("%s woke %d of %s: their waits are satisfied", p.event.Key, woke, count(len(p.wakes), "waiting task")), ui.Good
		}
		if over {
			return true, fmt.Sprintf("%s woke %d of %s within %s; a scoped wait needs the event's scope to match", p.event.Key, woke, count(len(p.wakes), "waiting task"), durable.FormatDuration(watchFor)), ui.Warning
		}
	case actCancel:
		gone := 0
		for _, id := range p.taskIDs {
			if st, ok := m.tasks[id]; !ok || st.task.Status == durable.StatusCancelled {
				gone++
			}
		}
		if gone == len(p.taskIDs) {
			return true, count(gone, "task") + " cancelled", ui.Good
		}
		if over {
			return true, fmt.Sprintf("%d of %s cancelled so far", gone, count(len(p.taskIDs), "task")), ui.Warning
		}
	case actRestore:
		st, ok := m.tasks[p.taskIDs[0]]
		if ok && !st.task.Evicted {
			return true, p.names[0] + " restored: no longer evicted", ui.Good
		}
		if !ok {
			return true, p.names[0] + " left the active list", ui.Good
		}
		if over {
			return true, p.names[0] + " is still evicted; the engine skips tasks that are not evicted or already queued", ui.Warning
		}
	}
	return false, "", ui.Plain
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
