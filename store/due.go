package store

import (
	"container/heap"
	"time"
)

// Due is a queue of task ids by the time something about them is next due
// (a fetch of their event log, their events, their configuration). It is
// a min-heap: Peek and Pop cost O(1) and O(log n), so a scheduler looks at
// what is due instead of scanning every task.
//
// An id queued again no earlier than it already is costs nothing: the
// earlier entry pops first, and the scheduler, which re-checks every
// popped id against its own state, queues what is due later once it has
// dealt with it. So a burst of signals for one task is one entry.
type Due struct {
	h      dueHeap
	n      uint64               // insertion sequence: equal times pop in the order queued
	queued map[string]time.Time // id -> its earliest queued time
}

type dueItem struct {
	at  time.Time
	seq uint64
	id  string
}

type dueHeap []dueItem

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h dueHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)   { *h = append(*h, x.(dueItem)) }
func (h *dueHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// Add queues id as due at at, unless it is queued at or before at.
func (d *Due) Add(id string, at time.Time) {
	if q, ok := d.queued[id]; ok && !at.Before(q) {
		return
	}
	if d.queued == nil {
		d.queued = map[string]time.Time{}
	}
	d.queued[id] = at
	d.n++
	heap.Push(&d.h, dueItem{at: at, seq: d.n, id: id})
}

// Len is the number of queued entries, duplicates included.
func (d *Due) Len() int { return len(d.h) }

// Next is the earliest queued time, if any.
func (d *Due) Next() (time.Time, bool) {
	if len(d.h) == 0 {
		return time.Time{}, false
	}
	return d.h[0].at, true
}

// PopDue removes and returns the earliest id due at or before now.
func (d *Due) PopDue(now time.Time) (string, bool) {
	if len(d.h) == 0 || d.h[0].at.After(now) {
		return "", false
	}
	it := heap.Pop(&d.h).(dueItem)
	if q, ok := d.queued[it.id]; ok && q.Equal(it.at) {
		delete(d.queued, it.id)
	}
	return it.id, true
}
