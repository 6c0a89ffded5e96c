package model

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/keymap"
	"github.com/hatchtop/hatchtop/ui"
)

// workersEvery is the poll of the worker list while its screen is open.
const workersEvery = 5 * time.Second

// workersScreen is the tenant's workers: its own poll's answer, its cursor
// over the workers and which of the selected worker's tasks enter opens.
// Nothing polls the workers while it is closed or under another page.
type workersScreen struct {
	cursor, offset int
	id             string // the selected worker, kept across polls
	pick           int    // the picked task of the selected worker

	workers  []engine.Worker // sorted: active first, then by name
	err      error           // the last poll's refusal; the last list stays
	at       time.Time       // when the list was last answered
	inFlight bool
	nextAt   time.Time
}

// workersMsg is a poll's answer, for the screen that asked: one that was
// closed (or closed and opened again) drops it.
type workersMsg struct {
	screen  *workersScreen
	workers []engine.Worker
	err     error
}

// fetchWorkers asks for the list; s only travels back with the answer, to
// tell whose it is: the Cmd's goroutine never reads it.
func fetchWorkers(e engine.WorkerLister, s *workersScreen) tea.Cmd {
	return request(func(ctx context.Context) ([]engine.Worker, error) { return e.Workers(ctx) },
		func(w []engine.Worker, err error) tea.Msg { return workersMsg{screen: s, workers: w, err: err} })
}

// workers is the open workers screen, the topmost on the stack; nil when none.
func (m Model) workers() *workersScreen {
	s, _ := find[*workersScreen](m)
	return s
}

// shownWorkers is the workers screen when it is the page on show (the
// help, the messages or a dialog over it included); nil under a detail
// opened from it, or when it is closed.
func (m Model) shownWorkers() *workersScreen {
	for i := len(m.stack) - 1; i >= 0; i-- {
		switch s := m.stack[i].(type) {
		case *workersScreen:
			return s
		case *helpScreen, *messagesScreen:
			continue
		}
		if m.stack[i].layer() == pageLayer {
			return nil
		}
	}
	return nil
}

// scheduleWorkers polls the worker list every workersEvery while its
// screen is on show, spending a token of the scheduler's request budget.
func (m *Model) scheduleWorkers() tea.Cmd {
	s := m.shownWorkers()
	e, ok := m.engine.(engine.WorkerLister)
	if s == nil || !ok || s.inFlight || m.now.Before(s.nextAt) || !m.sched.requests.ok() {
		return nil
	}
	m.sched.requests.take()
	s.inFlight = true
	return fetchWorkers(e, s)
}

