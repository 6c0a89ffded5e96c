package preflight

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hatchtop/hatchtop/durable"
)

func task(status durable.Status, evicted bool) durable.Task {
	return durable.Task{ID: "id-1", Name: "waiter", Status: status, Evicted: evicted}
}

func TestAllow(t *testing.T) {
	const (
		ok = ""
	)
	cases := []struct {
		a    Action
		t    durable.Task
		want string // "" allowed, else a part of the refusal
	}{
		{Cancel, task(durable.StatusRunning, false), ok},
		{Cancel, task(durable.StatusRunning, true), ok},
		{Cancel, task(durable.StatusQueued, false), ok},
		{Cancel, task(durable.StatusCompleted, false), "waiter is completed; nothing was sent"},
		{Cancel, task(durable.StatusFailed, false), "is failed"},
		{Cancel, task(durable.StatusCancelled, false), "is cancelled"},
		{Cancel, task("", false), "state the engine does not report"},
		// A task REST reads as QUEUED may have started: the engine decides.
		{Timeout, task(durable.StatusQueued, false), ok},
		{Timeout, task(durable.StatusRunning, true), ok},
		{Timeout, task(durable.StatusCompleted, false), "is completed"},
		{Restore, task(durable.StatusRunning, true), ok},
		{Restore, task(durable.StatusRunning, false), "not evicted"},
		{Restore, task(durable.StatusCompleted, false), "is completed"},
		{Replay, task(durable.StatusCompleted, false), ok},
		{Replay, task(durable.StatusFailed, false), ok},
		{Replay, task(durable.StatusRunning, false), "replays finished tasks only"},
		{Replay, task("", false), "does not report"},
		{Branch, task(durable.StatusRunning, true), ok},
		{Branch, task(durable.StatusCancelled, false), "is cancelled"},
		{Push, task(durable.StatusRunning, false), ok},
		{Push, task(durable.StatusCompleted, false), "is completed"},
	}
	for _, c := range cases {
		err := Allow(c.a, c.t)
		switch {
		case c.want == ok && err != nil:
			t.Errorf("%s on %s/%v: refused %v", c.a, c.t.Status, c.t.Evicted, err)
		case c.want != ok && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s on %s/%v: %v, want a refusal with %q", c.a, c.t.Status, c.t.Evicted, err, c.want)
		}
		var r *Refusal
		if err != nil && !errors.As(err, &r) {
			t.Errorf("%s: %T is not a *Refusal", c.a, err)
		}
	}
}

func TestSplitAndSkipText(t *testing.T) {
	done := durable.Task{ID: "a", Name: "a", Status: durable.StatusCompleted}
	gone := durable.Task{ID: "c", Name: "c"}
	checked := []Checked{
		{ID: "a", Task: done, Err: Allow(Cancel, done)},
		{ID: "b", Task: task(durable.StatusRunning, false)},
		{ID: "c", Task: gone, Err: errors.New("not found")},
		{ID: "d", Task: durable.Task{ID: "d", Name: "d", Status: durable.StatusFailed}, Err: Allow(Cancel, durable.Task{Name: "d", Status: durable.StatusFailed})},
	}
	send, skipped := Split(checked)
	if len(send) != 1 || send[0] != "b" || len(skipped) != 3 {
		t.Fatalf("send %v, skipped %v", send, skipped)
	}
	if got, want := SkipText(skipped), "finished: a completed, d failed; c (unknown: not found)"; got != want {
		t.Errorf("SkipText = %q, want %q", got, want)
	}
}

func TestStillWaitsOn(t *testing.T) {
	open := durable.Entry{NodeID: 1, BranchID: 1, Kind: durable.EntryWaitFor,
		Conditions: []durable.Condition{{Kind: durable.CondEvent, EventKey: "k"}}}
	if !StillWaitsOn([]durable.Entry{open}, "k") || StillWaitsOn([]durable.Entry{open}, "other") {
		t.Error("an open wait on k")
	}
	done := open
	done.Satisfied = true
	if StillWaitsOn([]durable.Entry{done}, "k") {
		t.Error("a satisfied wait still counts")
	}
}

func TestKey(t *testing.T) {
	for _, k := range []string{"payment:confirmed", "ns_approval/granted", "é-clé", "a.b-c_d:e"} {
		if err := Key(k); err != nil {
			t.Errorf("Key(%q) = %v", k, err)
		}
	}
	cases := map[string]string{
		"":              "empty",
		"pay\x1b[31m":   `control character (\x1b at byte 3)`,
		"a b":           `space (at byte 1)`,
		"nb\u00a0sp":    `space character (\u00a0 at byte 2)`,
		"tab\there":     `control character (\t at byte 3)`,
		"evil\u202ekey": `invisible formatting character (\u202e at byte 4)`,
		"zero\u200bw":   `invisible formatting character (\u200b at byte 4)`,
		" lead":         "space",
		"bad\xffutf8":   "not valid UTF-8 (byte 3)",
		"del\x7f":       `\x7f at byte 3`,
		"c1\u0085":      `control character (\u0085 at byte 2)`,
	}
	for k, want := range cases {
		err := Key(k)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Key(%q) = %v, want %q", k, err, want)
		}
	}
}

