package client

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// listServer is the engine's list endpoint over a changing population:
// rows filtered by inserted_at in since..until (inclusive), newest first,
// rows created at the same instant in a different order on every call (the
// engine has no tie-breaker), offset and limit, and a count. between runs
// before every call after the first: tasks are created and finish while a
// client pages.
type listServer struct {
	t       *testing.T
	mu      sync.Mutex
	tasks   []listedTask
	calls   int
	between func(s *listServer, call int)
	rng     *rand.Rand
	queries []string
}

type listedTask struct {
	id     string
	at     time.Time
	active bool
}

func newListServer(t *testing.T) (*listServer, *Client) {
	s := &listServer{t: t, rng: rand.New(rand.NewPCG(1, 2))}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	f := &fakeEngine{token: testToken(), api: srv, grpcAdr: "127.0.0.1:1"}
	return s, dialFake(t, f, []Option{WithPageSize(10)})
}

// add creates n tasks at one instant.
func (s *listServer) add(at time.Time, n int) []string {
	var ids []string
	for range n {
		id := fmt.Sprintf("0b1e7c5e-0000-4000-9000-%012d", len(s.tasks)+1)
		s.tasks = append(s.tasks, listedTask{id: id, at: at, active: true})
		ids = append(ids, id)
	}
	return ids
}

func (s *listServer) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.queries = append(s.queries, r.URL.RawQuery)
	if s.between != nil && s.calls > 1 {
		s.between(s, s.calls)
	}
	since, err := time.Parse(time.RFC3339Nano, q.Get("since"))
	if err != nil {
		http.Error(w, "since", http.StatusBadRequest)
		return
	}
	until, _ := time.Parse(time.RFC3339Nano, q.Get("until"))
	limit, offset := pageArgs(q, 50)
	var in []listedTask
	for _, t := range s.tasks {
		if t.active && !t.at.Before(since) && (until.IsZero() || !t.at.After(until)) {
			in = append(in, t)
		}
	}
	s.rng.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
	slices.SortStableFunc(in, func(a, b listedTask) int { return b.at.Compare(a.at) })
	page := window(in, limit, offset)
	rows := make([]map[string]any, len(page))
	for i, t := range page {
		at := t.at.Format(time.RFC3339Nano)
		rows[i] = map[string]any{
			"metadata": map[string]any{"id": t.id, "createdAt": at, "updatedAt": at}, "taskExternalId": t.id,
			"workflowRunExternalId": t.id, "displayName": "sleep-" + t.id[len(t.id)-4:], "status": "RUNNING",
			"taskInsertedAt": at, "createdAt": at, "isDurable": true, "input": map[string]any{}, "output": map[string]any{},
		}
	}
	writeJSON(w, map[string]any{
		"pagination": map[string]any{"current_page": offset/limit + 1, "num_pages": (len(in) + limit - 1) / limit},
		"rows":       rows,
	})
}

// ids returns the active tasks' ids at the time of the call, sorted.
func (s *listServer) active() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, t := range s.tasks {
		if t.active {
			ids = append(ids, t.id)
		}
	}
	slices.Sort(ids)
	return ids
}

var listBase = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// population is 112 tasks over 20 instants, ties of up to 15 (a bulk
// trigger inserts many in one transaction), some a microsecond apart.
func population(s *listServer) {
	for i := range 20 {
		s.add(listBase.Add(time.Duration(i)*time.Hour+time.Duration(i%3)*time.Microsecond), []int{1, 15, 2, 7, 3}[i%5])
	}
}

// churn creates two tasks and finishes one of the old ones before every
// page: the finished ones may be missing, every other task of the window
// must come back exactly once, and the new ones no more than once.
func churn(s *listServer, call int) {
	s.add(listBase.Add(30*24*time.Hour+time.Duration(call)*time.Second), 2)
	s.tasks[(call*7)%95].active = false
}

func checkOnce(t *testing.T, s *listServer, got []string, stable []string) {
	t.Helper()
	seen := map[string]int{}
	for _, id := range got {
		seen[id]++
		if seen[id] == 2 {
			t.Errorf("task %s listed twice", id)
		}
	}
	still := map[string]bool{}
	for _, id := range s.active() {
		still[id] = true
	}
	for _, id := range stable {
		if still[id] && seen[id] == 0 {
			t.Errorf("task %s, active throughout, never listed", id)
		}
	}
}

