package store

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

// regroup is the slow truth the worker index must equal: every task
// walked once.
func regroup(s *Tasks) (on map[string][]string, evicted map[string]int, running, assigned int) {
	on, evicted = map[string][]string{}, map[string]int{}
	ids := slices.Collect(maps.Keys(s.byID))
	slices.SortFunc(ids, s.newestFirst)
	for _, id := range ids {
		t := s.byID[id]
		switch {
		case t.Status != durable.StatusRunning:
		case t.Evicted:
			evicted[t.ActionID]++
		default:
			running++
			if w := s.Worker(id); w != "" {
				assigned++
				on[w] = append(on[w], id)
			}
		}
	}
	return on, evicted, running, assigned
}

func TestWorkerIndexFollowsEveryChange(t *testing.T) {
	s := New()
	statuses := []durable.Status{durable.StatusRunning, durable.StatusRunning, durable.StatusQueued, durable.StatusCompleted}
	for i := range 600 {
		id := fmt.Sprint("t", i%40)
		switch i % 5 {
		case 0, 1:
			tk := task(id, "r", time.Duration(i%13)*time.Second, statuses[i%len(statuses)])
			tk.Evicted = i%7 == 0
			tk.ActionID = fmt.Sprint("act", i%3)
			s.Put(tk)
		case 2, 3:
			s.SetWorker(id, []string{"", "wA", "wB", "wC"}[i%4])
		default:
			if i%3 == 0 {
				s.Remove(id)
			}
		}
		on, evicted, running, assigned := regroup(s)
		gotRunning, gotAssigned := s.RunningTasks()
		if gotRunning != running || gotAssigned != assigned {
			t.Fatalf("step %d: running %d (assigned %d), want %d (%d)", i, gotRunning, gotAssigned, running, assigned)
		}
		for _, w := range []string{"wA", "wB", "wC"} {
			if got := s.OnWorker(w); !slices.Equal(got, on[w]) {
				t.Fatalf("step %d: on %s %v, want %v", i, w, got, on[w])
			}
		}
		for a := range 3 {
			act := fmt.Sprint("act", a)
			if got := s.EvictedOf(act); got != evicted[act] {
				t.Fatalf("step %d: evicted of %s %d, want %d", i, act, got, evicted[act])
			}
		}
	}
}

func TestSetWorkerOfAnUnknownTaskIsIgnored(t *testing.T) {
	s := New()
	s.SetWorker("ghost", "wA")
	if s.Worker("ghost") != "" || len(s.OnWorker("wA")) != 0 {
		t.Fatal("a task the set does not hold was indexed")
	}
	s.Put(task("t1", "r", time.Minute, durable.StatusRunning))
	s.SetWorker("t1", "wA")
	s.Remove("t1")
	s.Put(task("t1", "r", time.Minute, durable.StatusRunning))
	if s.Worker("t1") != "" || len(s.OnWorker("wA")) != 0 {
		t.Fatal("a removed task's worker came back with it")
	}
}
