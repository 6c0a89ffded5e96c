package model

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
)

// pagingEngine pages the fake's tasks by creation time like the client's
// ListCreated (newest first, then by id, continuing below a cursor), and
// counts its pages.
type pagingEngine struct {
	*fake.Engine
	mu    *sync.Mutex
	pages *int
	watch *stubWatch
}

func newPagingEngine(f *fake.Engine) pagingEngine {
	return pagingEngine{Engine: f, mu: &sync.Mutex{}, pages: new(int), watch: newStubWatch()}
}

func (p pagingEngine) ListCreated(ctx context.Context, q client.ListQuery) (client.ListPage, error) {
	p.mu.Lock()
	*p.pages++
	p.mu.Unlock()
	all, err := p.ListActive(ctx, q.Since)
	if err != nil {
		return client.ListPage{}, err
	}
	slices.SortFunc(all, func(a, b durable.Task) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	var in []durable.Task
	for _, t := range all {
		c := q.After
		switch {
		case t.CreatedAt.Before(q.Since):
		case !c.IsZero() && (t.CreatedAt.After(c.CreatedAt) || t.CreatedAt.Equal(c.CreatedAt) && slices.Contains(c.TaskIDs, t.ID)):
		default:
			in = append(in, t)
		}
	}
	limit := cmp.Or(q.Limit, 200)
	if len(in) <= limit {
		return client.ListPage{Tasks: in}, nil
	}
	page := client.ListPage{Tasks: in[:limit]}
	last := in[limit-1].CreatedAt
	page.Next.CreatedAt = last
	if last.Equal(q.After.CreatedAt) {
		page.Next.TaskIDs = slices.Clone(q.After.TaskIDs)
	}
	for _, t := range page.Tasks {
		if t.CreatedAt.Equal(last) {
			page.Next.TaskIDs = append(page.Next.TaskIDs, t.ID)
		}
	}
	return page, nil
}

// WatchRuns gives a watch whose updates the tests send themselves (as
// runsMsg): the harness runs every Cmd to its end, and a read of a live
// watch never ends.
func (p pagingEngine) WatchRuns(client.FeedOptions) client.RunWatcher { return p.watch }

// stubWatch records the runs watched and has no updates of its own.
type stubWatch struct {
	mu      sync.Mutex
	watched map[string]bool
	out     chan client.RunWatchUpdate
}

func newStubWatch() *stubWatch {
	w := &stubWatch{watched: map[string]bool{}, out: make(chan client.RunWatchUpdate)}
	close(w.out)
	return w
}

func (w *stubWatch) Watch(ids ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range ids {
		w.watched[id] = true
	}
}

func (w *stubWatch) Forget(ids ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range ids {
		delete(w.watched, id)
	}
}

func (w *stubWatch) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.watched)
}

func (w *stubWatch) Updates() <-chan client.RunWatchUpdate { return w.out }
func (w *stubWatch) Healthy()                              {}
func (w *stubWatch) Close()                                {}

func (p pagingEngine) pagesAsked() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return *p.pages
}

func pagedModel(e pagingEngine) Model {
	base := newTestModel(e.Engine)
	m := New(Deps{Engine: e, Since: 24 * time.Hour, Refresh: 2 * time.Second, Now: t0, Styles: base.styles, Keys: base.keys})
	m.tick = func() tea.Cmd { return nil }
	m.width, m.height = 120, 30
	return m
}

func manyTasks(n int) []durable.Task {
	tasks := make([]durable.Task, n)
	for i := range tasks {
		tasks[i] = durableTask(fmt.Sprintf("t%04d", i), fmt.Sprintf("task-%04d", i), -time.Duration(i)*time.Second)
	}
	return tasks
}

func TestPagedFirstFrameNeedsOneRequest(t *testing.T) {
	f := fake.New()
	f.SetTasks(manyTasks(1000)...)
	e := newPagingEngine(f)
	m := pagedModel(e)
	next, cmd := m.Update(startMsg{})
	m = next.(Model)
	for _, msg := range run(cmd) {
		if s, ok := msg.(screenMsg); ok {
			m = update(m, s)
		}
	}
	if !strings.Contains(m.View(), "task-0000") || len(m.visibleIDs()) != m.bodyHeight() {
		t.Fatalf("the first screen query did not fill the screen:\n%s", m.View())
	}
	if f.Calls("ListActive") > 2 { // our pager's two pages, never the whole list
		t.Fatalf("the whole list was asked for")
	}
}