// A whole listing while tasks are created and finish between its pages:
// nothing is doubled, nothing that stayed active is skipped. Offset paging
// lost a row every time one ahead of it finished.
func TestListActiveEveryTaskOnceWhileTasksComeAndGo(t *testing.T) {
	s, c := newListServer(t)
	population(s)
	stable := s.active()
	s.between = churn
	tasks, err := c.ListActive(ctxTimeout(t, 10*time.Second), listBase.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, task := range tasks {
		ids = append(ids, task.ID)
	}
	checkOnce(t, s, ids, stable)
	if s.calls < 10 {
		t.Errorf("%d pages for 112 tasks in pages of 10", s.calls)
	}
}

// The paced reconciliation: one page per call, following the cursor, with
// the window pinned at the pass's start; tasks created during the pass are
// for the incremental query, and none is doubled or skipped.
func TestListCreatedPassOnePageAtATime(t *testing.T) {
	s, c := newListServer(t)
	population(s)
	stable := s.active()
	s.between = churn
	ctx := ctxTimeout(t, 10*time.Second)
	start := listBase.Add(30 * 24 * time.Hour)
	var ids []string
	after := ListCursor{}
	for pages := 0; ; pages++ {
		if pages > 40 {
			t.Fatal("the pass does not end")
		}
		page, err := c.ListCreated(ctx, ListQuery{Since: listBase.Add(-time.Hour), Until: start, Limit: 4, After: after})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tasks) > 4 {
			t.Errorf("page of %d new tasks, limit 4", len(page.Tasks))
		}
		for _, task := range page.Tasks {
			ids = append(ids, task.ID)
			if task.CreatedAt.After(start) {
				t.Errorf("task %s created after the pass began", task.ID)
			}
		}
		if page.Next.IsZero() {
			break
		}
		after = page.Next
	}
	checkOnce(t, s, ids, stable)
	if len(ids) < len(stable)-20 {
		t.Errorf("%d tasks listed of %d", len(ids), len(stable))
	}
}

// New tasks by creation time: since = newest seen - overlap, deduplicated
// by id, finds every task created since, also when more than a page came.
func TestListCreatedIncrementalWithOverlap(t *testing.T) {
	s, c := newListServer(t)
	population(s)
	ctx := ctxTimeout(t, 10*time.Second)
	known := map[string]bool{}
	var newest time.Time
	poll := func() (fresh int) {
		after, since := ListCursor{}, newest.Add(-2*time.Second)
		for {
			page, err := c.ListCreated(ctx, ListQuery{Since: since, After: after})
			if err != nil {
				t.Fatal(err)
			}
			for _, task := range page.Tasks {
				if !known[task.ID] {
					known[task.ID] = true
					fresh++
				}
				if task.CreatedAt.After(newest) {
					newest = task.CreatedAt
				}
			}
			if page.Next.IsZero() {
				return fresh
			}
			after = page.Next
		}
	}
	newest = listBase.Add(-time.Hour)
	if n := poll(); n != 112 {
		t.Fatalf("first poll found %d of 112", n)
	}
	s.mu.Lock()
	late := s.add(newest.Add(time.Second), 25) // more than a page, one instant
	s.add(newest.Add(-time.Minute), 1)         // older than the overlap: the reconciliation's
	s.mu.Unlock()
	calls := s.calls
	if n := poll(); n != 25 {
		t.Fatalf("second poll found %d new tasks, want 25", n)
	}
	for _, id := range late {
		if !known[id] {
			t.Errorf("new task %s missed", id)
		}
	}
	if s.calls-calls > 4 {
		t.Errorf("%d requests for 25 new tasks", s.calls-calls)
	}
}

func TestListCursorOfTies(t *testing.T) {
	at := listBase
	rows := []listRow{{TaskExternalID: tid(3), TaskInsertedAt: at.Add(time.Second)}, {TaskExternalID: tid(2), TaskInsertedAt: at}, {TaskExternalID: tid(1), TaskInsertedAt: at}}
	next := nextCursor(ListCursor{CreatedAt: at, TaskIDs: []string{tid(9)}}, rows)
	if !next.CreatedAt.Equal(at) || !slices.Equal(next.TaskIDs, []string{tid(9), tid(2), tid(1)}) {
		t.Errorf("cursor = %+v", next)
	}
	next = nextCursor(ListCursor{CreatedAt: at.Add(time.Hour), TaskIDs: []string{tid(9)}}, rows)
	if !slices.Equal(next.TaskIDs, []string{tid(2), tid(1)}) {
		t.Errorf("cursor = %+v", next)
	}
}
