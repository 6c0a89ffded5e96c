// Package model holds hatchtop's Bubble Tea state and its Update. The root
// Model is the store (tasks, order, scheduler, feeds, clock) and a stack of
// screens (screen.go) that get the keys and draw themselves; actions are
// rows of a table (actions_table.go). All I/O happens in Cmds (request in
// cmds.go, runAction); Update only moves state and decides, through the
// scheduler, what to fetch next.
package model

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/keymap"
	"github.com/hatchtop/hatchtop/store"
	"github.com/hatchtop/hatchtop/ui"
)

// Deps is what the model is built from.
type Deps struct {
	Engine  engine.Engine
	Since   time.Duration // how far back to look for active tasks
	Refresh time.Duration // poll interval of the active list
	Now     time.Time     // the clock's first reading; ticks move it
	Styles  ui.Styles
	Keys    keymap.KeyMap
	// Feeds is the live-feed manager; nil runs on polls alone.
	Feeds Feeds
	// TimeoutWarn marks a waiting task whose time to timeout is under it.
	TimeoutWarn time.Duration
	// ReadOnly refuses every change before anything is sent.
	ReadOnly bool
	// WholeList polls the whole active list every refresh, as on an
	// engine that cannot page by creation time (tests of that way).
	WholeList bool
	// Attention rings the terminal for new event waits (--notify); nil
	// is off (attention.go).
	Attention *Attention
	// Finished is how long a finished task stays listed (finished.go);
	// zero is the default, 10 minutes.
	Finished time.Duration
	// Profiles reads the tenants the switcher offers (screen_profiles.go);
	// it does I/O and runs in a Cmd. nil switches P off.
	Profiles func() engine.Profiles
	// Tick is the clock's next tick; nil is a real one a second from
	// now. Tests outside the package stop the clock with it.
	Tick func() tea.Cmd
}

// taskState is what the model knows of one active task.
type taskState struct {
	task    durable.Task
	cfgKey  string // configKey(task), kept to spare the scheduler an allocation per tick
	entries []durable.Entry
	waits   []durable.Wait // open waits, derived from entries
	logAt   time.Time      // when the log was last fetched; zero if never
	stale   bool           // the task changed since its log was fetched
	retryAt time.Time      // no log fetch before this (after an error)
	// recheckAt is when a task an event woke is read once more; zero
	// when no such read is owed.
	recheckAt time.Time

	events        []durable.TaskEvent // its lifecycle events: timeout, eviction
	eventsAt      time.Time
	eventsStale   bool
	eventsRetryAt time.Time
	timeoutHint   time.Time // the deadline RefreshTimeout answered, until events show it
	deadline      time.Time // rebuilt by rebuildDeadline; valid when deadlineOK
	deadlineOK    bool

	listGen uint64 // the last list poll that held it
	passGen uint64 // the last reconciliation pass that returned it

	fin *finState // set once it finished: kept, not polled (finished.go)
}

// Model is the root state of the dashboard.
type Model struct {
	engine  engine.Engine
	info    engine.Info
	since   time.Duration
	refresh time.Duration
	styles  ui.Styles
	keys    keymap.KeyMap
	help    help.Model

	now     time.Time
	width   int
	height  int
	version string
	conn    ui.Conn
	updated time.Time // when the list last loaded; zero before
	message string    // the footer's last error, cleared by the next success

	tasks      map[string]*taskState
	index      *store.Tasks // the tasks' order, counts and runs, kept as they change
	listGen    uint64       // list polls applied, to find the tasks a poll left out
	order      []string     // every task id, newest first (the index's)
	shown      []string     // the ids that pass the filter, in order
	cursor     int          // index into shown
	offset     int          // first shown row on screen
	selectedID string       // keeps the cursor on its task across reloads

	filter textinput.Model

	// stack is what is on show: the list at the bottom, the top screen
	// gets the keys (screen.go).
	stack   []screen
	streams map[string]*streamBuf // put_stream output by task id
	rev     uint64                // bumped by every message that may change the store
	cache   *viewCache            // what the views derived at rev

	feeds       Feeds
	steer       *feedSteer
	feedWant    []string // the run ids last asked for
	feedSeq     uint64
	feed        feedState
	timeoutWarn time.Duration

	readOnly bool
	marks    map[string]bool   // tasks marked for a bulk cancel
	scopes   map[string]string // the scope last sent with each event key
	busy     *busyState
	toast    toast
	notes    []note // the last feedback, for the messages screen
	watches  []watch

	sched     scheduler
	wholeList bool           // membership by whole-list polls, not pages
	pass      passState      // the paced reconciliation (membership.go)
	runs      *runWatchState // finishes by push (runs.go)
	signals   *signalState   // event waits woken by the events list (signals.go)
	fin       *finishedState // finished tasks: window, toggle, expiry (finished.go)
	tick      func() tea.Cmd // the clock's next tick; tests replace it

	attn *attentionState // --notify; nil when off

	profiles func() engine.Profiles // nil: no switcher
}

