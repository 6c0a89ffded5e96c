package model

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client"
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

// BenchmarkIngest is the model's intake on a busy tenant: live-feed
// updates (stream chunks of rows on screen and lifecycle events of any
// task) queued in the feed channel as the feed manager leaves them (its
// buffer holds 1024), read by waitFeed as the program does, through
// Update, each Update followed by the View the runtime draws after it. The
// channel is kept full, so this is the intake at saturation. It reports
// events/s; the target is at least 20,000 at 10,000 tasks.
func BenchmarkIngest(b *testing.B) {
	for _, n := range []int{10000} {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			m := loaded(b, n)
			visible := m.visibleIDs()
			ch := make(chan client.FeedUpdate, 1024)
			sent := 0
			fill := func() {
				for ; len(ch) < cap(ch); sent++ {
					var ev durable.RunEvent
					if sent%2 == 0 {
						id := visible[sent%len(visible)]
						ev = durable.RunEvent{Kind: durable.TaskStream, RunID: id, TaskID: id,
							At: t0, Payload: "chunk\n", Index: int64(sent / 2)}
					} else {
						id := fmt.Sprintf("t%05d", (sent*7919)%n)
						ev = durable.RunEvent{Kind: durable.TaskCreated, RunID: id, TaskID: id, At: t0}
					}
					ch <- client.FeedUpdate{RunID: ev.RunID, Event: &ev}
				}
			}
			events := 0
			var spent time.Duration
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				fill()
				b.StartTimer()
				start := time.Now()
				msg := waitFeed(ch)().(feedMsg)
				next, _ := m.Update(msg)
				m = next.(Model)
				_ = m.View()
				spent += time.Since(start)
				events += 1 + len(msg.more)
			}
			b.ReportMetric(float64(events)/spent.Seconds(), "events/s")
		})
	}
}

// BenchmarkHeap is the live heap of the model once a full list of n tasks
// is loaded with their logs, after a GC. It reports heap-MB; the issue's
// target is at most 80 at 10,000 tasks (the whole process's RSS).
func BenchmarkHeap(b *testing.B) {
	for _, n := range []int{10000} {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			var mb float64
			for b.Loop() {
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				m := loaded(b, n)
				_ = m.View()
				runtime.GC()
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				runtime.KeepAlive(m)
				mb = float64(after.HeapAlloc-min(before.HeapAlloc, after.HeapAlloc)) / (1 << 20)
			}
			b.ReportMetric(mb, "heap-MB")
		})
	}
}

// BenchmarkReorder is what a moved sort key, a new task or a list answer
// costs the rows on show: the store's order taken again and the filter
// and toggle applied to it, with the cursor on a task in the middle.
func BenchmarkReorder(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			m := loaded(b, n)
			m.selectedID = m.order[n/2]
			b.ReportAllocs()
			for b.Loop() {
				m.reorder()
			}
			if m.selectedID != m.shown[m.cursor] || m.shown[m.cursor] != m.order[n/2] {
				b.Fatal("the cursor left its task")
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/reorder")
		})
	}
}
