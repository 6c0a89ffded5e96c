package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

// BenchmarkResort is the cost of one moved key under a sort by REMAINING:
// a log brought one task a new sleep deadline and the order is taken
// again. It is what a message costs at most when sorted (a message that
// moves no sorted key costs nothing).
func BenchmarkResort(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint("tasks=", n), func(b *testing.B) {
			s := New()
			for i := range n {
				id := fmt.Sprint("t", i)
				s.Put(durable.Task{ID: id, RunID: id, Status: durable.StatusRunning, CreatedAt: t0.Add(-time.Duration(i) * time.Second)})
				s.SetExtra(id, Extra{Wait: "nap", SleepAt: t0.Add(time.Duration((i*7919)%n) * time.Second)})
			}
			s.SetSort(Sort{By: ByRemaining})
			s.Order()
			b.ResetTimer()
			for i := range b.N {
				id := fmt.Sprint("t", i%n)
				s.SetExtra(id, Extra{Wait: "nap", SleepAt: t0.Add(time.Duration(i) * time.Millisecond)}) // always a new deadline
				s.Order()
			}
		})
	}
}

// BenchmarkWholeSort is what BenchmarkResort spares: the whole order
// sorted again (a new key, or more than maxMoved tasks moved at once).
func BenchmarkWholeSort(b *testing.B) {
	const n = 10000
	s := New()
	for i := range n {
		id := fmt.Sprint("t", i)
		s.Put(durable.Task{ID: id, RunID: id, Status: durable.StatusRunning, CreatedAt: t0.Add(-time.Duration(i) * time.Second)})
		s.SetExtra(id, Extra{Wait: "nap", SleepAt: t0.Add(time.Duration((i*7919)%n) * time.Second)})
	}
	b.ResetTimer()
	for i := range b.N {
		s.SetSort(Sort{By: ByRemaining, Desc: i%2 == 0})
		s.Order()
	}
}
