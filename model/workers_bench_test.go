package model

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
)

// BenchmarkWorkersStoreChange is the cost of one store change (a task's
// lifecycle events read again, as after a signal) with n tasks spread over
// 20 workers and the workers screen open: the Update, then the View the
// runtime draws after it. The grouping of tasks by worker is kept as tasks
// change, so this must not grow with n. It reports ns/change.
func BenchmarkWorkersStoreChange(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			m := loaded(b, n)
			const nWorkers = 20
			workers := make([]engine.Worker, nWorkers)
			for i := range workers {
				workers[i] = engine.Worker{ID: fmt.Sprintf("w%02d", i), Name: fmt.Sprintf("worker-%02d", i), Status: "ACTIVE",
					LastHeartbeatAt: t0, Actions: []string{"demo:sleep"}}
			}
			events := func(id string, i int) []durable.TaskEvent {
				return []durable.TaskEvent{{ID: i + 1, Type: durable.EventAssigned, At: t0.Add(time.Duration(i) * time.Millisecond),
					WorkerID: workers[i%nWorkers].ID}}
			}
			// Set the events directly, as loaded sets the logs: going
			// through Update per task would make the setup quadratic.
			ids := append([]string(nil), m.order...)
			for i, id := range ids {
				st := m.tasks[id]
				st.events, st.eventsAt = events(id, i), t0
				m.rebuildDeadline(st)
			}
			m.engine = &workersEngine{Engine: m.engine.(*fake.Engine), workers: workers}
			m = update(m, keyRune('W'))
			s := m.workers()
			m = update(m, workersMsg{screen: s, workers: workers})
			if v := m.View(); !strings.Contains(v, fmt.Sprintf("worker known for %d of %d running tasks", n, n)) {
				b.Fatalf("the workers screen does not group the tasks:\n%s", v)
			}
			var spent time.Duration
			changes := 0
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				id := ids[(i*7919)%n]
				start := time.Now()
				// The task moves to the next worker.
				m = update(m, eventsMsg{taskID: id, events: events(id, i+1)})
				_ = m.View()
				spent += time.Since(start)
				changes++
			}
			b.ReportMetric(float64(spent.Nanoseconds())/float64(changes), "ns/change")
		})
	}
}
