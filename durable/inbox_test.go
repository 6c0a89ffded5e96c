package durable

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestInboxGroupsByEventKeyAndSleeps(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	sleep := func(node int64, label string, d time.Duration) Wait {
		return WaitOf(Entry{NodeID: node, BranchID: 1, Kind: EntryWaitFor, Label: label, InsertedAt: t0,
			Conditions: []Condition{{Kind: CondSleep, Sleep: d}}})
	}
	event := func(label, key string) Wait {
		return WaitOf(Entry{NodeID: 1, BranchID: 1, Kind: EntryWaitFor, Label: label, InsertedAt: t0,
			Conditions: []Condition{{Kind: CondEvent, EventKey: key}}})
	}
	or := WaitOf(Entry{NodeID: 1, BranchID: 1, Kind: EntryWaitFor, Label: "approval or timeout", InsertedAt: t0,
		Conditions: []Condition{{Or: []Condition{{Kind: CondEvent, EventKey: "approval"}, {Kind: CondEvent, EventKey: "pay"}, {Kind: CondSleep, Sleep: time.Minute}}}}})
	groups := Inbox([]Waiter{
		{TaskID: "a", TaskName: "a", Wait: sleep(1, "long", time.Hour)},
		{TaskID: "b", TaskName: "b", Wait: event("awaiting payment", "pay")},
		{TaskID: "c", TaskName: "c", Wait: or},
		{TaskID: "d", TaskName: "d", Wait: sleep(1, "", 2*time.Minute)},
		{TaskID: "e", TaskName: "e", Wait: event("awaiting payment", "pay")},
	})
	var keys []string
	for _, g := range groups {
		keys = append(keys, g.Key)
	}
	// pay wakes 3 tasks, approval 1; sleeps last.
	if want := []string{"pay", "approval", SleepingGroup}; !reflect.DeepEqual(keys, want) {
		t.Fatalf("groups %v, want %v", keys, want)
	}
	pay := groups[0]
	if pay.Tasks() != 3 || !reflect.DeepEqual(pay.Labels, []string{"approval or timeout", "awaiting payment"}) {
		t.Errorf("pay group: tasks %d labels %v", pay.Tasks(), pay.Labels)
	}
	if pay.Waiters[0].TaskID != "c" || !pay.Next.Equal(t0.Add(time.Minute)) {
		t.Errorf("the OR wait with a deadline should come first: %+v next %s", pay.Waiters[0], pay.Next)
	}
	sl := groups[2]
	if !sl.Sleeping || sl.Waiters[0].TaskID != "d" || sl.Waiters[1].TaskID != "a" {
		t.Errorf("sleeping group not by deadline: %+v", sl.Waiters)
	}
	if sl.Labels[0] != "sleeping 2m" {
		t.Errorf("unlabelled sleep title %q", sl.Labels[0])
	}
	if len(Inbox(nil)) != 0 {
		t.Error("empty inbox has groups")
	}
}

func TestTimeoutRisk(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	nap := WaitOf(Entry{NodeID: 1, BranchID: 1, Kind: EntryWaitFor, InsertedAt: t0,
		Conditions: []Condition{{Kind: CondSleep, Sleep: 45 * time.Second}}})
	ev := WaitOf(Entry{NodeID: 1, BranchID: 1, Kind: EntryWaitFor, InsertedAt: t0,
		Conditions: []Condition{{Kind: CondEvent, EventKey: "k"}}})
	cases := []struct {
		name    string
		timeout time.Time
		waits   []Wait
		want    bool
	}{
		{"timeout before the sleep ends", t0.Add(30 * time.Second), []Wait{nap}, true},
		{"timeout after the sleep, far off", t0.Add(10 * time.Minute), []Wait{nap}, false},
		{"event wait under the threshold", t0.Add(50 * time.Second), []Wait{ev}, true},
		{"event wait with time left", t0.Add(5 * time.Minute), []Wait{ev}, false},
		{"not waiting", t0.Add(10 * time.Second), nil, false},
		{"timeout unknown", time.Time{}, []Wait{ev}, false},
	}
	for _, c := range cases {
		if got := TimeoutRisk(c.timeout, c.waits, t0, time.Minute); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestTimelineFoldsMemosAndMarksSupersededBranches(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	e := func(node, branch int64, kind EntryKind) Entry {
		return Entry{NodeID: node, BranchID: branch, Kind: kind, InsertedAt: t0}
	}
	items := Timeline([]Entry{
		e(3, 1, EntryWaitFor), e(1, 1, EntryMemo), e(2, 1, EntryMemo), e(4, 1, EntryMemo),
		e(3, 2, EntryWaitFor), // branch 2 starts at node 3: b1 n3 and n4 are replaced
	})
	type got struct {
		node, branch int64
		folded       int
		sup          bool
	}
	var g []got
	for _, it := range items {
		g = append(g, got{it.Entry.NodeID, it.Entry.BranchID, it.Folded, it.Superseded})
	}
	want := []got{{1, 1, 2, false}, {3, 1, 0, true}, {3, 2, 0, false}, {4, 1, 0, true}}
	if !reflect.DeepEqual(g, want) {
		t.Errorf("timeline %+v\nwant     %+v", g, want)
	}
	if items[0].LastNode != 2 {
		t.Errorf("fold ends at node %d, want 2", items[0].LastNode)
	}
}

func TestParseIncrement(t *testing.T) {
	good := map[string]time.Duration{"5m": 5 * time.Minute, "90s": 90 * time.Second, "1h30m": 90 * time.Minute, "1.5h": 90 * time.Minute, "250ms": 250 * time.Millisecond, " 2m ": 2 * time.Minute}
	for in, want := range good {
		if got, err := ParseIncrement(in); err != nil || got != want {
			t.Errorf("ParseIncrement(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	bad := map[string]string{"": "type a duration", "-5m": "negative", "5": "no unit", "1d": "not a duration", "0s": "adds nothing", "5 m": "not a duration", "abc": "not a duration"}
	for in, want := range bad {
		_, err := ParseIncrement(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseIncrement(%q) error %v, want it to say %q", in, err, want)
		}
	}
}
