package client

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/hatchet-dev/hatchet/pkg/client/rest"

	"github.com/hatchtop/hatchtop/durable"
)

// FuzzEventLogWaits: the engine's event-log JSON, however odd, maps to
// entries and open waits without panicking; every open wait comes from an
// unsatisfied entry of the log, and no sleep or countdown is negative.
func FuzzEventLogWaits(f *testing.F) {
	data, err := os.ReadFile("testdata/event-logs.json")
	if err != nil {
		f.Fatal(err)
	}
	var logs map[string]json.RawMessage
	if err := json.Unmarshal(data, &logs); err != nil {
		f.Fatal(err)
	}
	for _, l := range logs {
		f.Add([]byte(l))
	}
	f.Add([]byte(`[{"nodeId":1,"branchId":1,"kind":"WAIT_FOR","isSatisfied":false,"insertedAt":"2026-11-23T01:38:04Z","waitData":[{"kind":"SLEEP","sleepDurationMs":9223372036854775807}]}]`))
	f.Add([]byte(`[{"nodeId":1,"kind":"WAIT_FOR","waitData":[{"or":[]},{"or":[{"kind":"USER_EVENT"}]},{"kind":"SLEEP","sleepDurationMs":-5}]}]`))
	f.Add([]byte(`[{"nodeId":2,"branchId":2,"kind":"RUN"},{"nodeId":1,"branchId":1,"kind":"WAIT_FOR","insertedAt":"0001-01-01T00:00:00Z"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var raw []rest.V1DurableEventLogEntry
		if json.Unmarshal(data, &raw) != nil {
			return
		}
		entries := make([]durable.Entry, 0, len(raw))
		open := map[durable.Key]bool{}
		for _, r := range raw {
			e := entryOf(r)
			entries = append(entries, e)
			if !r.IsSatisfied {
				open[e.Key()] = true
			}
		}
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
		for _, w := range durable.OpenWaits(entries) {
			if !open[w.Key] {
				t.Fatalf("open wait %+v from no unsatisfied entry", w.Key)
			}
			if w.Sleep < 0 || w.Remaining(now) < 0 {
				t.Fatalf("wait %+v: sleep %s, remaining %s", w.Key, w.Sleep, w.Remaining(now))
			}
			for _, c := range w.Conditions {
				if c.Sleep < 0 {
					t.Fatalf("condition with a negative sleep %s", c.Sleep)
				}
			}
			_ = w.Title() + w.Summary() + durable.Countdown(w, now)
		}
		durable.Timeline(entries)
	})
}
