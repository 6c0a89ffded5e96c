package attention

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

var start = time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)

func eventWait(node int64, label, key string, at time.Time) durable.Wait {
	return durable.Wait{Key: durable.Key{Branch: 1, Node: node}, Label: label, Kind: durable.WaitEvent,
		EventKeys: []string{key}, RegisteredAt: at,
		Conditions: []durable.Condition{{Kind: durable.CondEvent, EventKey: key}}}
}

func sleepWait(node int64, at time.Time) durable.Wait {
	return durable.Wait{Key: durable.Key{Branch: 1, Node: node}, Kind: durable.WaitSleep, Sleep: time.Minute, RegisteredAt: at,
		Conditions: []durable.Condition{{Kind: durable.CondSleep, Sleep: time.Minute}}}
}

func TestFirstLoadDoesNotNotify(t *testing.T) {
	tr := New(ParseFilter(""), start)
	after := start.Add(time.Second)
	// A first-load task's first log: silent even for a wait stamped after
	// start (the engine's clock may be ahead of ours).
	if got := tr.Observe(Observation{TaskID: "a", Task: "A", FirstSight: true, FirstLoad: true,
		Waits: []durable.Wait{eventWait(1, "approve", "k", after)}}); len(got) != 0 {
		t.Fatalf("first load notified: %+v", got)
	}
	// A task found later (the reconciliation) whose wait is older than
	// hatchtop: silent.
	if got := tr.Observe(Observation{TaskID: "b", Task: "B", FirstSight: true,
		Waits: []durable.Wait{eventWait(1, "approve", "k", start.Add(-time.Hour))}}); len(got) != 0 {
		t.Fatalf("an old wait found late notified: %+v", got)
	}
	// The same tasks open a new wait later: that one notifies.
	got := tr.Observe(Observation{TaskID: "a", Task: "A",
		Waits: []durable.Wait{eventWait(1, "approve", "k", after), eventWait(2, "sign", "k2", after)}})
	if len(got) != 1 || got[0].Node != 2 || got[0].Label != "sign" || got[0].Task != "A" || got[0].Key != "k2" {
		t.Fatalf("new wait of a first-load task: %+v", got)
	}
	// A new task at first sight with a wait opened after start notifies.
	got = tr.Observe(Observation{TaskID: "c", Task: "C", FirstSight: true,
		Waits: []durable.Wait{eventWait(3, "approve", "k", after)}})
	if len(got) != 1 || got[0].TaskID != "c" {
		t.Fatalf("new task: %+v", got)
	}
}

func TestNoRepeatForTheSameWait(t *testing.T) {
	tr := New(ParseFilter(""), start)
	w := eventWait(4, "approve", "k", start.Add(time.Minute))
	obs := Observation{TaskID: "a", Task: "A", Waits: []durable.Wait{w}}
	if got := tr.Observe(obs); len(got) != 1 {
		t.Fatalf("first: %+v", got)
	}
	for i := 0; i < 3; i++ {
		if got := tr.Observe(obs); len(got) != 0 {
			t.Fatalf("repeat %d: %+v", i, got)
		}
	}
	// The same node on another branch (a replay) is the same wait.
	w.Key.Branch = 2
	if got := tr.Observe(Observation{TaskID: "a", Task: "A", Waits: []durable.Wait{w}}); len(got) != 0 {
		t.Fatalf("same node, new branch: %+v", got)
	}
	// The same node in another task is another wait.
	if got := tr.Observe(Observation{TaskID: "b", Task: "B", Waits: []durable.Wait{w}}); len(got) != 1 {
		t.Fatalf("other task: %+v", got)
	}
}

func TestFilterByLabelOrKeySubstring(t *testing.T) {
	at := start.Add(time.Minute)
	orWait := durable.Wait{Key: durable.Key{Node: 9}, Kind: durable.WaitAny, EventKeys: []string{"refund:ok"}, Sleep: time.Hour, RegisteredAt: at,
		Conditions: []durable.Condition{{Or: []durable.Condition{{Kind: durable.CondSleep, Sleep: time.Hour}, {Kind: durable.CondEvent, EventKey: "refund:ok"}}}}}
	cases := []struct {
		filter string
		wait   durable.Wait
		want   bool
	}{
		{"", eventWait(1, "anything", "k", at), true},
		{"all", eventWait(1, "anything", "k", at), true},
		{"", sleepWait(1, at), false}, // sleeps never call for a person
		{"approv", eventWait(1, "Needs APPROVAL", "k", at), true},
		{"approv", eventWait(1, "payment", "k", at), false},
		{"payment:", eventWait(1, "no label match", "payment:confirmed", at), true},
		{"x, refund", orWait, true}, // an OR with a sleep is an event wait too
		{"x,,y", eventWait(1, "z", "k", at), false},
	}
	for _, c := range cases {
		tr := New(ParseFilter(c.filter), start)
		got := tr.Observe(Observation{TaskID: "t", Task: "T", Waits: []durable.Wait{c.wait}})
		if (len(got) == 1) != c.want {
			t.Errorf("filter %q, wait %q %v: got %+v, want notify=%v", c.filter, c.wait.Label, c.wait.EventKeys, got, c.want)
		}
	}
}

