package model

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/muesli/termenv"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/keymap"
	"github.com/hatchtop/hatchtop/ui"
)

// workersEngine is the fake engine with a worker list.
type workersEngine struct {
	*fake.Engine
	mu      sync.Mutex
	workers []engine.Worker
	err     error
	calls   int
}

func (w *workersEngine) Workers(context.Context) ([]engine.Worker, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls++
	return w.workers, w.err
}

func (w *workersEngine) asked() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.calls
}

func modelOn(t *testing.T, e engine.Engine) Model {
	t.Helper()
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	m := New(Deps{Engine: e, Since: 24 * time.Hour, Refresh: 2 * time.Second, Now: t0,
		Styles: ui.NewStyles(r), Keys: keymap.Default(), WholeList: true})
	m.tick = func() tea.Cmd { return nil }
	m.width, m.height = 120, 30
	return step(t, m, startMsg{})
}

const (
	workerA = "6f1c2a9e-0000-4000-8000-00000000000a"
	workerB = "6f1c2a9e-0000-4000-8000-00000000000b"
)

// workersFixture: two tasks running on worker A (by their assignment
// events), one evicted task of A's action, and an idle worker B.
func workersFixture() *workersEngine {
	f := fake.New()
	pay, nap, gone := durableTask("t1", "pay", -time.Minute), durableTask("t2", "nap", -2*time.Minute), durableTask("t3", "parked", -3*time.Minute)
	pay.ActionID, nap.ActionID, gone.ActionID = "demo:pay", "demo:nap", "demo:nap"
	gone.Evicted = true
	f.SetTasks(pay, nap, gone)
	f.SetLog("t1", eventEntry(1, "awaiting payment", t0, "payment:confirmed"))
	f.SetLog("t2", sleepEntry(1, "cooling down", t0, 10*time.Minute))
	f.SetEvents("t1", durable.TaskEvent{ID: 2, Type: durable.EventStarted, At: t0.Add(-50 * time.Second), WorkerID: workerA},
		durable.TaskEvent{ID: 1, Type: durable.EventAssigned, At: t0.Add(-55 * time.Second), WorkerID: workerA})
	f.SetEvents("t2", durable.TaskEvent{ID: 3, Type: durable.EventAssigned, At: t0.Add(-90 * time.Second), WorkerID: workerA})
	return &workersEngine{Engine: f, workers: []engine.Worker{
		{ID: workerB, Name: "spare", Status: "INACTIVE", LastHeartbeatAt: t0.Add(-time.Hour), Actions: []string{"demo:pay"},
			Slots: map[string]engine.Slots{engine.SlotDefault: {Limit: 2, Available: -1}}},
		{ID: workerA, Name: "hatchtop-e2e", Status: "ACTIVE", LastHeartbeatAt: t0.Add(-2 * time.Second), Actions: []string{"demo:pay", "demo:nap"},
			Slots: map[string]engine.Slots{engine.SlotDefault: {Limit: 5, Available: 3}, engine.SlotDurable: {Limit: 1000, Available: 998}}},
	}}
}

// The list is asked for only while the screen is on show: at once, then
// every 5 s, not under a detail opened from it, and never after esc.
func TestWorkersPolledOnlyWhileOpen(t *testing.T) {
	w := workersFixture()
	m := modelOn(t, w)
	for s := 1; s <= 10; s++ {
		m = at(t, m, time.Duration(s)*time.Second)
	}
	if n := w.asked(); n != 0 {
		t.Fatalf("workers asked %d times with the screen closed", n)
	}
	m = step(t, m, press("W"))
	if n := w.asked(); n != 1 {
		t.Fatalf("opening asked %d times, want 1", n)
	}
	for s := 11; s <= 20; s++ {
		m = at(t, m, time.Duration(s)*time.Second)
	}
	if n := w.asked(); n != 3 { // at 10 s, 15 s and 20 s
		t.Errorf("10 s open asked %d times, want 3", n)
	}
	// Under a task's detail opened from it, it is not polled either.
	m = step(t, m, press("enter"))
	if m.detail() == nil {
		t.Fatal("enter opened no detail")
	}
	for s := 21; s <= 30; s++ {
		m = at(t, m, time.Duration(s)*time.Second)
	}
	if n := w.asked(); n != 3 {
		t.Errorf("asked %d times under the detail, want still 3", n)
	}
	m = step(t, m, press("esc")) // back on show: due at once
	if n := w.asked(); n != 4 {
		t.Errorf("asked %d times back from the detail, want 4", n)
	}
	m = step(t, m, press("esc"))
	if m.workers() != nil {
		t.Fatal("esc did not close the screen")
	}
	for s := 31; s <= 70; s++ {
		m = at(t, m, time.Duration(s)*time.Second)
	}
	if n := w.asked(); n != 4 {
		t.Errorf("asked %d times after esc, want still 4", n)
	}
}

