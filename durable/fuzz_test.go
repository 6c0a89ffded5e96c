package durable

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A rendering is one or two units, largest first, or milliseconds alone.
var formatted = regexp.MustCompile(`^-?(?:[0-9]+ms|[0-9]+[dhms](?:[0-9]+[hms])?)$`)

var unitSize = map[string]uint64{
	"d": uint64(24 * time.Hour), "h": uint64(time.Hour), "m": uint64(time.Minute),
	"s": uint64(time.Second), "ms": uint64(time.Millisecond),
}

// next is the unit below each unit: what a two-unit rendering may drop.
var next = map[string]string{"d": "h", "h": "m", "m": "s", "s": "ns", "ms": "ns"}

// readBack parses FormatDuration's output into its magnitude in ns and the
// largest unit shown.
func readBack(t *testing.T, s string) (mag uint64, largest string) {
	t.Helper()
	s = strings.TrimPrefix(s, "-")
	for s != "" {
		i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
		n, err := strconv.ParseUint(s[:i], 10, 64)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		unit := s[i : i+1]
		if strings.HasPrefix(s[i:], "ms") {
			unit = "ms"
		}
		if largest == "" {
			largest = unit
		}
		mag += n * unitSize[unit]
		s = s[i+len(unit):]
	}
	return mag, largest
}

func magnitude(d time.Duration) uint64 {
	if d < 0 {
		return uint64(-(d + 1)) + 1
	}
	return uint64(d)
}

// FuzzFormatDuration: total on every int64, one or two units, the sign
// kept, and what it shows is the duration truncated to the unit below the
// largest one shown.
func FuzzFormatDuration(f *testing.F) {
	for _, d := range []int64{0, 1, -1, 999_999, 350 * 1e6, 1e9, 59e9, 60e9, 61e9, 3600e9, 3605e9, 86400e9 * 3,
		math.MaxInt64, math.MinInt64, math.MinInt64 + 1, -int64(time.Hour)} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, n int64) {
		d := time.Duration(n)
		s := FormatDuration(d)
		if !formatted.MatchString(s) {
			t.Fatalf("FormatDuration(%d) = %q, not one or two units", n, s)
		}
		if (d < 0) != strings.HasPrefix(s, "-") {
			t.Fatalf("FormatDuration(%d) = %q: sign lost", n, s)
		}
		shown, largest := readBack(t, s)
		m := magnitude(d)
		bound := uint64(1)
		if u, ok := unitSize[next[largest]]; ok {
			bound = u
		}
		if largest == "s" || largest == "ms" {
			bound = unitSize[largest]
		}
		if m != 0 && (shown > m || m-shown >= bound) {
			t.Fatalf("FormatDuration(%d) = %q shows %d ns; want within %d below %d", n, s, shown, bound, m)
		}
	})
}

// FuzzParseIncrement: never panics; what it accepts is positive and means
// what Go's own parser says; every positive duration of at least a
// millisecond, written by time.Duration.String, is accepted back unchanged.
func FuzzParseIncrement(f *testing.F) {
	for _, s := range []string{"5m", "90s", "1h30m", "1.5h", ".5s", "250ms", "", " 5m ", "-5m", "5", "0s", "5d", "1e3s",
		"9999999999h", "1h1h", "5m\x00", "５m", "1.s", "0.0000000001s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseIncrement(s)
		if err != nil {
			if d != 0 {
				t.Fatalf("ParseIncrement(%q) = %s with error %v", s, d, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("ParseIncrement(%q): error of several lines: %q", s, err)
			}
			return
		}
		if d <= 0 {
			t.Fatalf("ParseIncrement(%q) = %s, not positive", s, d)
		}
		if g, gerr := time.ParseDuration(strings.TrimSpace(s)); gerr != nil || g != d {
			t.Fatalf("ParseIncrement(%q) = %s, time.ParseDuration says %s, %v", s, d, g, gerr)
		}
		if FormatDuration(d) == "" {
			t.Fatalf("no rendering of %s", d)
		}
		// Round trip through Go's own rendering.
		if d >= time.Millisecond {
			back, err := ParseIncrement(d.String())
			if err != nil || back != d {
				t.Fatalf("ParseIncrement(%q) = %s, %v; want %s", d.String(), back, err, d)
			}
		}
	})
}

