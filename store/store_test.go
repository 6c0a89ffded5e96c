package store

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func task(id, run string, age time.Duration, st durable.Status) durable.Task {
	return durable.Task{ID: id, RunID: run, Status: st, CreatedAt: t0.Add(-age)}
}

// recount is the slow truth the incremental counts must equal.
func recount(s *Tasks) map[durable.Phase]int {
	c := map[durable.Phase]int{}
	for _, t := range s.byID {
		c[t.Phase()]++
	}
	return c
}

func TestOrderNewestFirstAndTiesByID(t *testing.T) {
	s := New()
	s.Put(task("b", "r1", time.Minute, durable.StatusRunning))
	s.Put(task("a", "r1", time.Minute, durable.StatusRunning))
	s.Put(task("c", "r2", time.Second, durable.StatusQueued))
	if got := s.Order(); !slices.Equal(got, []string{"c", "a", "b"}) {
		t.Fatalf("order %v", got)
	}
	// A creation time that moves re-sorts; a status change does not move it.
	s.Put(task("b", "r1", 0, durable.StatusRunning))
	if got := s.Order(); !slices.Equal(got, []string{"b", "c", "a"}) {
		t.Fatalf("order after b moved %v", got)
	}
	s.Remove("c")
	if got := s.Order(); !slices.Equal(got, []string{"b", "a"}) {
		t.Fatalf("order after remove %v", got)
	}
}

func TestCountsAndRunsFollowEveryChange(t *testing.T) {
	s := New()
	statuses := []durable.Status{durable.StatusQueued, durable.StatusRunning, durable.StatusCompleted, durable.StatusFailed}
	for i := range 200 {
		tk := task(fmt.Sprint("t", i%50), fmt.Sprint("r", i%7), time.Duration(i)*time.Second, statuses[i%len(statuses)])
		tk.Evicted = i%3 == 0
		if i%11 == 0 {
			s.Remove(tk.ID)
		} else {
			s.Put(tk)
		}
		if got, want := s.Counts(), recount(s); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("step %d: counts %v, want %v", i, got, want)
		}
	}
	n := 0
	for run, ids := range s.byRun {
		for _, id := range ids {
			if tk, ok := s.Get(id); !ok || tk.RunID != run {
				t.Fatalf("run %s lists %s wrongly", run, id)
			}
			n++
		}
	}
	if n != s.Len() || len(s.Order()) != s.Len() {
		t.Fatalf("%d tasks, %d in runs, %d in order", s.Len(), n, len(s.Order()))
	}
}

func TestPutReportsNew(t *testing.T) {
	s := New()
	if !s.Put(task("a", "r", 0, durable.StatusRunning)) || s.Put(task("a", "r", 0, durable.StatusCompleted)) {
		t.Fatal("Put should report only the first sight")
	}
	if s.Counts()[durable.PhaseCompleted] != 1 || s.Counts()[durable.PhaseRunning] != 0 {
		t.Fatalf("counts %v", s.Counts())
	}
	if !s.Remove("a") || s.Remove("a") || s.Len() != 0 || len(s.OfRun("r")) != 0 {
		t.Fatal("Remove should drop the task once")
	}
}

func TestDuePopsInTimeThenInsertionOrder(t *testing.T) {
	var d Due
	d.Add("late", t0.Add(time.Minute))
	d.Add("a", t0)
	d.Add("b", t0)
	d.Add("early", t0.Add(-time.Second))
	var got []string
	for {
		id, ok := d.PopDue(t0)
		if !ok {
			break
		}
		got = append(got, id)
	}
	if !slices.Equal(got, []string{"early", "a", "b"}) {
		t.Fatalf("popped %v", got)
	}
	if next, ok := d.Next(); !ok || !next.Equal(t0.Add(time.Minute)) || d.Len() != 1 {
		t.Fatalf("next %v %v, len %d", next, ok, d.Len())
	}
	if id, ok := d.PopDue(t0.Add(time.Minute)); !ok || id != "late" {
		t.Fatalf("late popped %q %v", id, ok)
	}
}

func TestDueKeepsOneEntryPerIDUntilItPops(t *testing.T) {
	var d Due
	for range 1000 {
		d.Add("a", t0) // a burst of signals
	}
	d.Add("a", t0.Add(time.Hour)) // later than queued: nothing new
	if d.Len() != 1 {
		t.Fatalf("%d entries for one id", d.Len())
	}
	d.Add("a", t0.Add(-time.Second)) // earlier: queued, pops first
	if id, ok := d.PopDue(t0.Add(-time.Second)); !ok || id != "a" {
		t.Fatalf("earlier entry did not pop: %q %v", id, ok)
	}
	// Once popped, the id can be queued again at any time.
	d.Add("a", t0.Add(time.Hour))
	if _, ok := d.PopDue(t0); !ok { // the superseded entry at t0, harmless
		t.Fatal("the entry at t0 should still pop")
	}
	if next, ok := d.Next(); !ok || !next.Equal(t0.Add(time.Hour)) {
		t.Fatalf("next %v %v", next, ok)
	}
}