func TestScope(t *testing.T) {
	if err := Scope(""); err != nil {
		t.Error(err)
	}
	if err := Scope("tenant a"); err != nil {
		t.Errorf("an inner space is a valid scope: %v", err)
	}
	for _, s := range []string{"tenant-a ", "\x1b]0;x\x07", "a\u2066b"} {
		if Scope(s) == nil {
			t.Errorf("Scope(%q) accepted", s)
		}
	}
}

func TestEscapeShowsEveryByte(t *testing.T) {
	cases := map[string]string{
		"plain:key":     "plain:key",
		"a\x1bb":        `a\x1bb`,
		"bidi\u202e":    `bidi\u202e`,
		"bad\xff":       `bad\xff`,
		"é\u00a0space":  `é\u00a0space`,
		"new\nline\x00": `new\nline\x00`,
	}
	for in, want := range cases {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPayload(t *testing.T) {
	for _, s := range []string{`{}`, ` {"a": [1, "x", null]} `, `{"s":"\\u0000 is text"}`, "{\n\t\"a\": 1\n}"} {
		if err := Payload(s); err != nil {
			t.Errorf("Payload(%q) = %v", s, err)
		}
	}
	cases := map[string]string{
		`{oops`:            "invalid JSON at character",
		`{}]`:              "invalid JSON",
		`{} {}`:            "invalid JSON",
		`null`:             "must be a JSON object",
		`[1]`:              "must be a JSON object",
		`{"a":"\u0000"}`:   "\\u0000",
		"{\"a\":\"\xff\"}": "not valid UTF-8",
	}
	for s, want := range cases {
		if err := Payload(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Payload(%q) = %v, want %q", s, err, want)
		}
	}
}

// The size limit is exact: MaxPayload bytes pass, one more is refused,
// and the message says how big the payload is.
func TestPayloadSizeLimit(t *testing.T) {
	fill := func(n int) string {
		const head, tail = `{"pad":"`, `"}`
		return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
	}
	if err := Payload(fill(MaxPayload)); err != nil {
		t.Errorf("a payload of exactly the limit: %v", err)
	}
	err := Payload(fill(MaxPayload + 1))
	if err == nil || !strings.Contains(err.Error(), "4.0 MiB (4194305 bytes), over the engine's 4.0 MiB (4194304 bytes) message limit") {
		t.Errorf("one byte over: %v", err)
	}
	// Refused on size alone: not even valid JSON is looked at.
	if err := Payload(strings.Repeat("{", 5<<20)); err == nil || !strings.Contains(err.Error(), "5.0 MiB (5242880 bytes)") {
		t.Errorf("5 MB: %v", err)
	}
}

func TestIncrement(t *testing.T) {
	if err := Increment(24 * time.Hour); err != nil {
		t.Errorf("24h is allowed: %v", err)
	}
	err := Increment(999999 * time.Hour)
	if err == nil || !strings.Contains(err.Error(), "999999h is more than hatchtop's cap of 24h") {
		t.Errorf("999999h: %v", err)
	}
}

// FuzzPayload: Payload never panics and accepts exactly the valid UTF-8
// JSON objects within the size limit that hold no NUL in any string.
func FuzzPayload(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `null`, `{}]`, `{"a":"\u0000"}`, "{\"a\":\"\xff\"}", ` [ ] `, `{"a":{"b":[true,false,null,-1.5e-3]}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := Payload(s)
		want := len(s) <= MaxPayload && utf8.ValidString(s) && json.Valid([]byte(s)) &&
			strings.HasPrefix(strings.TrimLeft(s, " \t\r\n"), "{") && !nulInside(s)
		if (err == nil) != want {
			t.Fatalf("Payload(%q) = %v, want accepted=%v", s, err, want)
		}
		if err != nil {
			return
		}
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) != nil || m == nil {
			t.Fatalf("accepted %q, which does not decode to an object", s)
		}
		if _, err := Object(s); err != nil {
			t.Fatalf("Object(%q) = %v after Payload accepted it", s, err)
		}
	})
}

// nulInside is the oracle's own walk of the decoded value.
func nulInside(s string) bool {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case string:
			return strings.ContainsRune(x, 0)
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		case map[string]any:
			for k, e := range x {
				if strings.ContainsRune(k, 0) || walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}