// FuzzCountdown: every deadline against every clock renders, and an open
// wait never counts below zero.
func FuzzCountdown(f *testing.F) {
	f.Add(int64(0), int64(0))
	f.Add(int64(1), int64(math.MaxInt64))
	f.Add(int64(math.MinInt64), int64(math.MaxInt64))
	f.Add(int64(math.MaxInt64), int64(math.MinInt64)) // the remaining time saturates
	f.Add(t0.UnixNano(), t0.Add(90*time.Second).UnixNano())
	f.Add(t0.Add(90*time.Second+500*time.Millisecond).UnixNano(), t0.UnixNano()) // between two seconds
	f.Add(t0.Add(time.Millisecond).UnixNano(), t0.UnixNano())                    // under 1s ahead
	f.Fuzz(func(t *testing.T, deadline, now int64) {
		w := Wait{Deadline: time.Unix(0, deadline)}
		at := time.Unix(0, now)
		s := Countdown(w, at)
		if strings.HasPrefix(s, "-") || w.Remaining(at) < 0 {
			t.Fatalf("countdown %q, remaining %s", s, w.Remaining(at))
		}
		// Ahead: cut down to the second, never under 1s.
		if left := w.Remaining(at); !w.Overdue(at) && s != FormatDuration(max(left.Truncate(time.Second), time.Second)) {
			t.Fatalf("countdown %q for %s left", s, left)
		}
	})
}

// logFrom builds an event log from fuzz bytes: every entry takes a few
// bytes for its node, branch, kind, satisfaction and conditions, nested OR
// groups included, with sleeps and times at the extremes.
func logFrom(data []byte) []Entry {
	r := byteReader{data: data}
	var out []Entry
	for !r.done() && len(out) < 64 {
		e := Entry{
			NodeID:   int64(r.next()%8) - 1,
			BranchID: int64(r.next() % 4),
			Kind:     []EntryKind{EntryWaitFor, EntryRun, EntryMemo, "OTHER"}[r.next()%4],
			Label:    []string{"", "label", " ", "\x1b[31mred\x1b[0m"}[r.next()%4],
		}
		e.InsertedAt = r.time()
		if r.next()%2 == 0 {
			e.Satisfied, e.SatisfiedAt = true, r.time()
		}
		n := int(r.next() % 4)
		for i := 0; i < n; i++ {
			e.Conditions = append(e.Conditions, r.condition(2))
		}
		out = append(out, e)
	}
	return out
}

type byteReader struct {
	data []byte
	i    int
}

func (r *byteReader) done() bool { return r.i >= len(r.data) }

func (r *byteReader) next() byte {
	if r.done() {
		return 0
	}
	b := r.data[r.i]
	r.i++
	return b
}

func (r *byteReader) time() time.Time {
	switch r.next() % 4 {
	case 0:
		return time.Time{}
	case 1:
		return t0.Add(time.Duration(r.next()) * time.Second)
	case 2:
		return time.Unix(0, math.MaxInt64)
	}
	return time.Unix(0, math.MinInt64)
}

func (r *byteReader) condition(depth int) Condition {
	switch b := r.next(); {
	case b%5 == 0 && depth > 0:
		c := Condition{}
		for n := int(r.next()%3) + 1; n > 0; n-- {
			c.Or = append(c.Or, r.condition(depth-1))
		}
		return c
	case b%5 == 1:
		return Condition{Kind: CondEvent, EventKey: []string{"", "a", "b", "payment:confirmed"}[r.next()%4]}
	case b%5 == 2:
		return Condition{Kind: CondChild, WorkflowName: []string{"", "billing"}[r.next()%2]}
	case b%5 == 3:
		return Condition{Kind: "FUTURE_KIND"}
	}
	sleeps := []time.Duration{0, -time.Second, time.Second, 10 * time.Minute, math.MaxInt64, math.MinInt64}
	return Condition{Kind: CondSleep, Sleep: sleeps[int(r.next())%len(sleeps)]}
}