// New builds the model; nothing is fetched until Init's Cmds run.
func New(d Deps) Model {
	fi := textinput.New()
	fi.Prompt = "/"
	fi.Placeholder = "task, workflow, status, wait or event key"
	// The bubbles' defaults are built on lipgloss's global renderer, not the
	// one probed for this terminal: dress them in its Styles.
	ui.StyleTextInput(&fi, d.Styles)
	h := help.New()
	h.Styles = ui.HelpStyles(d.Styles)
	warn := d.TimeoutWarn
	if warn <= 0 {
		warn = time.Minute
	}
	keys := d.Keys // read-only switches the actions off in each screen's bindings
	var steer *feedSteer
	if d.Feeds != nil {
		steer = &feedSteer{feeds: d.Feeds}
	}
	next := d.Tick
	if next == nil {
		next = tick
	}
	return Model{
		engine:  d.Engine,
		info:    d.Engine.Info(),
		since:   d.Since,
		refresh: d.Refresh,
		styles:  d.Styles,
		keys:    keys,
		help:    h,
		now:     d.Now,
		tasks:   map[string]*taskState{},
		index:   store.New(),
		filter:  fi,
		stack:   []screen{&listScreen{}},
		cache:   &viewCache{},
		sched:   newScheduler(),
		tick:    next,

		streams:     map[string]*streamBuf{},
		feeds:       d.Feeds,
		steer:       steer,
		feed:        newFeedState(),
		timeoutWarn: warn,
		readOnly:    d.ReadOnly,
		wholeList:   d.WholeList,
		runs:        &runWatchState{},
		signals:     newSignalState(),
		fin:         newFinished(d.Finished),
		marks:       map[string]bool{},
		scopes:      map[string]string{},
		attn:        newAttention(d.Attention, d.Now),
		profiles:    d.Profiles,
	}
}

// addTask starts tracking a task seen for the first time: it is indexed
// and its fetches are queued at once.
func (m *Model) addTask(t durable.Task) *taskState {
	st := &taskState{task: t, cfgKey: configKey(t)}
	m.tasks[t.ID] = st
	m.index.Put(t)
	m.runAdded(t.RunID)
	m.queueFirstSight(t.ID)
	m.sched.dueConfigs.Add(t.ID, m.now)
	return st
}

// setTask replaces what is known of a task's summary, keeping the index's
// counts and order in step.
func (m *Model) setTask(st *taskState, t durable.Task) {
	st.task = t
	m.index.Put(t)
	m.syncSortKeys(st) // the time to timeout counts while it runs
}

// removeTask forgets a task that left the list.
func (m *Model) removeTask(id string) {
	st, ok := m.tasks[id]
	if ok {
		m.forgetFinished(st)
	}
	delete(m.tasks, id)
	m.index.Remove(id)
	if ok {
		m.runRemoved(st.task.RunID)
		m.indexWaits(id, st.waits, nil)
	}
}

// bodyHeight is the number of table rows that fit on screen.
func (m Model) bodyHeight() int { return max(m.height-ui.ListChromeHeight, 1) }

// visibleIDs is the window of shown rows on screen.
func (m Model) visibleIDs() []string {
	end := min(m.offset+m.bodyHeight(), len(m.shown))
	if m.offset >= end {
		return nil
	}
	return m.shown[m.offset:end]
}

// reorder takes the index's order (sorted again only if a task came, went
// or moved) and recomputes the filtered rows, keeping the cursor on the
// selected task when it is still shown.
func (m *Model) reorder() {
	m.order = m.index.Order()
	m.applyFilter()
}

func (m *Model) applyFilter() {
	q := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	if q == "" && m.fin.show == showAll {
		// Every task is a row: the order as it is, and the cursor's task
		// found by the order's search, without a look at each task.
		m.shown = append(m.shown[:0], m.order...)
		m.cursor, _ = m.index.Position(m.selectedID)
		m.clampCursor()
		return
	}
	m.shown = m.shown[:0]
	for _, id := range m.order {
		if !m.shows(m.tasks[id]) {
			continue
		}
		if q == "" || matches(m.tasks[id], q) {
			m.shown = append(m.shown, id)
		}
	}
	m.cursor = 0
	for i, id := range m.shown {
		if id == m.selectedID {
			m.cursor = i
		}
	}
	m.clampCursor()
}

// matches reports whether what the row shows contains q (already
// lowercased): the task's name, workflow and status word, its waits'
// labels, ON text and event keys.
func matches(t *taskState, q string) bool {
	fields := []string{t.task.Name, t.task.WorkflowName, string(t.task.Phase())}
	if t.fin != nil {
		fields = append(fields, t.fin.label, t.fin.errLine) // a finished row keeps its last label
	}
	for _, w := range t.waits {
		fields = append(fields, w.Title(), w.Summary())
		fields = append(fields, w.EventKeys...)
	}
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	return false
}

// clampCursor keeps the cursor on a row and the row on screen.
func (m *Model) clampCursor() {
	m.cursor, m.offset = keepInView(m.cursor, m.offset, len(m.shown), m.bodyHeight())
	if len(m.shown) > 0 {
		m.selectedID = m.shown[m.cursor]
	}
}

// keepInView is the one cursor clamp of every screen: the cursor on one
// of n items, and the first item shown moved so that it is among the h
// on screen, with no blank room after the last.
func keepInView(cursor, offset, n, h int) (int, int) {
	cursor = clamp(cursor, 0, max(n-1, 0))
	h = max(h, 1)
	if cursor < offset {
		offset = cursor
	}
	if cursor >= offset+h {
		offset = cursor - h + 1
	}
	return cursor, clamp(offset, 0, max(n-h, 0))
}
