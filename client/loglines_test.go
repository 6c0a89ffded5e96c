package client

import (
	"fmt"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

// enginePages answers like the engine's log endpoint as LogLines asks it:
// lines strictly after since minus a microsecond, oldest first, at most
// limit, and whether the page is full. It counts the requests.
func enginePages(all []durable.LogLine, limit int, calls *int) func(time.Time) ([]durable.LogLine, bool, error) {
	return func(since time.Time) ([]durable.LogLine, bool, error) {
		*calls++
		var page []durable.LogLine
		for _, l := range all {
			if since.IsZero() || l.At.After(since.Add(-time.Microsecond)) {
				page = append(page, l)
			}
			if len(page) == limit {
				break
			}
		}
		return page, len(page) == limit, nil
	}
}

// logLinesAt makes n lines, k to an instant (so groups straddle pages),
// with repeated messages within an instant.
func logLinesAt(n, k int) []durable.LogLine {
	base := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	out := make([]durable.LogLine, n)
	for i := range out {
		out[i] = durable.LogLine{At: base.Add(time.Duration(i/k) * time.Millisecond), Message: fmt.Sprintf("line %d", i/2)}
	}
	return out
}

func TestPageLogLinesReadsEverythingInOnePass(t *testing.T) {
	all := logLinesAt(12_345, 7) // 13 pages of 1000; groups of 7 cut by page ends
	calls := 0
	got, err := pageLogLines(time.Time{}, logLineMaxPages, enginePages(all, 1000, &calls))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(all) {
		t.Fatalf("%d lines in one call, want %d", len(got), len(all))
	}
	for i := range all {
		if got[i] != all[i] {
			t.Fatalf("line %d is %+v, want %+v", i, got[i], all[i])
		}
	}
	if calls > 14 {
		t.Errorf("%d requests for 13 pages", calls)
	}
	// From a later point only what follows comes back, the lines at that
	// instant included.
	calls = 0
	since := all[5000].At
	got, _ = pageLogLines(since, logLineMaxPages, enginePages(all, 1000, &calls))
	if first := got[0]; !first.At.Equal(since) || len(got) != len(all)-5000+5000%7 {
		t.Errorf("since line 5000: %d lines from %v", len(got), first.At)
	}
}

// More lines at one instant than a page holds cannot be paged by time: it
// stops instead of asking forever.
func TestPageLogLinesStopsOnAFullInstant(t *testing.T) {
	all := logLinesAt(3000, 3000)
	calls := 0
	got, err := pageLogLines(time.Time{}, logLineMaxPages, enginePages(all, 1000, &calls))
	if err != nil || len(got) != 1000 || calls != 2 {
		t.Errorf("%d lines in %d calls (%v)", len(got), calls, err)
	}
}

// A task that logs without end is read at most maxPages pages per call.
func TestPageLogLinesBoundsOneCall(t *testing.T) {
	all := logLinesAt(5000, 1)
	calls := 0
	got, _ := pageLogLines(time.Time{}, 3, enginePages(all, 1000, &calls))
	if calls != 3 || len(got) != 3000-2 {
		t.Errorf("%d lines in %d calls", len(got), calls)
	}
}
