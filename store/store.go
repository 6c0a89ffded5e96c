// Package store keeps what hatchtop knows of a tenant's active tasks in a
// shape that costs O(change), not O(tasks), per message: the tasks by id,
// their list order (a task that arrives or whose order key moves is put
// in its place; a whole sort only for a new key or many at once: sort.go),
// the counts per phase, the tasks of each run and of each worker, all
// maintained as tasks are put and removed. It does no I/O and knows
// nothing of the screen.
package store

import (
	"slices"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

// Tasks is the set of active tasks. The zero value is not usable: call New.
type Tasks struct {
	byID   map[string]durable.Task
	byRun  map[string][]string // run id -> its task ids
	counts map[durable.Phase]int
	order  []string // by sort (sort.go), then newest first, then by id; valid unless sorted is false
	sorted bool
	moved  []string         // tasks whose key moved in a sorted order: put back one by one (sort.go)
	sort   Sort             // the order's key; the zero value is newest first
	extra  map[string]Extra // the keys the model derives, by task id
	// workers is the tasks by worker and the evicted ones by action
	// (workers.go).
	workers workerIndex
}

// New returns an empty set.
func New() *Tasks {
	return &Tasks{
		byID:   map[string]durable.Task{},
		byRun:  map[string][]string{},
		counts: map[durable.Phase]int{},
		extra:  map[string]Extra{},
		sorted: true,

		workers: newWorkerIndex(),
	}
}

// Len is the number of tasks.
func (s *Tasks) Len() int { return len(s.byID) }

// Get returns a task by id.
func (s *Tasks) Get(id string) (durable.Task, bool) {
	t, ok := s.byID[id]
	return t, ok
}

// Put adds a task or replaces the one with its id, and reports whether it
// is new.
func (s *Tasks) Put(t durable.Task) (added bool) {
	old, ok := s.byID[t.ID]
	moved := ok && workerKeyMoved(old, t)
	if moved {
		s.unindexWorker(old) // while byID still holds it as counted
	}
	s.byID[t.ID] = t
	if moved || !ok {
		s.indexWorker(t)
	}
	if !ok {
		s.counts[t.Phase()]++
		s.byRun[t.RunID] = append(s.byRun[t.RunID], t.ID)
		s.move(t.ID) // put in its place by the next Order
		return true
	}
	if p, q := old.Phase(), t.Phase(); p != q {
		s.counts[q]++
		s.decrement(p)
	}
	if old.RunID != t.RunID {
		s.unlinkRun(old.RunID, t.ID)
		s.byRun[t.RunID] = append(s.byRun[t.RunID], t.ID)
	}
	if s.keyMoved(old, t) {
		s.move(t.ID) // the order key moved
	}
	return false
}

// Remove drops a task; it reports whether there was one.
func (s *Tasks) Remove(id string) bool {
	old, ok := s.byID[id]
	if !ok {
		return false
	}
	s.unindexWorker(old)
	delete(s.byID, id)
	delete(s.extra, id)
	delete(s.workers.of, id)
	s.decrement(old.Phase())
	s.unlinkRun(old.RunID, id)
	if s.sorted {
		// Removing keeps the order sorted: no re-sort, one shift.
		if i := slices.Index(s.order, id); i >= 0 {
			s.order = slices.Delete(s.order, i, i+1)
		}
		if i := slices.Index(s.moved, id); i >= 0 {
			s.moved = slices.Delete(s.moved, i, i+1)
		}
	}
	return true
}

// Order is every task id by the sort's key, then newest first, then by
// id. It sorts again only when a key moved since the last call. The slice is the
// store's own: callers must not change it, and it is valid until the next
// Put or Remove.
func (s *Tasks) Order() []string {
	if !s.sorted {
		s.order = s.order[:0]
		for id := range s.byID {
			s.order = append(s.order, id)
		}
		slices.SortFunc(s.order, s.compareIDs)
		s.sorted, s.moved = true, s.moved[:0]
	}
	s.putBack()
	return s.order
}

// Position is where a task stands in Order, found by the order's own
// search rather than a walk; ok is false for a task the store does not
// hold. It is valid, like Order, until the next Put or Remove.
func (s *Tasks) Position(id string) (int, bool) {
	if _, ok := s.byID[id]; !ok {
		return 0, false
	}
	order := s.Order()
	i, ok := slices.BinarySearchFunc(order, id, s.compareIDs)
	return i, ok && order[i] == id
}

// compare orders newest first, then by id.
func compare(ta time.Time, a string, tb time.Time, b string) int {
	if c := tb.Compare(ta); c != 0 {
		return c
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Counts is the number of tasks per phase; the map is the store's own.
func (s *Tasks) Counts() map[durable.Phase]int { return s.counts }

// OfRun is the ids of a run's tasks; the slice is the store's own.
func (s *Tasks) OfRun(runID string) []string { return s.byRun[runID] }

func (s *Tasks) decrement(p durable.Phase) {
	if s.counts[p]--; s.counts[p] <= 0 {
		delete(s.counts, p)
	}
}

func (s *Tasks) unlinkRun(runID, id string) {
	ids := s.byRun[runID]
	if i := slices.Index(ids, id); i >= 0 {
		ids = slices.Delete(ids, i, i+1)
	}
	if len(ids) == 0 {
		delete(s.byRun, runID)
		return
	}
	s.byRun[runID] = ids
}
