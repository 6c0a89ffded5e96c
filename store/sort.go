package store

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hatchtop/hatchtop/durable"
)

// By is what the order sorts on first; ties always fall back to the
// default order (newest first, then id), so rows never trade places while
// their keys are equal.
type By int

// The sort keys. Every one is a value that only moves when the task does:
// deadlines and start times, not the countdowns derived from them, so a
// clock tick never re-sorts.
const (
	ByCreated   By = iota // newest first: the default
	ByStatus              // running, evicted, queued, then the others by name
	ByTask                // display name, case folded
	ByWait                // the first open wait's title
	ByRemaining           // the first open wait's sleep deadline
	ByAttempt             // the engine's attempt count
	ByTimeout             // the execution deadline
	ByElapsed             // time since the task started (later start: less elapsed)
)

// Sort is the order's key and direction. Desc reverses the key alone:
// tasks without a value for it (no wait, no sleep, no known timeout, not
// started) stay at the end either way, and ties stay newest first.
type Sort struct {
	By   By
	Desc bool
}

// Extra is what a task sorts by that its summary does not hold; the model
// derives it (open waits, timeout) and passes it on as it changes.
type Extra struct {
	Wait      string    // the first open wait's title; "" for none
	SleepAt   time.Time // that wait's sleep deadline; zero for none
	TimeoutAt time.Time // when the engine times the task out; zero if unknown
}

// SetSort changes the order's key; the next Order sorts again.
func (s *Tasks) SetSort(o Sort) {
	if o != s.sort {
		s.sort, s.sorted = o, false
	}
}

// Sort is the order's key.
func (s *Tasks) Sort() Sort { return s.sort }

// Sorted reports whether Order is valid as it stands: false once a task
// came or one of the current key's values moved.
func (s *Tasks) Sorted() bool { return s.sorted && len(s.moved) == 0 }

// maxMoved is how many moved tasks are put back one by one (O(log n)
// comparisons and one shift each) before a whole sort is cheaper.
const maxMoved = 32

// move records that a task's key moved, or that it is new. In a sorted
// order it is put back alone by the next Order: a log that moves one
// deadline among 10,000 tasks, or a task that arrives, costs a binary
// search, not a sort (BenchmarkResort).
func (s *Tasks) move(id string) {
	switch {
	case !s.sorted || slices.Contains(s.moved, id):
	case len(s.moved) < maxMoved:
		s.moved = append(s.moved, id)
	default:
		s.sorted, s.moved = false, s.moved[:0]
	}
}

// putBack takes the moved tasks out of the order, which leaves it sorted,
// and inserts each where a binary search puts it.
func (s *Tasks) putBack() {
	if len(s.moved) == 0 {
		return
	}
	s.order = slices.DeleteFunc(s.order, func(id string) bool { return slices.Contains(s.moved, id) })
	for _, id := range s.moved {
		i, _ := slices.BinarySearchFunc(s.order, id, s.compareIDs)
		s.order = slices.Insert(s.order, i, id)
	}
	s.moved = s.moved[:0]
}

// SetExtra records a task's derived keys; the order is invalidated only
// when the key it sorts by changed.
func (s *Tasks) SetExtra(id string, e Extra) {
	if _, ok := s.byID[id]; !ok {
		return
	}
	old := s.extra[id]
	if old == e {
		return
	}
	if e == (Extra{}) {
		delete(s.extra, id) // most tasks wait on nothing known: keep no entry
	} else {
		s.extra[id] = e
	}
	switch {
	case s.sort.By == ByWait && old.Wait != e.Wait,
		s.sort.By == ByRemaining && !old.SleepAt.Equal(e.SleepAt),
		s.sort.By == ByTimeout && !old.TimeoutAt.Equal(e.TimeoutAt):
		s.move(id)
	}
}

// keyMoved reports whether a replaced summary moves the task in the
// order: its creation time (every order's tie-break) or the current key.
func (s *Tasks) keyMoved(old, t durable.Task) bool {
	if !old.CreatedAt.Equal(t.CreatedAt) {
		return true
	}
	switch s.sort.By {
	case ByStatus:
		return old.Phase() != t.Phase()
	case ByTask:
		return old.Name != t.Name
	case ByAttempt:
		return old.Attempt != t.Attempt
	case ByElapsed:
		return !old.StartedAt.Equal(t.StartedAt)
	}
	return false
}

// compareIDs is the order: the current key, then newest first, then id.
func (s *Tasks) compareIDs(a, b string) int {
	ta, tb := s.byID[a], s.byID[b]
	if c := s.compareKey(ta, tb); c != 0 {
		return c
	}
	return compare(ta.CreatedAt, a, tb.CreatedAt, b)
}

func (s *Tasks) compareKey(ta, tb durable.Task) int {
	ea, eb := s.extra[ta.ID], s.extra[tb.ID]
	var c int
	switch s.sort.By {
	case ByCreated:
		return 0
	case ByStatus:
		c = cmp.Compare(phaseRank(ta.Phase()), phaseRank(tb.Phase()))
		if c == 0 {
			c = strings.Compare(string(ta.Phase()), string(tb.Phase()))
		}
	case ByTask:
		c = compareFold(ta.Name, tb.Name)
	case ByWait:
		if m, ok := missingLast(ea.Wait == "", eb.Wait == ""); ok {
			return m
		}
		c = compareFold(ea.Wait, eb.Wait)
	case ByRemaining:
		if m, ok := missingLast(ea.SleepAt.IsZero(), eb.SleepAt.IsZero()); ok {
			return m
		}
		c = ea.SleepAt.Compare(eb.SleepAt)
	case ByAttempt:
		c = cmp.Compare(ta.Attempt, tb.Attempt)
	case ByTimeout:
		if m, ok := missingLast(ea.TimeoutAt.IsZero(), eb.TimeoutAt.IsZero()); ok {
			return m
		}
		c = ea.TimeoutAt.Compare(eb.TimeoutAt)
	case ByElapsed:
		if m, ok := missingLast(ta.StartedAt.IsZero(), tb.StartedAt.IsZero()); ok {
			return m
		}
		c = tb.StartedAt.Compare(ta.StartedAt) // started later: less elapsed
	}
	if s.sort.Desc {
		c = -c
	}
	return c
}

// missingLast orders a task without the key after one with it, in both
// directions; ok is false when both have it. Two without it tie.
func missingLast(a, b bool) (int, bool) {
	switch {
	case a && b:
		return 0, true
	case a:
		return 1, true
	case b:
		return -1, true
	}
	return 0, false
}

// phaseRank puts the tasks that hold a worker first, as the header counts
// them; phases this list does not know come after, by name.
func phaseRank(p durable.Phase) int {
	switch p {
	case durable.PhaseRunning:
		return 0
	case durable.PhaseEvicted:
		return 1
	case durable.PhaseQueued:
		return 2
	}
	return 3
}

// compareFold compares case-insensitively without allocating (it runs in
// every comparison of a sort), then exactly, so the order is total.
func compareFold(a, b string) int {
	x, y := a, b
	for x != "" && y != "" {
		ra, na := utf8.DecodeRuneInString(x)
		rb, nb := utf8.DecodeRuneInString(y)
		if c := cmp.Compare(unicode.ToLower(ra), unicode.ToLower(rb)); c != 0 {
			return c
		}
		x, y = x[na:], y[nb:]
	}
	if c := cmp.Compare(len(x), len(y)); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}
