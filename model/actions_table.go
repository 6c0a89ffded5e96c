package model

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/keymap"
	"github.com/hatchtop/hatchtop/preflight"
	"github.com/hatchtop/hatchtop/ui"
)

// action is one change hatchtop can make, as data: its key, what it
// applies to and the check before the dialog, the confirmation's text,
// the engine call (after the engine's current state is re-read), and what
// to watch afterwards. Adding an action is one row here and one test.
type action struct {
	kind actionKind
	// binding is its key among the screen's actions (branch: the
	// detail's timeline key), to match a key or switch it off.
	binding func(a *keymap.Actions, branch *key.Binding) *key.Binding
	// applies says whether the action can apply to the task the key is
	// for, as the model knows it (known is false while the open detail has
	// not loaded it: the engine's answer decides then); nil is always. A
	// key that does not apply is off in the hints and does nothing.
	applies func(m *Model, task durable.Task, known bool) bool
	// open checks what the model knows of the task (id, task) and opens
	// the form, prompt or confirmation, or says why not.
	open func(m *Model, id string, task durable.Task)
	// confirm is the confirmation's title and lines.
	confirm func(m Model, p pending) (string, []ui.DialogLine)
	// keepsFinished: the tasks the model knows finished are sent all the
	// same (a push is for a key; a replay is for finished tasks).
	keepsFinished bool
	// send is the engine call, after the check of the task's state; it
	// runs in a Cmd and fills done.
	send func(ctx context.Context, e engine.Engine, p pending, done *actionDoneMsg)
	// nothingDone tells an error that means nothing changed, as a
	// warning rather than a failure; nil when there is none.
	nothingDone func(msg actionDoneMsg) (string, bool)
	// answered says what the engine answered and starts the watch.
	answered func(m *Model, msg actionDoneMsg)
	// observe says whether a watch's effect showed or its time ran out.
	observe func(m *Model, w watch, over bool) (bool, string, ui.Tone)
	// busy is the footer's line while it is in flight.
	busy func(p pending) string
}

// actions is every change, in the help's order.
var actions = []action{pushAction, cancelAction, timeoutAction, restoreAction, replayAction, branchAction}

// actionOf is the row of a kind.
func actionOf(k actionKind) action {
	for _, a := range actions {
		if a.kind == k {
			return a
		}
	}
	panic("model: no action " + string(k))
}

// actionTarget is the task an action key is for: the open detail's, or
// the list's selected row; ok is false on an empty list. known is false
// while the detail has not loaded a task the list does not hold.
func (m *Model) actionTarget() (id string, task durable.Task, known, ok bool) {
	if d := m.detail(); d != nil {
		task, known = m.detailTask()
		return d.taskID, task, known, true
	}
	if len(m.shown) == 0 {
		return "", durable.Task{}, false, false
	}
	st, known := m.tasks[m.selectedID]
	if known {
		task = st.task
	}
	return m.selectedID, task, known, true
}

// actionApplies says whether a row can apply to the key's task: with no
// task (an empty list) only a push, whose key is typed.
func (m *Model) actionApplies(a action) bool {
	_, task, known, ok := m.actionTarget()
	if !ok {
		return a.kind == actPush
	}
	return a.applies == nil || a.applies(m, task, known)
}

// enableActions switches each action's key on where it applies to the
// key's task, and every one off in read-only mode: a screen's bindings
// call it, so the hints and the keys agree (branch: the detail's timeline
// key, or nil).
func (m *Model) enableActions(a *keymap.Actions, branch *key.Binding) {
	if branch == nil {
		branch = &key.Binding{}
	}
	for _, row := range actions {
		row.binding(a, branch).SetEnabled(!m.readOnly && m.actionApplies(row))
	}
}

// oneTask is the names of a single-task change.
func oneTask(id string, task durable.Task) pending {
	return pending{taskIDs: []string{id}, names: []string{task.Name}}
}

// sendChecked re-reads the task's state right before sending and sends
// only what that state allows.
func sendChecked(call func(ctx context.Context, e engine.Engine, p pending, done *actionDoneMsg)) func(context.Context, engine.Engine, pending, *actionDoneMsg) {
	return func(ctx context.Context, e engine.Engine, p pending, done *actionDoneMsg) {
		c := checkTask(ctx, e, p.kind, p.taskIDs[0], p.names[0])
		if c.Err != nil {
			done.err = c.Err
			return
		}
		done.fresh = c.Task
		call(ctx, e, p, done)
	}
}

func defaultBusy(p pending) string { return string(p.kind) + " " + strings.Join(p.names, ", ") }

