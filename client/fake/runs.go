package fake

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/durable"
)

// ListCreated implements client.Engine over the tasks SetTasks gave:
// newest first by CreatedAt (then by id), in q's window, a page of q.Limit
// (200 when 0), continuing below q.After like the client does. A task with
// a zero CreatedAt is inside every window, since most tests leave it unset.
func (f *Engine) ListCreated(_ context.Context, q client.ListQuery) (client.ListPage, error) {
	f.count("ListCreated")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listErr != nil {
		return client.ListPage{}, f.listErr
	}
	statuses := q.Statuses
	if len(statuses) == 0 {
		statuses = []durable.Status{durable.StatusQueued, durable.StatusRunning}
	}
	until := q.Until
	if !q.After.CreatedAt.IsZero() && (until.IsZero() || q.After.CreatedAt.Before(until)) {
		until = q.After.CreatedAt
	}
	var in []durable.Task
	for _, t := range f.tasks {
		at := t.CreatedAt
		switch {
		case !slices.Contains(statuses, t.Status):
		case !at.IsZero() && (at.Before(q.Since) || !until.IsZero() && at.After(until)):
		case at.Equal(q.After.CreatedAt) && slices.Contains(q.After.TaskIDs, t.ID):
		default:
			in = append(in, t)
		}
	}
	slices.SortFunc(in, func(a, b durable.Task) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	limit := q.Limit
	if limit <= 0 {
		limit = 200
	}
	if len(in) <= limit {
		return client.ListPage{Tasks: in}, nil
	}
	page := client.ListPage{Tasks: in[:limit]}
	last := in[limit-1].CreatedAt
	next := client.ListCursor{CreatedAt: last}
	if last.Equal(q.After.CreatedAt) {
		next.TaskIDs = slices.Clone(q.After.TaskIDs)
	}
	for _, t := range page.Tasks {
		if t.CreatedAt.Equal(last) {
			next.TaskIDs = append(next.TaskIDs, t.ID)
		}
	}
	page.Next = next
	return page, nil
}

// WatchRuns implements client.Engine with an in-memory watch that
// FinishRun and BreakWatch drive; opt is ignored. It is live at once.
func (f *Engine) WatchRuns(client.FeedOptions) client.RunWatcher {
	f.count("WatchRuns")
	w := &RunWatch{wanted: map[string]bool{}, out: make(chan client.RunWatchUpdate, 1024)}
	w.out <- client.RunWatchUpdate{State: client.FeedLive}
	f.mu.Lock()
	f.x().watch = w
	f.mu.Unlock()
	return w
}

// FinishRun pushes a run's finish, as the engine does once it is
// finalized; false if the latest watch does not watch the run.
func (f *Engine) FinishRun(runID string, final durable.Status, tasks ...client.TaskResult) bool {
	w := f.runWatch()
	return w != nil && w.finish(client.RunFinished{RunID: runID, At: time.Now(), Final: final, Tasks: tasks})
}

// BreakWatch makes the watch stream break with err and reopen at once:
// a FeedRetrying, then a FeedLive update; the watched runs stay watched.
func (f *Engine) BreakWatch(err error) {
	if w := f.runWatch(); w != nil {
		w.put(client.RunWatchUpdate{State: client.FeedRetrying, Err: err})
		w.put(client.RunWatchUpdate{State: client.FeedLive})
	}
}

// Watched lists the runs the latest watch watches, sorted.
func (f *Engine) Watched() []string {
	w := f.runWatch()
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var ids []string
	for id := range w.wanted {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (f *Engine) runWatch() *RunWatch {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.x().watch
}

// RunWatch is the fake's client.RunWatcher.
type RunWatch struct {
	mu      sync.Mutex
	wanted  map[string]bool
	out     chan client.RunWatchUpdate
	closed  bool
	healthy int
}

// Watch implements client.RunWatcher.
func (w *RunWatch) Watch(runIDs ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range runIDs {
		if id != "" {
			w.wanted[id] = true
		}
	}
}

// Forget implements client.RunWatcher.
func (w *RunWatch) Forget(runIDs ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range runIDs {
		delete(w.wanted, id)
	}
}

// Updates implements client.RunWatcher.
func (w *RunWatch) Updates() <-chan client.RunWatchUpdate { return w.out }

// Healthy implements client.RunWatcher; HealthyCalls counts them.
func (w *RunWatch) Healthy() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.healthy++
}

// HealthyCalls says how often Healthy was called.
func (w *RunWatch) HealthyCalls() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.healthy
}

// Close implements client.RunWatcher.
func (w *RunWatch) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.closed = true
		close(w.out)
	}
}

// finish reports a watched run's finish once and forgets the run.
func (w *RunWatch) finish(f client.RunFinished) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || !w.wanted[f.RunID] {
		return false
	}
	delete(w.wanted, f.RunID)
	w.out <- client.RunWatchUpdate{Finished: &f}
	return true
}

func (w *RunWatch) put(u client.RunWatchUpdate) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.out <- u
	}
}