func TestPagedMembershipFindsEveryTaskOnceAndFollowsChanges(t *testing.T) {
	f := fake.New()
	tasks := manyTasks(500)
	f.SetTasks(tasks...)
	e := newPagingEngine(f)
	m := step(t, pagedModel(e), startMsg{})
	m = ticks(t, m, time.Second, 5*time.Second) // the first pass: one page of 1,000 rows
	if len(m.tasks) != 500 || len(m.order) != 500 || len(m.shown) != 500 {
		t.Fatalf("%d tasks, %d in order, %d shown; want 500", len(m.tasks), len(m.order), len(m.shown))
	}
	// Off screen: one finishes, one is evicted. On screen: one finishes,
	// one is evicted. A new task comes.
	now := slices.Clone(tasks)
	now[1].Evicted = true
	now[400].Evicted = true
	now = slices.Delete(now, 300, 301) // t0300 finished
	now = slices.Delete(now, 2, 3)     // t0002 finished
	fresh := durableTask("new", "task-new", 10*time.Second)
	now = append(now, fresh)
	f.SetTasks(now...)
	m = ticks(t, m, 6*time.Second, 12*time.Second)
	if _, ok := m.tasks["new"]; !ok || m.order[0] != "new" {
		t.Fatalf("the new task is not on top: %v", m.order[:3])
	}
	if st, ok := m.tasks["t0002"]; ok && !st.finished() {
		t.Fatal("a finished row on screen is still active after a screen query")
	}
	if !m.tasks["t0001"].task.Evicted {
		t.Fatal("an eviction on screen is not shown after a screen query")
	}
	// The reconciliation catches the rest within a pass (one page, and a
	// page every 30 s).
	m = ticks(t, m, 13*time.Second, 75*time.Second)
	if st, ok := m.tasks["t0300"]; ok && !st.finished() {
		t.Fatal("a finished task off screen is still active after a whole pass")
	}
	if !m.tasks["t0400"].task.Evicted {
		t.Fatal("an eviction off screen is not seen after a whole pass")
	}
	if fin, _, _ := m.finishedHeader(); len(m.tasks)-fin != 499 {
		t.Fatalf("%d active tasks, want 499", len(m.tasks)-fin)
	}
	// Steady state: a screen query every refresh (2 s here) and a pass
	// page every 30 s, whatever the tenant's size.
	before := e.pagesAsked()
	m = ticks(t, m, 76*time.Second, 135*time.Second)
	if n := e.pagesAsked() - before; n > 30+2+1 {
		t.Fatalf("%d list pages in a minute, want at most %d", n, 30+2+1)
	}
	_ = m
}

func TestAPushedFinishEndsItsRowsAndAReconnectReconciles(t *testing.T) {
	f := fake.New()
	tasks := manyTasks(100)
	f.SetTasks(tasks...)
	e := newPagingEngine(f)
	m := step(t, pagedModel(e), startMsg{})
	m = ticks(t, m, time.Second, 3*time.Second)
	if n := e.watch.count(); n != 100 {
		t.Fatalf("%d runs watched, want every known run (100)", n)
	}
	// t0000 is on screen, t0090 is not; both runs finish.
	m = update(m, runsMsg{updates: []client.RunWatchUpdate{
		{Finished: &client.RunFinished{RunID: "t0000", Final: durable.StatusCompleted}},
		{Finished: &client.RunFinished{RunID: "t0090"}}, // a cancel names no status
	}})
	if st := m.tasks["t0000"]; st == nil || st.task.Status != durable.StatusCompleted {
		t.Fatal("a row on screen does not show its pushed finish")
	}
	// Off screen too, the finish is kept (finished.go), as cancelled.
	if st := m.tasks["t0090"]; st == nil || !st.finished() || st.task.Status != durable.StatusCancelled {
		t.Fatal("a finished row off screen is not kept as cancelled after the push")
	}
	if c := m.index.Counts(); c[durable.PhaseCompleted] != 1 || c[durable.PhaseCancelled] != 1 || c[durable.PhaseRunning] != 98 {
		t.Fatalf("counts %v", m.index.Counts())
	}
	// A reconnect starts a reconciliation pass at once.
	m = update(m, runsMsg{updates: []client.RunWatchUpdate{{State: client.FeedRetrying}, {State: client.FeedLive}}})
	if !m.pass.after.IsZero() || m.now.Before(m.pass.nextAt) && !m.pass.inFlight {
		t.Fatalf("no pass started after the reconnect: %+v", m.pass)
	}
}
