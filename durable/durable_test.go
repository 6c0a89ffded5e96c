package durable

import (
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func sleep(d time.Duration) Condition { return Condition{Kind: CondSleep, Sleep: d} }
func event(k string) Condition        { return Condition{Kind: CondEvent, EventKey: k} }
func anyOf(c ...Condition) Condition  { return Condition{Or: c} }

func waitEntry(node int64, label string, conds ...Condition) Entry {
	return Entry{NodeID: node, BranchID: 1, Kind: EntryWaitFor, Label: label, InsertedAt: t0, Conditions: conds}
}

// The cases mirror what the TypeScript worker's tasks write to the engine
// (see e2e/): labelled sleep, labelled event wait, OR of sleep and event,
// unlabelled sleep, and the rarer shapes.
func TestWaitOf(t *testing.T) {
	cases := []struct {
		name      string
		entry     Entry
		kind      WaitKind
		title     string
		summary   string
		keys      []string
		sleep     time.Duration
		remaining time.Duration // at t0+30s
	}{
		{"labelled sleep", waitEntry(1, "cooling down", sleep(2*time.Minute)),
			WaitSleep, "cooling down", "sleep 2m", nil, 2 * time.Minute, 90 * time.Second},
		{"unlabelled sleep", waitEntry(1, "", sleep(5*time.Minute)),
			WaitSleep, "sleeping 5m", "sleep 5m", nil, 5 * time.Minute, 4*time.Minute + 30*time.Second},
		{"blank label is no label", waitEntry(1, "  ", sleep(time.Minute)),
			WaitSleep, "sleeping 1m", "sleep 1m", nil, time.Minute, 30 * time.Second},
		{"event", waitEntry(1, "", event("payment:confirmed")),
			WaitEvent, "waiting for event payment:confirmed", "event payment:confirmed", []string{"payment:confirmed"}, 0, 0},
		{"or group", waitEntry(1, "", anyOf(sleep(10*time.Minute), event("approval:granted"))),
			WaitAny, "any of: sleep 10m, event approval:granted", "sleep 10m | event approval:granted",
			[]string{"approval:granted"}, 10 * time.Minute, 9*time.Minute + 30*time.Second},
		{"labelled or group keeps its label", waitEntry(1, "approval or timeout", anyOf(event("a"), sleep(time.Minute))),
			WaitAny, "approval or timeout", "event a | sleep 1m", []string{"a"}, time.Minute, 30 * time.Second},
		{"and of event and or group", waitEntry(1, "", event("a"), anyOf(event("b"), event("a"))),
			WaitAll, "all of: event a, (event b | event a)", "event a & (event b | event a)", []string{"a", "b"}, 0, 0},
		{"and of two sleeps waits for the longer", waitEntry(1, "", sleep(time.Minute), sleep(3*time.Minute)),
			WaitAll, "all of: sleep 1m, sleep 3m", "sleep 1m & sleep 3m", nil, 3 * time.Minute, 150 * time.Second},
		{"or of two sleeps ends with the shorter", waitEntry(1, "", anyOf(sleep(time.Minute), sleep(3*time.Minute))),
			WaitAny, "any of: sleep 1m, sleep 3m", "sleep 1m | sleep 3m", nil, time.Minute, 30 * time.Second},
		{"unparsed duration", waitEntry(1, "", sleep(0)),
			WaitSleep, "sleeping (duration unknown)", "sleep (duration unknown)", nil, 0, 0},
		{"child run", Entry{NodeID: 2, BranchID: 1, Kind: EntryRun, InsertedAt: t0},
			WaitChild, "waiting for a child run", "child", nil, 0, 0},
		{"child workflow", waitEntry(1, "", Condition{Kind: CondChild, WorkflowName: "billing"}),
			WaitChild, "waiting for child billing", "child billing", nil, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := WaitOf(c.entry)
			if w.Kind != c.kind || w.Title() != c.title || w.Summary() != c.summary || !reflect.DeepEqual(w.EventKeys, c.keys) || w.Sleep != c.sleep {
				t.Errorf("got kind=%s title=%q summary=%q keys=%v sleep=%s\nwant kind=%s title=%q summary=%q keys=%v sleep=%s",
					w.Kind, w.Title(), w.Summary(), w.EventKeys, w.Sleep, c.kind, c.title, c.summary, c.keys, c.sleep)
			}
			if got := w.Remaining(t0.Add(30 * time.Second)); got != c.remaining {
				t.Errorf("remaining = %s, want %s", got, c.remaining)
			}
			if c.sleep > 0 && !w.Deadline.Equal(t0.Add(c.sleep)) {
				t.Errorf("deadline = %s, want insertedAt+%s", w.Deadline, c.sleep)
			}
		})
	}
}

func TestRemainingOverdueAndCountdown(t *testing.T) {
	w := WaitOf(waitEntry(1, "", sleep(2*time.Minute)))
	steps := []struct {
		after     time.Duration
		remaining time.Duration
		overdue   bool
		text      string
	}{
		{0, 2 * time.Minute, false, "2m"},
		{500 * time.Millisecond, 119500 * time.Millisecond, false, "1m59s"}, // cut down, as every countdown is
		{time.Second, 119 * time.Second, false, "1m59s"},
		{119*time.Second + 1, time.Second - 1, false, "1s"},
		{2 * time.Minute, 0, true, "overdue 0s"},
		{2*time.Minute + 3500*time.Millisecond, 0, true, "overdue 3s"},
	}
	for _, s := range steps {
		now := t0.Add(s.after)
		if got := w.Remaining(now); got != s.remaining {
			t.Errorf("+%s: remaining %s, want %s", s.after, got, s.remaining)
		}
		if got := w.Overdue(now); got != s.overdue {
			t.Errorf("+%s: overdue %v, want %v", s.after, got, s.overdue)
		}
		if got := Countdown(w, now); got != s.text {
			t.Errorf("+%s: countdown %q, want %q", s.after, got, s.text)
		}
	}
	if got := Countdown(WaitOf(waitEntry(1, "", event("k"))), t0); got != "" {
		t.Errorf("an event wait has no countdown, got %q", got)
	}
}

