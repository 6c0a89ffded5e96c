package store

import (
	"slices"

	"github.com/hatchtop/hatchtop/durable"
)

// workerIndex is what the workers screen reads, kept as tasks are put,
// removed and given a worker, so that the screen costs O(workers on
// screen), never O(tasks): the running tasks on each worker, the evicted
// ones by action (a restore needs a worker of that action), and how many
// of the running ones have a known worker.
type workerIndex struct {
	of       map[string]string   // task id -> its worker, as last set; absent for none
	onWorker map[string][]string // worker id -> running, not evicted task ids, newest first
	evicted  map[string]int      // action id -> evicted tasks
	running  int                 // running tasks, not evicted
	assigned int                 // of which the worker is known
}

func newWorkerIndex() workerIndex {
	return workerIndex{of: map[string]string{}, onWorker: map[string][]string{}, evicted: map[string]int{}}
}

// SetWorker records the worker a task's latest assignment names ("" for
// none known); the model derives it from the task's lifecycle events as
// they change. A task the set does not hold is ignored.
func (s *Tasks) SetWorker(id, worker string) {
	t, ok := s.byID[id]
	if !ok || s.workers.of[id] == worker {
		return
	}
	s.unindexWorker(t)
	if worker == "" {
		delete(s.workers.of, id)
	} else {
		s.workers.of[id] = worker
	}
	s.indexWorker(t)
}

// Worker is the worker last set for a task; "" for none.
func (s *Tasks) Worker(id string) string { return s.workers.of[id] }

// OnWorker is the running tasks (not evicted) on a worker, newest first,
// then by id. The slice is the store's own: callers must not change it,
// and it is valid until the next Put, Remove or SetWorker.
func (s *Tasks) OnWorker(worker string) []string { return s.workers.onWorker[worker] }

// EvictedOf is how many evicted tasks run the action.
func (s *Tasks) EvictedOf(action string) int { return s.workers.evicted[action] }

// RunningTasks is how many tasks run and are not evicted, and of those,
// how many have a known worker.
func (s *Tasks) RunningTasks() (running, assigned int) {
	return s.workers.running, s.workers.assigned
}

// workerKeyMoved reports whether a replaced summary moves the task in the
// worker index: what it counts by, or where it sits in a worker's list.
func workerKeyMoved(old, t durable.Task) bool {
	return old.Status != t.Status || old.Evicted != t.Evicted || old.ActionID != t.ActionID || !old.CreatedAt.Equal(t.CreatedAt)
}

// indexWorker counts t (as byID holds it) with its worker.
func (s *Tasks) indexWorker(t durable.Task) {
	x := &s.workers
	switch {
	case t.Status != durable.StatusRunning:
	case t.Evicted:
		x.evicted[t.ActionID]++
	default:
		x.running++
		w := x.of[t.ID]
		if w == "" {
			return
		}
		x.assigned++
		ids := x.onWorker[w]
		i, _ := slices.BinarySearchFunc(ids, t.ID, s.newestFirst)
		x.onWorker[w] = slices.Insert(ids, i, t.ID)
	}
}

// unindexWorker takes back what indexWorker counted for t; byID must
// still hold t as it was counted.
func (s *Tasks) unindexWorker(t durable.Task) {
	x := &s.workers
	switch {
	case t.Status != durable.StatusRunning:
	case t.Evicted:
		if x.evicted[t.ActionID]--; x.evicted[t.ActionID] <= 0 {
			delete(x.evicted, t.ActionID)
		}
	default:
		x.running--
		w := x.of[t.ID]
		if w == "" {
			return
		}
		x.assigned--
		ids := x.onWorker[w]
		if i, found := slices.BinarySearchFunc(ids, t.ID, s.newestFirst); found {
			ids = slices.Delete(ids, i, i+1)
		}
		if len(ids) == 0 {
			delete(x.onWorker, w)
			return
		}
		x.onWorker[w] = ids
	}
}

// newestFirst is the default order of two held tasks.
func (s *Tasks) newestFirst(a, b string) int {
	return compare(s.byID[a].CreatedAt, a, s.byID[b].CreatedAt, b)
}
