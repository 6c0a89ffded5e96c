package model

import (
	"errors"
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/ui"
)

// Init starts the clock; the startMsg it sends makes the first Update
// schedule the first fetches at once.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.tick(), func() tea.Msg { return startMsg{} }}
	if m.feeds != nil {
		cmds = append(cmds, waitFeed(m.feeds.Updates()))
	}
	return tea.Batch(cmds...)
}

// Update applies one message. It never blocks: fetches are returned as Cmds.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmds []tea.Cmd
	if changesStore(msg) {
		m.rev++
	}
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.Width = msg.Width
		m.filter.Width = max(msg.Width-40, 10) // room for the filter keys
		m.clampCursor()
		for _, s := range m.stack {
			if in, ok := s.(inputScreen); ok {
				in.setSize(msg.Width, msg.Height)
			}
		}
	case tickMsg:
		m.now = time.Time(msg)
		cmds = append(cmds, m.tick())
		if !m.toast.until.IsZero() && !m.now.Before(m.toast.until) {
			m.toast = toast{}
		}
		m.expireFinished()
	case versionMsg:
		m.sched.versionInFlight = false
		if msg.err != nil {
			m.sched.versionRetryAt = m.now.Add(errorRetryAfter)
		} else {
			m.version = msg.version
		}
	case listMsg:
		m.onList(msg)
	case firstPageMsg:
		m.onFirstPage(msg)
	case runWatchStartedMsg:
		cmds = append(cmds, m.onRunWatchStarted(msg))
	case runsMsg:
		if c := m.onRuns(msg); c != nil {
			cmds = append(cmds, c)
		}
	case screenMsg:
		m.onScreen(msg)
	case passMsg:
		m.onPass(msg)
	case probeMsg:
		m.onProbe(msg)
	case logMsg:
		m.onLog(msg)
	case configMsg:
		m.onConfig(msg)
	case eventsMsg:
		m.onEvents(msg)
	case signalsMsg:
		m.onSignals(msg)
	case profilesMsg:
		m.onProfiles(msg)
	case SwitchFailedMsg:
		m.onSwitchFailed(msg)
	case workersMsg:
		m.onWorkers(msg)
	case detailMsg:
		m.onDetail(msg)
		m.onDetailFinal(msg)
	case finalMsg:
		m.onFinal(msg)
	case logLinesMsg:
		m.onLogLines(msg)
	case childrenMsg:
		m.onChildren(msg)
	case actionDoneMsg:
		m.onActionDone(msg)
	case spinner.TickMsg:
		if m.busy != nil {
			var cmd tea.Cmd
			m.busy.spin, cmd = m.busy.spin.Update(msg)
			cmds = append(cmds, cmd)
		}
	case feedMsg:
		if msg.closed {
			break // the program is ending
		}
		m.onFeed(msg.update)
		for _, u := range msg.more {
			m.onFeed(u)
		}
		if m.feeds != nil {
			cmds = append(cmds, waitFeed(m.feeds.Updates()))
		}
	case tea.KeyMsg:
		var cmd tea.Cmd
		m, cmd = m.onKeys(msg)
		if cmd != nil {
			return m, cmd
		}
	default:
		// Cursor blinks and the like belong to the open input.
		if in, ok := m.top().(inputScreen); ok {
			cmds = append(cmds, in.input(msg))
		}
	}
	if !m.index.Sorted() {
		m.reorder() // a sort key moved (sort.go)
	}
	if len(m.watches) > 0 {
		m.checkWatches()
	}
	if c := m.flushAttention(); c != nil {
		cmds = append(cmds, c)
	}
	cmds = append(cmds, m.schedule()...)
	if c := m.steerFeeds(); c != nil {
		cmds = append(cmds, c)
	}
	return m, tea.Batch(cmds...)
}

// listAnswered records a list answer (a whole poll or a screen query):
// the connection state and, on success, a new list generation. It says
// whether the answer carries rows.
func (m *Model) listAnswered(err error) bool {
	m.onListAnswer(err)
	if err != nil {
		m.conn = connError(err)
		return false
	}
	m.conn = ui.Conn{Kind: ui.Live}
	m.updated = m.now
	m.message = ""
	m.listGen++
	return true
}

func (m *Model) onList(msg listMsg) {
	if !m.listAnswered(msg.err) {
		return
	}
	for _, t := range msg.tasks {
		m.listed(t, m.sched.listSentAt).listGen = m.listGen
	}
	for _, st := range m.tasks {
		if st.listGen != m.listGen {
			m.goneFromList(st) // kept, marked finished (finished.go)
		}
	}
	m.reorder()
}