// onWorkers applies a poll. A refusal keeps the last list and says why;
// the rest of the app is not affected.
func (m *Model) onWorkers(msg workersMsg) {
	msg.screen.inFlight = false
	s := m.workers()
	if s != msg.screen {
		return
	}
	s.nextAt = m.now.Add(workersEvery)
	if msg.err != nil {
		s.err = msg.err
		return
	}
	s.err, s.at = nil, m.now
	s.workers = slices.Clone(msg.workers)
	slices.SortStableFunc(s.workers, func(a, b engine.Worker) int {
		return cmp.Or(cmp.Compare(statusRank(a.Status), statusRank(b.Status)), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	s.sync(m, false)
}

func statusRank(s string) int {
	switch s {
	case "ACTIVE":
		return 0
	case "PAUSED":
		return 1
	}
	return 2
}

// syncWorker hands the store the worker of a task's latest assignment,
// from its lifecycle events: the store keeps the tasks by worker (and the
// evicted ones by action) as they change, so the workers screen only reads
// them. It runs when the events change (rebuildDeadline).
func (m *Model) syncWorker(st *taskState) {
	m.index.SetWorker(st.task.ID, assignedWorker(st.events))
}

// assignedWorker is the worker of a task's latest assignment or start.
func assignedWorker(events []durable.TaskEvent) string {
	var at time.Time
	worker := ""
	for _, e := range events {
		if e.WorkerID != "" && (e.Type == durable.EventAssigned || e.Type == durable.EventStarted) && (worker == "" || e.At.After(at)) {
			worker, at = e.WorkerID, e.At
		}
	}
	return worker
}

// evictedFor is how many evicted tasks need one of the worker's actions.
func (m *Model) evictedFor(w engine.Worker) int {
	n := 0
	for _, a := range slices.Compact(slices.Sorted(slices.Values(w.Actions))) {
		n += m.index.EvictedOf(a)
	}
	return n
}

// selected is the selected worker and its active tasks.
func (s *workersScreen) selected(m *Model) (engine.Worker, []string, bool) {
	if len(s.workers) == 0 {
		return engine.Worker{}, nil, false
	}
	w := s.workers[clamp(s.cursor, 0, len(s.workers)-1)]
	return w, m.index.OnWorker(w.ID), true
}

// sync keeps the cursor on the selected worker as workers come and go,
// or, after a movement, the selected worker on the cursor.
func (s *workersScreen) sync(m *Model, followCursor bool) {
	if !followCursor {
		for i, w := range s.workers {
			if w.ID == s.id {
				s.cursor = i
			}
		}
	}
	s.cursor = clamp(s.cursor, 0, max(len(s.workers)-1, 0))
	if len(s.workers) == 0 {
		return
	}
	w, tasks, _ := s.selected(m)
	if w.ID != s.id {
		s.pick = 0
	}
	s.id = w.ID
	s.pick = clamp(s.pick, 0, max(len(tasks)-1, 0))
	// The selected worker's detail lines (actions, evicted, tasks) take
	// room under it.
	s.cursor, s.offset = keepInView(s.cursor, s.offset, len(s.workers), m.height-ui.WorkersChromeHeight-5-len(tasks))
}

func (*workersScreen) layer() layer { return pageLayer }

// helpNote is what the help says over this screen: where its rows come from.
func (*workersScreen) helpNote() string {
	return "The workers are asked for every " + durable.FormatDuration(workersEvery) + " while this screen is on show (worker:list). " +
		"A task's worker is its latest assignment's, from its lifecycle events, which are read for the list's rows on screen."
}

func (s *workersScreen) keys(m *Model) keymap.Workers {
	k := m.keys.Workers
	_, tasks, _ := s.selected(m)
	k.Open.SetEnabled(len(tasks) > 0)
	k.NextTask.SetEnabled(len(tasks) > 1)
	k.PrevTask.SetEnabled(len(tasks) > 1)
	return k
}

func (s *workersScreen) bindings(m *Model) help.KeyMap { return s.keys(m) }

func (s *workersScreen) update(m *Model, msg tea.KeyMsg) tea.Cmd {
	k := m.keys.Workers
	if cmd, ok := m.pageKeys(msg, k.Help, k.Quit, k.Messages); ok {
		return cmd
	}
	_, tasks, _ := s.selected(m)
	switch {
	case key.Matches(msg, k.Back):
		m.pop()
	case key.Matches(msg, k.Open):
		if len(tasks) > 0 {
			// The detail opens over this screen: esc comes back here.
			m.selectTask(tasks[clamp(s.pick, 0, len(tasks)-1)])
			m.openDetail()
		}
	case key.Matches(msg, k.NextTask), key.Matches(msg, k.PrevTask):
		if n := len(tasks); n > 1 {
			step := 1
			if key.Matches(msg, k.PrevTask) {
				step = n - 1
			}
			s.pick = (s.pick + step) % n
		}
	default:
		if step, ok := navStep(msg, k.Nav, m.height-ui.WorkersChromeHeight); ok {
			s.cursor += step
			s.sync(m, true)
		}
	}
	return nil
}

func (s *workersScreen) view(m *Model) string {
	rows := make([]ui.WorkerRow, len(s.workers))
	cursor := clamp(s.cursor, 0, max(len(s.workers)-1, 0))
	for i, w := range s.workers {
		r := ui.WorkerRow{Name: w.Name, Status: w.Status, Heartbeat: m.ago(w.LastHeartbeatAt), Actions: w.Actions,
			Tasks: len(m.index.OnWorker(w.ID)), Selected: i == cursor}
		r.Slots = slotsText(w.Slots, engine.SlotDefault)
		r.Durable = slotsText(w.Slots, engine.SlotDurable)
		if r.Selected {
			r.Evicted = m.evictedFor(w)
			ids := m.index.OnWorker(w.ID)
			pick := clamp(s.pick, 0, max(len(ids)-1, 0))
			// Only the task lines that fit are made, the picked one among
			// them: a worker may hold thousands.
			// The table's lines less its header, the workers above, this
			// one's line and two of its actions and evicted count.
			from, to := taskWindow(len(ids), pick, m.height-ui.WorkersChromeHeight-4-(i-s.offset))
			r.TasksBefore, r.TasksAfter = from, len(ids)-to
			for j := from; j < to; j++ {
				id := ids[j]
				st := m.tasks[id]
				t := ui.WorkerTask{Task: st.task.Name, Workflow: st.task.WorkflowName, Status: string(st.task.Phase()),
					Elapsed: durable.FormatDuration(st.task.Elapsed(m.now).Truncate(time.Second)), Selected: len(ids) > 1 && j == pick}
				if len(st.waits) > 0 {
					t.Wait = st.waits[0].Title()
				}
				r.TaskLines = append(r.TaskLines, t)
			}
		}
		rows[i] = r
	}
	empty := "no worker sent a heartbeat in the last 24 hours"
	if s.at.IsZero() {
		empty = "loading…"
	}
	refusal := ""
	if _, ok := m.engine.(engine.WorkerLister); !ok {
		refusal, empty = "this engine connection cannot list workers", ""
	} else if s.err != nil {
		refusal = s.err.Error() + " (asked again every " + durable.FormatDuration(workersEvery) + ")"
		if s.at.IsZero() {
			empty = ""
		}
	}
	note := ui.Count(len(s.workers), "worker") + " · every " + durable.FormatDuration(workersEvery) + " while open"
	if !s.at.IsZero() {
		note += " · updated " + m.ago(s.at)
	}
	// A task's worker is in its lifecycle events, which are read for the
	// list's rows on screen: say how many of the running tasks that covers.
	running, assigned := m.index.RunningTasks()
	note += " · worker known for " + strconv.Itoa(assigned) + " of " + ui.Count(running, "running task")
	title, n := ui.WorkersTitle(note, refusal, m.width, m.styles)
	h := max(m.height-ui.WorkersChromeHeight-(n-1), 2)
	return ui.Header(m.headerData(), m.width, m.styles) + "\n" + title + "\n" +
		ui.WorkersTable(rows, s.offset, m.width, h, empty, m.styles)
}

// taskWindow is the task lines of the selected worker to make: at most
// room of n (less the lines that say how many are left out), the picked
// one among them.
func taskWindow(n, pick, room int) (from, to int) {
	if n <= max(room, 1) {
		return 0, n
	}
	room = max(room-2, 1) // the "more before" and "more" lines
	from = clamp(pick-room+1, 0, n-room)
	return from, from + room
}

// ago is how long before now t was, in whole seconds; "never" when zero.
func (m *Model) ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return durable.FormatDuration(max(m.now.Sub(t), 0).Truncate(time.Second)) + " ago"
}

// slotsText is a slot type as used/total, "?/total" when the free count
// is unknown, "" when the worker has none of that type.
func slotsText(slots map[string]engine.Slots, kind string) string {
	s, ok := slots[kind]
	if !ok {
		return ""
	}
	used := "?"
	if u := s.Used(); u >= 0 {
		used = strconv.Itoa(u)
	}
	return used + "/" + strconv.Itoa(s.Limit)
}