// An answer for a screen that was closed meanwhile is dropped.
func TestWorkersLateAnswerDropped(t *testing.T) {
	w := workersFixture()
	m := modelOn(t, w)
	m = update(m, press("W")) // the poll's Cmd is not run
	old := m.workers()
	m = update(m, press("esc"))
	m = step(t, m, workersMsg{screen: old, workers: w.workers})
	if m.workers() != nil || !old.at.IsZero() {
		t.Error("a closed screen took an answer")
	}
}

func TestWorkersShowTasksAndOpenThem(t *testing.T) {
	w := workersFixture()
	m := modelOn(t, w)
	m = step(t, m, press("W"))
	view := m.View()
	for _, want := range []string{"hatchtop-e2e", "ACTIVE", "2s ago", "2/5", "2/1000", "actions: demo:pay, demo:nap",
		"1 evicted task of its actions waits to be restored into a slot", "└ > pay  pay  running  1m  awaiting payment", "└   nap  nap  running  2m  cooling down",
		"worker known for 2 of 2 running tasks", "spare", "?/2", "1h ago"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	// ACTIVE goes first: the cursor is on hatchtop-e2e.
	if s := m.workers(); s.id != workerA {
		t.Fatalf("selected %q", s.id)
	}
	m = step(t, m, press("tab"))
	m = step(t, m, press("enter"))
	d := m.detail()
	if d == nil || d.taskID != "t2" {
		t.Fatalf("enter opened %+v, want t2's detail", d)
	}
	m = step(t, m, press("esc"))
	if _, ok := topIs[*workersScreen](m); !ok {
		t.Fatal("esc from the detail did not come back to the workers")
	}
	// The help lists the screen's keys; esc comes back.
	m = step(t, m, press("?"))
	if view := m.View(); !strings.Contains(view, "next task") || !strings.Contains(view, "open task") || !strings.Contains(view, "while this screen is on show") {
		t.Errorf("help over the workers:\n%s", view)
	}
	m = step(t, m, press("esc"))
	m = step(t, m, press("j"))
	if s := m.workers(); s.id != workerB {
		t.Fatalf("j selected %q", s.id)
	}
	view = m.View()
	if !strings.Contains(view, "no active task known on it") || strings.Contains(view, "evicted task") {
		t.Errorf("worker B's lines:\n%s", view)
	}
	if k := m.top().bindings(&m).(keymap.Workers); k.Open.Enabled() {
		t.Error("enter is on for a worker with no task")
	}
	m = step(t, m, press("enter")) // nothing to open
	if m.detail() != nil {
		t.Error("enter opened a detail from a worker with no task")
	}
}

// A refusal is one line; the last list stays, and the rest of the app
// goes on.
func TestWorkersRefusal(t *testing.T) {
	for _, tc := range []struct{ name, err string }{
		{"forbidden", "list workers: the engine at http://localhost:8080 rejected the token (HTTP 403: forbidden)"},
		{"not found", "list workers: the workers not found"},
		{"server error", "list workers: the API at http://localhost:8080 answered HTTP 500: could not list worker slot config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := workersFixture()
			w.err = errors.New(tc.err)
			m := modelOn(t, w)
			m = step(t, m, press("W"))
			view := m.View()
			// The reason is read whole, wrapped under the title.
			if flat := strings.Join(strings.Fields(view), " "); !strings.Contains(flat, "✘ "+tc.err+" (asked again every 5s)") {
				t.Errorf("refusal not shown whole:\n%s", view)
			}
			if strings.Contains(view, "loading") {
				t.Errorf("a refused list still says loading:\n%s", view)
			}
			m = step(t, m, press("esc"))
			if m.message != "" || !strings.Contains(m.View(), "pay") {
				t.Errorf("the list was affected: %q\n%s", m.message, m.View())
			}
		})
	}
	t.Run("keeps the last list", func(t *testing.T) {
		w := workersFixture()
		m := modelOn(t, w)
		m = step(t, m, press("W"))
		w.mu.Lock()
		w.err = errors.New("list workers: the engine is unreachable")
		w.mu.Unlock()
		m = at(t, m, 5*time.Second)
		view := m.View()
		if !strings.Contains(view, "the engine is unreachable") || !strings.Contains(view, "hatchtop-e2e") {
			t.Errorf("view:\n%s", view)
		}
	})
	t.Run("engine without a worker list", func(t *testing.T) {
		m := modelOn(t, workersFixture().Engine)
		m = step(t, m, press("W"))
		if view := m.View(); !strings.Contains(view, "cannot list workers") || strings.Contains(view, "loading") {
			t.Errorf("view:\n%s", view)
		}
	})
}

// Names and actions are engine text: cleaned before they reach the screen.
func TestWorkersTextIsCleaned(t *testing.T) {
	w := workersFixture()
	w.workers[1].Name = "evil\x1b[31mred\u202e"
	w.workers[1].Actions = []string{"demo:\x1b]0;title\x07pay"}
	m := modelOn(t, w)
	m = step(t, m, press("W"))
	if view := m.View(); strings.ContainsAny(view, "\x1b\x07\u202e") {
		t.Errorf("raw control characters on screen: %q", view)
	}
}