func TestHostileTextIsCleanedAndCapped(t *testing.T) {
	evil := "pay\x1b]9;owned\x07\x1b[31m red \u202eesrever\u202c bell\a st\u009c end; semi" + strings.Repeat("x", 5000)
	n := Notice{TaskID: "t", Task: "task\x1b[2J\u200b" + strings.Repeat("y", 500), Label: evil, Key: "k\x1b\\"}
	for _, term := range []Terminal{{}, {OSC777: true}} {
		out := Encode(n, term)
		if len(out) > 1000 {
			t.Errorf("not capped: %d bytes", len(out))
		}
		// Exactly the sequences we write: one BEL alone, then OSC 9 (and
		// 777) each ending in the one BEL; no other ESC, BEL or C1.
		seqs := 2
		if term.OSC777 {
			seqs = 3
		}
		if c := bytes.Count(out, []byte{'\a'}); c != seqs {
			t.Errorf("%d BELs, want %d: %q", c, seqs, out)
		}
		if c := bytes.Count(out, []byte{0x1b}); c != seqs-1 {
			t.Errorf("%d ESCs, want %d: %q", c, seqs-1, out)
		}
		for _, bad := range []string{"\u009c", "\u202e", "\u200b", "owned\a"} {
			if bytes.Contains(out, []byte(bad)) {
				t.Errorf("%q left in %q", bad, out)
			}
		}
		if !bytes.Contains(out, []byte("task")) || !bytes.Contains(out, []byte("pay")) {
			t.Errorf("task or label lost: %q", out)
		}
	}
	out := string(Encode(n, Terminal{OSC777: true}))
	i := strings.Index(out, "\x1b]777;notify;")
	if fields := strings.Split(strings.TrimSuffix(out[i:], "\a"), ";"); len(fields) != 4 {
		t.Errorf("OSC 777 has %d fields, want 4 (notify, title, body): %q", len(fields), out[i:])
	}
}

func TestEncode(t *testing.T) {
	n := Notice{Task: "approve-order", Label: "awaiting approval", Key: "order:approved"}
	want := "\a\x1b]9;hatchtop: approve-order: waits: awaiting approval (event order:approved)\a"
	if got := string(Encode(n, Terminal{})); got != want {
		t.Errorf("OSC 9:\n got %q\nwant %q", got, want)
	}
	want += "\x1b]777;notify;hatchtop: approve-order;waits: awaiting approval (event order:approved)\a"
	if got := string(Encode(n, Terminal{OSC777: true})); got != want {
		t.Errorf("OSC 777:\n got %q\nwant %q", got, want)
	}
	n.More = 2
	if got := n.Body(); got != "waits: awaiting approval (event order:approved) (and 2 more)" {
		t.Errorf("body %q", got)
	}
	n.More = 0
	// A label that names the key already does not repeat it.
	n.Label = "waiting for event order:approved"
	if got := n.Body(); got != "waits: waiting for event order:approved" {
		t.Errorf("body %q", got)
	}
}

func TestDetect(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"TERM": "xterm-256color"}, false},
		{map[string]string{"TERM_PROGRAM": "WezTerm", "TERM": "xterm-256color"}, true},
		{map[string]string{"TERM_PROGRAM": "ghostty"}, true},
		{map[string]string{"TERM": "xterm-ghostty"}, true},
		{map[string]string{"TERM": "rxvt-unicode-256color"}, true},
		{map[string]string{"TERM": "foot"}, true},
		{map[string]string{"VTE_VERSION": "7600", "TERM": "xterm-256color"}, true},
		{map[string]string{"VTE_VERSION": "4000"}, false},
		{map[string]string{"VTE_VERSION": "x"}, false},
		{map[string]string{"KITTY_WINDOW_ID": "1", "TERM": "xterm-kitty"}, false},
		{map[string]string{"TERM_PROGRAM": "iTerm.app"}, false}, // OSC 9 only
		{map[string]string{"TERM_PROGRAM": "WezTerm", "TMUX": "/tmp/tmux-1/default,1,0"}, false},
	}
	for _, c := range cases {
		if got := Detect(func(k string) string { return c.env[k] }).OSC777; got != c.want {
			t.Errorf("%v: OSC777 %v, want %v", c.env, got, c.want)
		}
	}
}

func TestForgetsTheOldestPastTheCap(t *testing.T) {
	tr := New(ParseFilter(""), start)
	at := start.Add(time.Minute)
	for i := int64(0); i <= maxSeen; i++ {
		tr.Observe(Observation{TaskID: "t", Waits: []durable.Wait{eventWait(i, "l", "k", at)}})
	}
	if len(tr.seen) > maxSeen || len(tr.seen) != len(tr.order) {
		t.Fatalf("seen %d, order %d", len(tr.seen), len(tr.order))
	}
	// The newest is still remembered.
	if got := tr.Observe(Observation{TaskID: "t", Waits: []durable.Wait{eventWait(maxSeen, "l", "k", at)}}); len(got) != 0 {
		t.Fatalf("newest forgotten: %+v", got)
	}
}
