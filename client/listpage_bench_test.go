package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/hatchet-dev/hatchet/pkg/client/rest"
)

// benchPage is a list page of n rows shaped like v0.105.0's answer (the
// fixture's rows, with fresh ids), as the engine sends it without payloads.
func benchPage(b *testing.B, n int) []byte {
	b.Helper()
	data, err := os.ReadFile("testdata/workflow-runs.json")
	if err != nil {
		b.Fatal(err)
	}
	var list struct{ Rows []json.RawMessage }
	if err := json.Unmarshal(data, &list); err != nil {
		b.Fatal(err)
	}
	rows := make([]json.RawMessage, n)
	for i := range rows {
		row := string(list.Rows[i%len(list.Rows)])
		row = strings.ReplaceAll(row, "-8000-0000000000", fmt.Sprintf("-8000-%010d", i))
		rows[i] = json.RawMessage(row)
	}
	page, err := json.Marshal(map[string]any{
		"pagination": map[string]any{"current_page": 1, "next_page": 2, "num_pages": 5},
		"rows":       rows,
	})
	if err != nil {
		b.Fatal(err)
	}
	return page
}

// BenchmarkDecodeListPage decodes a page of 200 rows into the generated
// types (what ListActive did) and into listBody plus the mapping to tasks
// (what it does now), per task: ns/task and allocs/task.
func BenchmarkDecodeListPage(b *testing.B) {
	const rows = 200
	page := benchPage(b, rows)
	var before runtime.MemStats
	start := func() { runtime.ReadMemStats(&before) }
	report := func(b *testing.B) {
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/task")
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N*rows), "allocs/task")
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N*rows), "B/task")
	}
	b.Run("generated", func(b *testing.B) {
		b.ReportAllocs()
		start()
		for b.Loop() {
			var out rest.V1TaskSummaryList
			if err := json.NewDecoder(bytes.NewReader(page)).Decode(&out); err != nil {
				b.Fatal(err)
			}
			for _, r := range out.Rows {
				_ = taskOf(r)
			}
		}
		report(b)
	})
	b.Run("minimal", func(b *testing.B) {
		b.ReportAllocs()
		var c Client
		start()
		for b.Loop() {
			out, err := c.decodeList(bytes.NewReader(page))
			if err != nil {
				b.Fatal(err)
			}
			for i := range out.Rows {
				_ = taskOfRow(&out.Rows[i])
			}
		}
		report(b)
	})
}