func TestWorkersGolden(t *testing.T) {
	w := workersFixture()
	m := modelOn(t, w)
	m.width, m.height = 100, 16
	m = step(t, m, press("W"))
	m = at(t, m, 3*time.Second)
	golden.RequireEqual(t, []byte(m.View()))
	t.Run("80", func(t *testing.T) {
		m.width, m.height = 80, 12
		out := m.View()
		belowLastColumn(t, out, 80)
		golden.RequireEqual(t, []byte(out))
	})
}

// The store keeps the tasks by worker as they change: a task assigned
// elsewhere moves, an evicted one counts for its action, a finished one
// and one that left the list drop out, and the screen only reads it.
func TestWorkersFollowTheStoreAsTasksChange(t *testing.T) {
	w := workersFixture()
	m := modelOn(t, w)
	m = step(t, m, press("W"))
	if got := m.index.OnWorker(workerA); !slices.Equal(got, []string{"t1", "t2"}) {
		t.Fatalf("on A: %v", got)
	}
	// t2 is assigned to B now.
	m = step(t, m, eventsMsg{taskID: "t2", events: []durable.TaskEvent{
		{ID: 3, Type: durable.EventAssigned, At: t0.Add(-90 * time.Second), WorkerID: workerA},
		{ID: 4, Type: durable.EventAssigned, At: t0.Add(-10 * time.Second), WorkerID: workerB}}})
	if a, b := m.index.OnWorker(workerA), m.index.OnWorker(workerB); !slices.Equal(a, []string{"t1"}) || !slices.Equal(b, []string{"t2"}) {
		t.Fatalf("after t2 moved: A %v, B %v", a, b)
	}
	if !strings.Contains(m.View(), "worker known for 2 of 2 running tasks") {
		t.Errorf("view:\n%s", m.View())
	}
	// t1 is evicted: no longer on A, one more evicted task of demo:pay.
	st := m.tasks["t1"]
	ev := st.task
	ev.Evicted = true
	m.setTask(st, ev)
	if a := m.index.OnWorker(workerA); len(a) != 0 || m.index.EvictedOf("demo:pay") != 1 {
		t.Fatalf("after t1's eviction: A %v, evicted of demo:pay %d", a, m.index.EvictedOf("demo:pay"))
	}
	// t2 finishes; then it leaves the list.
	st = m.tasks["t2"]
	done := st.task
	done.Status = durable.StatusCompleted
	m.setTask(st, done)
	if b := m.index.OnWorker(workerB); len(b) != 0 {
		t.Fatalf("a finished task is still on B: %v", b)
	}
	m.removeTask("t3")
	if running, assigned := m.index.RunningTasks(); running != 0 || assigned != 0 || m.index.EvictedOf("demo:nap") != 0 {
		t.Fatalf("running %d, assigned %d, evicted of demo:nap %d", running, assigned, m.index.EvictedOf("demo:nap"))
	}
}

// A worker with more tasks than fit gets as many task lines as the screen
// holds, the picked one among them, and says how many are left out.
func TestWorkersWithManyTasksMakeTheLinesThatFit(t *testing.T) {
	w := workersFixture()
	tasks := []durable.Task{}
	for i := range 60 {
		id := fmt.Sprintf("m%02d", i)
		tk := durableTask(id, id, -time.Duration(i)*time.Second)
		tk.ActionID = "demo:nap"
		tasks = append(tasks, tk)
	}
	w.Engine.SetTasks(tasks...)
	m := modelOn(t, w)
	// Their events as the scheduler would read them, in time.
	for i, tk := range tasks {
		st := m.tasks[tk.ID]
		st.events = []durable.TaskEvent{{ID: i + 1, Type: durable.EventAssigned, At: t0, WorkerID: workerA}}
		m.rebuildDeadline(st)
	}
	m = step(t, m, press("W"))
	for s := 1; s <= 10 && m.workers().at.IsZero(); s++ {
		m = at(t, m, time.Duration(s)*time.Second)
	}
	view := m.View()
	if !strings.Contains(view, "└ > m00") || !strings.Contains(view, "more") || strings.Contains(view, "m59") {
		t.Fatalf("view:\n%s", view)
	}
	m = step(t, m, press("shift+tab")) // from the first to the last
	view = m.View()
	if !strings.Contains(view, "└ > m59") || !strings.Contains(view, "more before") {
		t.Fatalf("the picked task is not on screen:\n%s", view)
	}
	if n := strings.Count(view, "└"); n > m.height {
		t.Errorf("%d task lines made for %d lines", n, m.height)
	}
}

func TestTaskWindow(t *testing.T) {
	for _, tc := range []struct{ n, pick, room, from, to int }{
		{3, 0, 10, 0, 3},
		{100, 0, 10, 0, 8},
		{100, 50, 10, 43, 51},
		{100, 99, 10, 92, 100},
		{100, 5, 0, 5, 6},
	} {
		if from, to := taskWindow(tc.n, tc.pick, tc.room); from != tc.from || to != tc.to {
			t.Errorf("taskWindow(%d, %d, %d) = %d, %d; want %d, %d", tc.n, tc.pick, tc.room, from, to, tc.from, tc.to)
		}
	}
}