var pushAction = action{
	kind:          actPush,
	binding:       func(a *keymap.Actions, _ *key.Binding) *key.Binding { return &a.SendEvent },
	keepsFinished: true,
	open: func(m *Model, id string, task durable.Task) {
		keys := m.waitKeys(id)
		f := newEventForm(keys, task.Name, m.keys.Form, m.width, m.styles)
		if len(keys) > 0 {
			f.target = id
		}
		f.rememberScope(m.scopes)
		m.push(&f)
	},
	confirm: func(m Model, p pending) (string, []ui.DialogLine) {
		scope := "no scope"
		if p.event.Scope != "" {
			scope = "scope " + preflight.Escape(p.event.Scope)
		}
		lines := []ui.DialogLine{
			{Text: "pushes event " + preflight.Escape(p.event.Key) + " (" + scope + ") with payload " + p.preview},
			{Text: "It should wake " + ui.Count(len(p.wakes), "waiting task") + " hatchtop has seen; it also triggers any workflow bound to this key."},
		}
		for _, id := range p.wakes[:min(len(p.wakes), 8)] {
			t, _ := m.taskByID(id)
			lines = append(lines, ui.DialogLine{Text: "  " + t.Name})
		}
		return "Send event " + preflight.Escape(p.event.Key) + "?", lines
	},
	send: func(ctx context.Context, e engine.Engine, p pending, done *actionDoneMsg) {
		// From a wait: the push goes only while that wait is still open.
		if p.target != "" {
			c := checkTask(ctx, e, actPush, p.target, "")
			if c.Err != nil {
				done.err = c.Err
				return
			}
			done.fresh = c.Task
			entries, err := e.EventLog(ctx, p.target)
			if err != nil {
				done.err = &preflight.Refusal{Action: actPush, Task: done.fresh.Name, Reason: "has an event log the engine did not return (" + err.Error() + ")"}
				return
			}
			if !preflight.StillWaitsOn(entries, p.event.Key) {
				done.err = &preflight.Refusal{Action: actPush, Task: done.fresh.Name, Reason: "no longer waits on " + preflight.Escape(p.event.Key) + " (its wait was satisfied or replaced)"}
				return
			}
		}
		done.eventID, done.err = e.PushEvent(ctx, p.event)
	},
	busy: func(p pending) string { return "sending " + p.event.Key },
	answered: func(m *Model, msg actionDoneMsg) {
		p := msg.p
		m.say(fmt.Sprintf("event %s pushed (id %s); watching %s…", p.event.Key, msg.eventID, ui.Count(len(p.wakes), "waiting task")), ui.Good)
		if p.event.Scope != "" {
			m.scopes[p.event.Key] = p.event.Scope
		} else {
			delete(m.scopes, p.event.Key)
		}
		if len(p.wakes) > 0 {
			m.watches = append(m.watches, watch{p: p, until: m.now.Add(watchFor)})
			for _, id := range p.wakes {
				if st, ok := m.tasks[id]; ok {
					st.stale = true
				}
			}
		}
	},
	observe: func(m *Model, w watch, over bool) (bool, string, ui.Tone) {
		p := w.p
		woke := 0
		for _, id := range p.wakes {
			st, ok := m.tasks[id]
			if !ok || !st.task.Status.Active() || !slices.ContainsFunc(st.waits, func(wt durable.Wait) bool { return slices.Contains(wt.EventKeys, p.event.Key) }) {
				woke++
			}
		}
		if woke == len(p.wakes) {
			return true, fmt.Sprintf("%s woke %d of %s: their waits are satisfied", p.event.Key, woke, ui.Count(len(p.wakes), "waiting task")), ui.Good
		}
		if over {
			return true, fmt.Sprintf("%s woke %d of %s within %s; a scoped wait needs the event's scope to match", p.event.Key, woke, ui.Count(len(p.wakes), "waiting task"), durable.FormatDuration(watchFor)), ui.Warning
		}
		return false, "", ui.Plain
	},
}

