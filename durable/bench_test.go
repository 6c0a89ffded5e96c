package durable

import (
	"testing"
	"time"
)

// BenchmarkOpenWaits derives the open waits of a long log (1000 entries
// across two branches), as done on every event-log fetch.
func BenchmarkOpenWaits(b *testing.B) {
	var entries []Entry
	for i := range int64(1000) {
		e := waitEntry(i, "label", anyOf(sleep(time.Minute), event("k")))
		e.Satisfied = i < 999
		if i >= 500 {
			e.BranchID = 2
		}
		entries = append(entries, e)
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(OpenWaits(entries)) != 1 {
			b.Fatal("want one open wait")
		}
	}
}