// mergeTask applies what a list answer says of a task: a new one is
// added, a known one whose status, start or eviction changed is marked
// stale (its log and events are fetched again).
func (m *Model) mergeTask(t durable.Task) *taskState {
	st, ok := m.tasks[t.ID]
	if !ok {
		return m.addTask(t)
	}
	if t.Status != st.task.Status || t.Evicted != st.task.Evicted || !t.StartedAt.Equal(st.task.StartedAt) {
		m.markStale(t.ID)
	}
	if t.VersionID != st.task.VersionID || t.ActionID != st.task.ActionID || t.Name != st.task.Name {
		if key := configKey(t); key != st.cfgKey {
			st.cfgKey = key
			m.sched.dueConfigs.Add(t.ID, m.now)
		}
	}
	m.setTask(st, t)
	return st
}

// dropTask forgets a task no longer active, with its marks and, unless
// the detail shows it, its stream.
func (m *Model) dropTask(id string) {
	m.removeTask(id)
	delete(m.marks, id)
	if m.detail() == nil || m.detail().taskID != id {
		delete(m.streams, id) // the open detail keeps its stream
	}
}

// connError turns a failed poll into the header's connection state: a
// rejected token will not heal, anything else is retried. The reason is
// whole: the header shows the state alone, the help the reason.
func connError(err error) ui.Conn {
	if errors.Is(err, engine.ErrUnauthorized) {
		return ui.Conn{Kind: ui.Failed, Reason: "token rejected"}
	}
	return ui.Conn{Kind: ui.Reconnecting, Reason: err.Error()}
}

func (m *Model) onLog(msg logMsg) {
	delete(m.sched.logsInFlight, msg.taskID)
	if d := m.detail(); d != nil && d.taskID == msg.taskID && msg.err == nil {
		d.entries, d.entriesAt = msg.entries, m.now
	}
	st, ok := m.tasks[msg.taskID]
	if !ok {
		return // the task left the list while its log was in flight
	}
	if st.finished() && msg.err == nil {
		// The final read for the open detail: its waits stay closed.
		st.entries, st.logAt = msg.entries, m.now
		st.fin.logReads++
		return
	}
	if msg.err != nil {
		// A task just created may not be readable yet (404): try again soon.
		st.retryAt = m.now.Add(errorRetryAfter)
		if st.logAt.IsZero() {
			m.sched.dueFirst.Add(msg.taskID, st.retryAt) // still a first sight
		} else {
			m.sched.dueLogs.Add(msg.taskID, st.retryAt)
		}
		if !errors.Is(msg.err, engine.ErrNotFound) {
			m.message = "event log: " + msg.err.Error()
		}
		return
	}
	st.entries = msg.entries
	old := st.waits
	st.waits = durable.OpenWaits(msg.entries)
	st.stale = false
	m.indexWaits(msg.taskID, old, st.waits)
	m.observeWaits(st) // before logAt: --notify tells a first sight apart
	st.logAt = m.now
	m.syncSortKeys(st)
	if !st.recheckAt.IsZero() {
		if waitsForEvent(st) && m.now.Before(st.recheckAt) {
			m.sched.dueLogs.Add(msg.taskID, st.recheckAt)
		} else {
			st.recheckAt = time.Time{} // read after the recheck's time, or nothing left to wake
		}
	}
	if waitOpened(old, st.waits) {
		// A new wait may come with a refreshed timeout: read the events.
		st.eventsStale = true // read when on screen: only rows on screen show it
	}
	m.queueAfterLog(st)
	if m.filter.Value() != "" {
		m.applyFilter() // labels and keys take part in the filter
	}
}

func (m *Model) onConfig(msg configMsg) {
	delete(m.sched.configInFlight, msg.key)
	if msg.err != nil {
		at := m.now.Add(errorRetryAfter)
		m.sched.configRetryAt[msg.key] = at
		m.sched.dueConfigs.Add(msg.taskID, at)
		return
	}
	m.sched.configs[msg.key] = msg.cfg
	for _, st := range m.tasks {
		if st.cfgKey == msg.key {
			m.rebuildDeadline(st)
		}
	}
}

// onKeys splits typed-ahead runes ("/pay" read in one go over a slow link
// or from tmux) into single keys, so "/" still opens the filter and the
// rest lands in it. Pastes stay whole.
func (m Model) onKeys(msg tea.KeyMsg) (Model, tea.Cmd) {
	if msg.Type != tea.KeyRunes || msg.Paste || len(msg.Runes) < 2 {
		return m.onKey(msg)
	}
	var cmds []tea.Cmd
	for _, r := range msg.Runes {
		var cmd tea.Cmd
		m, cmd = m.onKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt})
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) move(delta int) {
	m.cursor += delta
	m.clampCursor()
}

// waitOpened reports whether now holds a wait that was not open before.
func waitOpened(before, now []durable.Wait) bool {
	for _, w := range now {
		if !slices.ContainsFunc(before, func(b durable.Wait) bool { return b.Key == w.Key }) {
			return true
		}
	}
	return false
}