var cancelAction = action{
	kind:    actCancel,
	binding: func(a *keymap.Actions, _ *key.Binding) *key.Binding { return &a.Cancel },
	// A finished task takes no cancel; marked rows of the list still may.
	applies: func(m *Model, task durable.Task, known bool) bool {
		return !known || task.Status.Active() || (m.detail() == nil && len(m.marks) > 0)
	},
	open: func(m *Model, id string, _ durable.Task) {
		ids := m.markedIDs()
		if len(ids) == 0 || m.detail() != nil {
			ids = []string{id}
		}
		m.ask(pending{kind: actCancel, taskIDs: ids, names: m.names(ids)})
	},
	confirm: func(m Model, p pending) (string, []ui.DialogLine) {
		lines := append([]ui.DialogLine{{Text: "The engine will cancel these tasks; a cancelled task does not resume:"}}, taskLines(p)...)
		return "Cancel " + ui.Count(len(p.taskIDs), "task") + "?", lines
	},
	// Each task is checked: the ones that finished meanwhile are skipped,
	// with the reason, and the rest sent by id.
	send: func(ctx context.Context, e engine.Engine, p pending, done *actionDoneMsg) {
		checked := append([]preflight.Checked(nil), p.skipped...)
		for i, id := range p.taskIDs {
			checked = append(checked, checkTask(ctx, e, actCancel, id, p.names[i]))
		}
		done.sent, done.skipped = preflight.Split(checked)
		if len(done.sent) == 0 {
			done.err = nothingSent(done.skipped)
			return
		}
		done.err = e.Cancel(ctx, done.sent...)
	},
	busy: func(p pending) string { return "cancelling " + ui.Count(len(p.taskIDs), "task") },
	// Every task skipped: the error is the reason, and nothing was sent.
	nothingDone: func(msg actionDoneMsg) (string, bool) { return msg.err.Error(), len(msg.sent) == 0 },
	answered: func(m *Model, msg actionDoneMsg) {
		p := msg.p
		note := ""
		if len(msg.skipped) > 0 {
			note = fmt.Sprintf(", skipped %d (%s)", len(msg.skipped), preflight.SkipText(msg.skipped))
		}
		m.say(fmt.Sprintf("cancel of %s accepted by the engine%s; rows turn cancelled as it does", ui.Count(len(msg.sent), "task"), note), ui.Good)
		for _, id := range p.taskIDs {
			delete(m.marks, id)
		}
		for _, c := range msg.skipped {
			delete(m.marks, c.ID)
		}
		sent := p
		sent.taskIDs = msg.sent
		m.watches = append(m.watches, watch{p: sent, until: m.now.Add(watchFor), note: note})
	},
	observe: func(m *Model, w watch, over bool) (bool, string, ui.Tone) {
		p := w.p
		gone := 0
		for _, id := range p.taskIDs {
			if st, ok := m.tasks[id]; !ok || st.task.Status == durable.StatusCancelled {
				gone++
			}
		}
		if gone == len(p.taskIDs) {
			return true, ui.Count(gone, "task") + " cancelled", ui.Good
		}
		if over {
			return true, fmt.Sprintf("%d of %s cancelled so far", gone, ui.Count(len(p.taskIDs), "task")), ui.Warning
		}
		return false, "", ui.Plain
	},
}

var timeoutAction = action{
	kind:    actTimeout,
	binding: func(a *keymap.Actions, _ *key.Binding) *key.Binding { return &a.Timeout },
	// Only a running or evicted task has a timeout to push; not refused on
	// QUEUED: REST reads a task that has just started as queued for a
	// while, and the engine's answer decides.
	applies: func(_ *Model, task durable.Task, known bool) bool { return !known || task.Status.Active() },
	open: func(m *Model, id string, task durable.Task) {
		m.push(newDurationPrompt(id, task.Name, m.keys.Form, m.styles))
	},
	confirm: func(_ Model, p pending) (string, []ui.DialogLine) {
		return "Refresh the timeout of " + p.names[0] + "?",
			[]ui.DialogLine{{Text: "adds " + durable.FormatDuration(p.by) + " to its current execution deadline (Dispatcher.RefreshTimeout)."}}
	},
	send: sendChecked(func(ctx context.Context, e engine.Engine, p pending, done *actionDoneMsg) {
		done.timeoutAt, done.err = e.RefreshTimeout(ctx, p.taskIDs[0], p.by)
	}),
	busy: defaultBusy,
	nothingDone: func(msg actionDoneMsg) (string, bool) {
		if errors.Is(msg.err, engine.ErrNotFound) && msg.fresh.Status == durable.StatusQueued {
			return "refresh timeout: the engine has no running attempt of " + msg.p.names[0] + " (it reads as queued and has not started, or just ended); nothing changed", true
		}
		return "", false
	},
	answered: func(m *Model, msg actionDoneMsg) {
		p := msg.p
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
		if d := m.detail(); d != nil && d.taskID == p.taskIDs[0] {
			d.infoStale = true
		}
	},
}