// keysOf collects every event key of conditions, nested groups included.
func keysOf(conds []Condition, acc map[string]bool) map[string]bool {
	for _, c := range conds {
		keysOf(c.Or, acc)
		if c.Kind == CondEvent && c.EventKey != "" {
			acc[c.EventKey] = true
		}
	}
	return acc
}

// FuzzOpenWaits: deriving the waits of any log never panics; every open
// wait comes from exactly one unsatisfied WAIT_FOR or RUN entry of the
// current branch, in node order; its event keys are the entry's, once
// each; its countdown never goes below zero; and its texts render.
func FuzzOpenWaits(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{2, 1, 0, 1, 1, 5, 1, 4, 120})                    // one labelled sleep
	f.Add([]byte{2, 1, 0, 0, 1, 5, 1, 2, 0, 1, 1, 3, 0, 0})       // an OR of an event and a sleep
	f.Add([]byte{2, 1, 0, 0, 1, 5, 1, 4, 9, 2, 2, 0, 1, 5, 1, 4}) // a branch replacing node 1
	f.Add([]byte{3, 1, 2, 0, 1, 0, 1, 0, 4, 1, 2, 0, 1, 1, 0, 0}) // memos, satisfied entries
	f.Add([]byte{1, 1, 1, 3, 2, 1, 3, 0, 2, 5, 2, 4, 4, 4, 255})  // extremes
	f.Fuzz(func(t *testing.T, data []byte) {
		entries := logFrom(data)
		waits := OpenWaits(entries)
		// The open entries of the current branch, in its order; a log may
		// (wrongly) hold one key twice, and each open entry yields a wait.
		var open []Entry
		for _, e := range Current(entries) {
			if !e.Satisfied && (e.Kind == EntryWaitFor || e.Kind == EntryRun) {
				open = append(open, e)
			}
		}
		if len(waits) != len(open) {
			t.Fatalf("%d waits from %d open entries", len(waits), len(open))
		}
		for i, w := range waits {
			e := open[i]
			if w.Key != e.Key() || w.Label != e.Label || !w.RegisteredAt.Equal(e.InsertedAt) {
				t.Fatalf("wait %d (%+v) is not open entry %d (%+v)", i, w.Key, i, e.Key())
			}
			if i > 0 && waits[i-1].Key.Node > w.Key.Node {
				t.Fatalf("waits out of node order: %v before %v", waits[i-1].Key, w.Key)
			}
			keys := keysOf(e.Conditions, map[string]bool{})
			dedup := map[string]bool{}
			for _, k := range w.EventKeys {
				if !keys[k] || dedup[k] {
					t.Fatalf("event key %q of wait %v: in entry %v, seen twice %v", k, w.Key, keys[k], dedup[k])
				}
				dedup[k] = true
			}
			if len(dedup) != len(keys) {
				t.Fatalf("wait %v has keys %v, its entry %v", w.Key, w.EventKeys, keys)
			}
			if w.Sleep < 0 {
				t.Fatalf("wait %v has a negative sleep %s", w.Key, w.Sleep)
			}
			for _, now := range []time.Time{{}, t0, time.Unix(0, math.MaxInt64)} {
				if w.Remaining(now) < 0 || strings.HasPrefix(Countdown(w, now), "-") {
					t.Fatalf("wait %v counts below zero at %s", w.Key, now)
				}
			}
			if w.Title() == "" || w.Describe() == "" || w.Summary() == "" {
				t.Fatalf("wait %v renders empty: %q %q %q", w.Key, w.Title(), w.Describe(), w.Summary())
			}
		}
		// The other views of the same log hold together too.
		if items := Timeline(entries); len(items) > len(entries) {
			t.Fatalf("timeline of %d entries has %d items", len(entries), len(items))
		}
		var ws []Waiter
		for _, w := range waits {
			ws = append(ws, Waiter{TaskID: "t", TaskName: "t", Wait: w})
		}
		for _, g := range Inbox(ws) {
			if len(g.Waiters) == 0 || (g.Sleeping != (g.Key == SleepingGroup)) {
				t.Fatalf("inbox group %+v", g)
			}
		}
		NextDeadline(waits)
	})
}