// A countdown keeps one format from its first frame on: a 24 h sleep seen
// 300ms after it started reads as it will a second later, not "1d" first.
func TestCountdownFirstFrameReadsLikeTheNext(t *testing.T) {
	for _, c := range []struct {
		sleep  time.Duration
		frames []string // at +300ms, +1.3s, +61.3s
	}{
		{24 * time.Hour, []string{"23h59m", "23h59m", "23h58m"}},
		{10 * time.Minute, []string{"9m59s", "9m58s", "8m58s"}},
		{45 * time.Second, []string{"44s", "43s", "overdue 16s"}},
	} {
		w := Wait{Deadline: t0.Add(c.sleep)}
		for i, after := range []time.Duration{300 * time.Millisecond, 1300 * time.Millisecond, 61300 * time.Millisecond} {
			if got := Countdown(w, t0.Add(after)); got != c.frames[i] {
				t.Errorf("a %s sleep at +%s reads %q, want %q", c.sleep, after, got, c.frames[i])
			}
		}
	}
}

func TestOpenWaitsSkipsSatisfiedMemoAndSupersededBranches(t *testing.T) {
	done := waitEntry(1, "first nap", sleep(time.Minute))
	done.Satisfied, done.SatisfiedAt = true, t0.Add(time.Minute)
	memo := Entry{NodeID: 2, BranchID: 1, Kind: EntryMemo, InsertedAt: t0}
	oldWait := waitEntry(3, "old branch wait", event("k"))
	// Branch 2 replays from node 3: node 3 of branch 1 is replaced.
	newWait := Entry{NodeID: 3, BranchID: 2, Kind: EntryWaitFor, Label: "new branch wait", InsertedAt: t0,
		Conditions: []Condition{event("k")}}
	got := OpenWaits([]Entry{newWait, oldWait, memo, done})
	if len(got) != 1 || got[0].Label != "new branch wait" || got[0].Key != (Key{Branch: 2, Node: 3}) {
		t.Fatalf("open waits = %+v, want only the new branch's wait", got)
	}
	// Entries before the branch point stay current.
	cur := Current([]Entry{newWait, oldWait, memo, done})
	if len(cur) != 3 || cur[0].NodeID != 1 || cur[2].BranchID != 2 {
		t.Fatalf("current = %+v", cur)
	}
}

func TestNextDeadline(t *testing.T) {
	long := WaitOf(waitEntry(1, "", sleep(time.Hour)))
	short := WaitOf(waitEntry(2, "", sleep(time.Minute)))
	ev := WaitOf(waitEntry(3, "", event("k")))
	if w, ok := NextDeadline([]Wait{ev, long, short}); !ok || w.Key.Node != 2 {
		t.Fatalf("next deadline = %+v %v, want node 2", w, ok)
	}
	if _, ok := NextDeadline([]Wait{ev}); ok {
		t.Fatal("an event wait has no deadline")
	}
}

func TestFormatDuration(t *testing.T) {
	cases := map[time.Duration]string{
		0: "0s", 350 * time.Millisecond: "350ms", 45 * time.Second: "45s", 2 * time.Minute: "2m",
		150 * time.Second: "2m30s", time.Hour + 5*time.Minute: "1h5m", time.Hour + 5*time.Second: "1h",
		76 * time.Hour: "3d4h", 24 * time.Hour: "1d", -90 * time.Second: "-1m30s",
	}
	for d, want := range cases {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestTaskPhaseAttemptElapsed(t *testing.T) {
	task := Task{Status: StatusRunning, Evicted: true, StartedAt: t0}
	if task.Phase() != PhaseEvicted {
		t.Errorf("evicted running task phase %s", task.Phase())
	}
	task.Evicted = false
	if task.Phase() != PhaseRunning {
		t.Errorf("running task phase %s", task.Phase())
	}
	if got := task.Elapsed(t0.Add(90 * time.Second)); got != 90*time.Second {
		t.Errorf("elapsed %s", got)
	}
	if got := (Task{Status: StatusQueued}).Elapsed(t0); got != 0 {
		t.Errorf("queued task elapsed %s", got)
	}
	if got := AttemptText(3, 3); got != "attempt 3/4" {
		t.Errorf("AttemptText(3,3) = %q", got)
	}
	if got := AttemptText(2, -1); got != "attempt 2" {
		t.Errorf("AttemptText(2,-1) = %q", got)
	}
	if got := AttemptText(0, 0); got != "attempt 1/1" {
		t.Errorf("AttemptText(0,0) = %q", got)
	}
	// Reassignments after restarts count as attempts: no "4/1" or "5/3".
	if got := AttemptText(4, 0); got != "attempt 4 (max 1)" {
		t.Errorf("AttemptText(4,0) = %q", got)
	}
	if got := AttemptText(5, 2); got != "attempt 5 (max 3)" || !AttemptsExceeded(5, 2) || AttemptsExceeded(3, 2) || AttemptsExceeded(9, -1) {
		t.Errorf("AttemptText(5,2) = %q", got)
	}
}
