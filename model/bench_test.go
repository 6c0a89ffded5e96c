package model

import (
	"fmt"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
)

// loaded builds a model holding n durable tasks whose logs are loaded, as
// after a while on a busy tenant.
func loaded(b *testing.B, n int) Model {
	f := fake.New()
	m := newTestModel(f)
	tasks := make([]durable.Task, n)
	for i := range tasks {
		tasks[i] = durableTask(fmt.Sprintf("t%05d", i), "sleep", -time.Duration(i)*time.Second)
	}
	m = update(m, listMsg{tasks: tasks})
	// Set the logs directly: going through Update per task would make the
	// setup quadratic.
	for _, t := range tasks {
		st := m.tasks[t.ID]
		st.entries = []durable.Entry{sleepEntry(1, "cooling down", t0, time.Hour)}
		st.waits = durable.OpenWaits(st.entries)
		st.logAt = t0
	}
	m.sched.logsInFlight = map[string]bool{}
	return m
}

// BenchmarkTick is the cost of one clock tick (the most frequent message)
// with n tasks: it must stay far below a frame (16 ms) on a busy tenant.
func BenchmarkTick(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := loaded(b, n)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				next, _ := m.Update(tickMsg(t0.Add(time.Duration(i%10) * time.Millisecond)))
				m = next.(Model)
			}
		})
	}
}

// BenchmarkView renders the screen; View only draws the visible rows, so
// its cost must not grow with the number of tasks.
func BenchmarkView(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := loaded(b, n)
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkListPoll is the cost of applying one poll of n unchanged tasks.
func BenchmarkListPoll(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			m := loaded(b, n)
			tasks := make([]durable.Task, 0, n)
			for _, id := range m.order {
				tasks = append(tasks, m.tasks[id].task)
			}
			b.ReportAllocs()
			for b.Loop() {
				m.sched.listInFlight = true
				next, _ := m.Update(listMsg{tasks: tasks})
				m = next.(Model)
			}
		})
	}
}
