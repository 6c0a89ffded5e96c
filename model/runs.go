package model

import (
	"slices"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
)

// Finishes by push: with paged membership, one run watch
// (Dispatcher.SubscribeToWorkflowRuns) watches the run of every known
// task, so a finish reaches its row without a poll. The row stays, marked
// with its end (✔ ✘ ⊘), for the finished window (finished.go). After the
// watch reconnects (the client re-sends the ids) a reconciliation pass
// starts at once, for what finished meanwhile.

// maxRunBatch caps the watch updates one Update applies.
const maxRunBatch = 256

// runWatchStartedMsg carries the run watch, started by a Cmd.
type runWatchStartedMsg struct{ w engine.RunWatcher }

// runsMsg carries the run-watch updates queued when it was read; closed
// is set, with no updates, when the watch has shut down.
type runsMsg struct {
	updates []engine.RunWatchUpdate
	closed  bool
}

func startRunWatch(e engine.Engine) tea.Cmd {
	return func() tea.Msg { return runWatchStartedMsg{w: e.WatchRuns(engine.FeedOptions{})} }
}

// waitRuns waits for the next run-watch update and takes every one queued
// behind it.
func waitRuns(ch <-chan engine.RunWatchUpdate) tea.Cmd {
	return func() tea.Msg {
		u, ok := <-ch
		if !ok {
			return runsMsg{closed: true}
		}
		msg := runsMsg{updates: []engine.RunWatchUpdate{u}}
		for len(msg.updates) < maxRunBatch {
			select {
			case u, ok := <-ch:
				if !ok {
					return msg
				}
				msg.updates = append(msg.updates, u)
			default:
				return msg
			}
		}
		return msg
	}
}

// watchRuns tells the watch about runs; a Cmd, as Watch may block briefly.
func watchRuns(w engine.RunWatcher, ids []string) tea.Cmd {
	return func() tea.Msg {
		w.Watch(ids...)
		return nil
	}
}

func forgetRuns(w engine.RunWatcher, ids []string) tea.Cmd {
	return func() tea.Msg {
		w.Forget(ids...)
		return nil
	}
}

func healRuns(w engine.RunWatcher) tea.Cmd {
	return func() tea.Msg {
		w.Healthy()
		return nil
	}
}

// scheduleRunWatch starts the watch once with paged membership, and sends
// the runs to watch or forget that this Update found.
func (m *Model) scheduleRunWatch() []tea.Cmd {
	if _, ok := m.paged(); !ok {
		return nil
	}
	var cmds []tea.Cmd
	r := m.runs
	if r.w == nil {
		if !r.starting {
			r.starting = true
			cmds = append(cmds, startRunWatch(m.engine))
		}
		return cmds
	}
	if len(r.watch) > 0 {
		cmds = append(cmds, watchRuns(r.w, r.watch))
		r.watch = nil
	}
	if len(r.forget) > 0 {
		cmds = append(cmds, forgetRuns(r.w, r.forget))
		r.forget = nil
	}
	if r.heal {
		r.heal = false
		cmds = append(cmds, healRuns(r.w))
	}
	return cmds
}

// runWatchState is the run watch and what to tell it next.
type runWatchState struct {
	w             engine.RunWatcher
	starting      bool
	watch, forget []string // run ids, sent by the next Update
	heal          bool     // the engine answered: end the watch's backoff
	retrying      bool     // the watch broke and has not reopened
}

// runAdded queues a new task's run for the watch.
func (m *Model) runAdded(runID string) {
	if m.runs == nil || runID == "" || len(m.index.OfRun(runID)) > 1 {
		return
	}
	m.runs.watch = append(m.runs.watch, runID)
}

// runRemoved forgets a run none of whose tasks is left.
func (m *Model) runRemoved(runID string) {
	if m.runs == nil || m.runs.w == nil || runID == "" || len(m.index.OfRun(runID)) > 0 {
		return
	}
	m.runs.forget = append(m.runs.forget, runID)
}

func (m *Model) onRunWatchStarted(msg runWatchStartedMsg) tea.Cmd {
	m.runs.w, m.runs.starting = msg.w, false
	m.runs.watch = nil
	seen := make(map[string]bool, len(m.tasks))
	ids := make([]string, 0, len(m.tasks))
	for _, st := range m.tasks {
		if id := st.task.RunID; id != "" && !seen[id] && !st.finished() {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return tea.Batch(watchRuns(msg.w, ids), waitRuns(msg.w.Updates()))
}

// onRuns applies a batch of the watch's updates.
func (m *Model) onRuns(msg runsMsg) tea.Cmd {
	if msg.closed || m.runs.w == nil {
		return nil
	}
	for _, u := range msg.updates {
		switch {
		case u.Finished != nil:
			m.onRunFinished(*u.Finished)
		case u.State == engine.FeedRetrying:
			m.runs.retrying = true
			m.engineLost(u.Err)
		case u.State == engine.FeedLive:
			if m.runs.retrying {
				m.restartPass() // what finished while it was down: reconcile once
			}
			m.runs.retrying = false
			m.engineAnswered()
		}
	}
	return waitRuns(m.runs.w.Updates())
}

// onRunFinished ends a run's tasks: each stays listed, marked with its
// end, until its window expires (finished.go). A finish that names no
// status (a cancel, on v0.105.0) reads cancelled.
func (m *Model) onRunFinished(f engine.RunFinished) {
	final := f.Final
	if final == "" {
		final = durable.StatusCancelled
	}
	for _, id := range slices.Clone(m.index.OfRun(f.RunID)) {
		st := m.tasks[id]
		if st == nil || (!st.task.Status.Active() && st.finished()) {
			continue
		}
		if m.detail() != nil && m.detail().taskID == id {
			m.detail().infoStale = true
		}
		m.finish(st, final)
	}
	m.reorder()
}