var restoreAction = action{
	kind:    actRestore,
	binding: func(a *keymap.Actions, _ *key.Binding) *key.Binding { return &a.Restore },
	// Only an evicted task can be restored, and a finished one is not.
	applies: func(_ *Model, task durable.Task, known bool) bool {
		return !known || (task.Evicted && task.Status.Active())
	},
	open: func(m *Model, id string, task durable.Task) {
		p := oneTask(id, task)
		p.kind = actRestore
		m.ask(p)
	},
	confirm: func(_ Model, p pending) (string, []ui.DialogLine) {
		return "Restore " + p.names[0] + "?",
			[]ui.DialogLine{{Text: "queues the evicted task to run again on a worker; it replays its durable log and goes on waiting."}}
	},
	send: sendChecked(func(ctx context.Context, e engine.Engine, p pending, done *actionDoneMsg) {
		done.err = e.RestoreEvicted(ctx, p.taskIDs[0])
	}),
	busy: defaultBusy,
	answered: func(m *Model, msg actionDoneMsg) {
		p := msg.p
		m.say("restore of "+p.names[0]+" queued (the engine always answers \"requeued\"); watching whether it leaves eviction…", ui.Good)
		m.watches = append(m.watches, watch{p: p, until: m.now.Add(2 * watchFor)})
		m.markStale(p.taskIDs[0])
	},
	observe: func(m *Model, w watch, over bool) (bool, string, ui.Tone) {
		p := w.p
		st, ok := m.tasks[p.taskIDs[0]]
		switch {
		case ok && !st.task.Evicted:
			return true, p.names[0] + " restored: no longer evicted", ui.Good
		case !ok:
			return true, p.names[0] + " left the active list", ui.Good
		case over:
			return true, p.names[0] + " is still evicted; the engine skips tasks that are not evicted or already queued", ui.Warning
		}
		return false, "", ui.Plain
	},
}

var replayAction = action{
	kind:          actReplay,
	binding:       func(a *keymap.Actions, _ *key.Binding) *key.Binding { return &a.Replay },
	keepsFinished: true,
	// Seen on v0.105.0: a replay of a queued, running or evicted task is
	// accepted and then ignored, so it is for finished tasks only (a
	// running one is cancelled first, or branched from a timeline entry).
	applies: func(_ *Model, task durable.Task, known bool) bool { return !known || !task.Status.Active() },
	open: func(m *Model, id string, task durable.Task) {
		p := oneTask(id, task)
		p.kind = actReplay
		m.ask(p)
	},
	confirm: func(_ Model, p pending) (string, []ui.DialogLine) {
		lines := append([]ui.DialogLine{{Text: "runs the task again from the beginning (a durable task replays from node 0):"}}, taskLines(p)...)
		return "Replay " + p.names[0] + "?", lines
	},
	send: sendChecked(func(ctx context.Context, e engine.Engine, p pending, done *actionDoneMsg) {
		done.err = e.Replay(ctx, p.taskIDs[0])
	}),
	busy: defaultBusy,
	answered: func(m *Model, msg actionDoneMsg) {
		p := msg.p
		m.say("replay of "+p.names[0]+" accepted; the engine runs it again as a new attempt", ui.Good)
		m.markStale(p.taskIDs[0])
	},
}

var branchAction = action{
	kind:    actBranch,
	binding: func(_ *keymap.Actions, branch *key.Binding) *key.Binding { return branch },
	// From an entry of the open detail's timeline, of a task that still
	// runs: a finished one is replayed instead.
	applies: func(m *Model, task durable.Task, known bool) bool {
		d := m.detail()
		return d != nil && d.tab == tabTimeline && (!known || task.Status.Active())
	},
	open: func(m *Model, id string, task durable.Task) {
		d := m.detail()
		items := durable.Timeline(d.entries)
		if len(items) == 0 {
			m.say("branch: the event log has no entries yet", ui.Warning)
			return
		}
		e := items[clamp(d.entry, 0, len(items)-1)].Entry
		p := oneTask(id, task)
		p.kind, p.node, p.branch, p.restore = actBranch, e.NodeID, e.BranchID, task.Evicted
		m.ask(p)
	},
	confirm: func(_ Model, p pending) (string, []ui.DialogLine) {
		lines := []ui.DialogLine{{Text: fmt.Sprintf("creates a new branch of the durable event log starting at node %d of branch %d; the task replays from there and later entries of the current branch are replaced.", p.node, p.branch)}}
		if p.restore {
			lines = append(lines, ui.DialogLine{Text: "The task is evicted, so hatchtop then restores it: the engine replays a branch when the task next starts."})
		} else {
			lines = append(lines, ui.DialogLine{Text: "The engine replays a branch when the task next starts (after an eviction and restore, or a worker restart); the running invocation goes on meanwhile.", Tone: ui.Warning})
		}
		return "Replay " + p.names[0] + " from " + entryRef(p.branch, p.node) + "?", lines
	},
	send: sendChecked(func(ctx context.Context, e engine.Engine, p pending, done *actionDoneMsg) {
		id := p.taskIDs[0]
		done.newBranch, done.err = e.Branch(ctx, id, p.node, p.branch)
		// Restore what is evicted now, not what was when the dialog opened.
		if done.err == nil && done.fresh.Evicted {
			done.err = e.RestoreEvicted(ctx, id)
			done.restored = done.err == nil
		}
	}),
	busy: defaultBusy,
	answered: func(m *Model, msg actionDoneMsg) {
		p := msg.p
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
		if d := m.detail(); d != nil {
			d.entriesAt = time.Time{}
		}
	},
}

// taskLines lists a change's tasks for its confirmation, eight at most.
func taskLines(p pending) []ui.DialogLine {
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
