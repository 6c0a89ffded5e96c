package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

func sortFixture() *Tasks {
	s := New()
	for _, tk := range []durable.Task{
		{ID: "a", Name: "Beta", Status: durable.StatusRunning, Attempt: 2, CreatedAt: t0.Add(-3 * time.Minute), StartedAt: t0.Add(-3 * time.Minute)},
		{ID: "b", Name: "alpha", Status: durable.StatusQueued, Attempt: 1, CreatedAt: t0.Add(-2 * time.Minute)},
		{ID: "c", Name: "gamma", Status: durable.StatusRunning, Evicted: true, Attempt: 3, CreatedAt: t0.Add(-time.Minute), StartedAt: t0.Add(-time.Minute)},
		{ID: "d", Name: "alpha", Status: durable.StatusRunning, Attempt: 1, CreatedAt: t0, StartedAt: t0},
	} {
		s.Put(tk)
	}
	s.SetExtra("a", Extra{Wait: "waiting for event k", TimeoutAt: t0.Add(time.Hour)})
	s.SetExtra("c", Extra{Wait: "Cooling", SleepAt: t0.Add(5 * time.Minute), TimeoutAt: t0.Add(10 * time.Minute)})
	s.SetExtra("d", Extra{Wait: "approval", SleepAt: t0.Add(2 * time.Minute)})
	return s
}

// Each key, both ways: tasks without the key stay last, ties newest first.
func TestOrderByEveryKey(t *testing.T) {
	cases := []struct {
		by        By
		asc, desc []string
	}{
		{ByCreated, []string{"d", "c", "b", "a"}, []string{"d", "c", "b", "a"}},
		{ByStatus, []string{"d", "a", "c", "b"}, []string{"b", "c", "d", "a"}},
		{ByTask, []string{"d", "b", "a", "c"}, []string{"c", "a", "d", "b"}},
		{ByWait, []string{"d", "c", "a", "b"}, []string{"a", "c", "d", "b"}},
		{ByRemaining, []string{"d", "c", "b", "a"}, []string{"c", "d", "b", "a"}},
		{ByAttempt, []string{"d", "b", "a", "c"}, []string{"c", "a", "d", "b"}},
		{ByTimeout, []string{"c", "a", "d", "b"}, []string{"a", "c", "d", "b"}},
		{ByElapsed, []string{"d", "c", "a", "b"}, []string{"a", "c", "d", "b"}},
	}
	s := sortFixture()
	for _, c := range cases {
		s.SetSort(Sort{By: c.by})
		if got := s.Order(); !slices.Equal(got, c.asc) {
			t.Errorf("by %d ascending: %v, want %v", c.by, got, c.asc)
		}
		s.SetSort(Sort{By: c.by, Desc: true})
		if got := s.Order(); !slices.Equal(got, c.desc) {
			t.Errorf("by %d descending: %v, want %v", c.by, got, c.desc)
		}
	}
}

// Only a change of the key sorted by invalidates the order: a status
// change under a sort by task, or a wait label under a sort by remaining,
// leaves it as it is.
func TestOnlyTheSortedKeyInvalidates(t *testing.T) {
	s := sortFixture()
	s.SetSort(Sort{By: ByTask})
	s.Order()
	d, _ := s.Get("d")
	d.Status, d.Attempt = durable.StatusQueued, 4
	s.Put(d)
	s.SetExtra("d", Extra{Wait: "other", SleepAt: t0.Add(time.Hour)})
	if !s.Sorted() {
		t.Fatal("a change of status, attempt and wait re-sorts a sort by task")
	}
	d.Name = "zeta"
	s.Put(d)
	if s.Sorted() {
		t.Fatal("a new name does not re-sort a sort by task")
	}
	if got := s.Order(); got[len(got)-1] != "d" {
		t.Fatalf("zeta not last: %v", got)
	}

	s.SetSort(Sort{By: ByRemaining})
	s.Order()
	s.SetExtra("d", Extra{Wait: "renamed", SleepAt: t0.Add(time.Hour)})
	if !s.Sorted() {
		t.Fatal("a new label re-sorts a sort by remaining")
	}
	s.SetExtra("d", Extra{Wait: "renamed", SleepAt: t0.Add(time.Minute)})
	if s.Sorted() {
		t.Fatal("a moved deadline does not re-sort a sort by remaining")
	}
	if got := s.Order(); !slices.Equal(got, []string{"d", "c", "b", "a"}) {
		t.Fatalf("by remaining after d's deadline moved: %v", got)
	}
	s.Remove("d")
	if _, ok := s.extra["d"]; ok {
		t.Fatal("a removed task keeps its keys")
	}
}

func TestCompareFold(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"a", "B", -1}, {"B", "a", 1}, {"ab", "a", 1}, {"A", "a", -1}, {"é", "É", 1}, {"x", "x", 0}} {
		if got := compareFold(c.a, c.b); got != c.want {
			t.Errorf("compareFold(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// Whatever moves, arrives or leaves, the order Order keeps (moved tasks
// put back one by one, or a whole sort past maxMoved) is the one a whole
// sort gives.
func TestPutBackEqualsAWholeSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := New()
	names := []string{"alpha", "Beta", "gamma", "delta"}
	statuses := []durable.Status{durable.StatusRunning, durable.StatusQueued}
	for step := range 3000 {
		id := fmt.Sprint("t", rng.IntN(60))
		switch op := rng.IntN(20); {
		case op == 0:
			s.SetSort(Sort{By: By(rng.IntN(int(ByElapsed) + 1)), Desc: rng.IntN(2) == 0})
		case op == 1:
			s.Remove(id)
		case op < 8:
			s.Put(durable.Task{ID: id, RunID: id, Name: names[rng.IntN(len(names))], Status: statuses[rng.IntN(2)],
				Attempt: 1 + rng.IntN(3), CreatedAt: t0.Add(-time.Duration(rng.IntN(5)) * time.Minute),
				StartedAt: t0.Add(-time.Duration(rng.IntN(3)) * time.Minute)})
		default:
			e := Extra{}
			if rng.IntN(3) > 0 {
				e = Extra{Wait: names[rng.IntN(len(names))], SleepAt: t0.Add(time.Duration(rng.IntN(4)) * time.Minute)}
			}
			s.SetExtra(id, e)
		}
		if rng.IntN(4) > 0 {
			continue // let moves pile up between reads
		}
		got := slices.Clone(s.Order())
		want := make([]string, 0, s.Len())
		for id := range s.byID {
			want = append(want, id)
		}
		slices.SortFunc(want, s.compareIDs)
		if !slices.Equal(got, want) {
			t.Fatalf("step %d, sort %+v:\n got %v\nwant %v", step, s.Sort(), got, want)
		}
		for i, id := range want {
			if at, ok := s.Position(id); !ok || at != i {
				t.Fatalf("step %d: Position(%s) = %d, %v; want %d", step, id, at, ok, i)
			}
		}
		if _, ok := s.Position("t-none"); ok {
			t.Fatalf("step %d: a task the store does not hold has a position", step)
		}
	}
}
