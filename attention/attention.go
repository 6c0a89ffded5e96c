// Package attention decides when a person is needed: a new open event wait
// that matches the --notify filter. It is pure (no clock, no I/O): the
// model feeds it each task's open waits as a log arrives and writes what
// it returns to the terminal (encode.go) in a Cmd.
package attention

import (
	"strconv"
	"strings"
	"time"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/textsafe"
)

// Filter says which event waits call for attention: one whose label or
// one of whose event keys holds one of the substrings (case-insensitive).
// No substrings is every event wait.
type Filter struct {
	subs []string
}

// ParseFilter reads the --notify value: "" or "all" is every event wait,
// else substrings separated by commas ("approval,payment:").
func ParseFilter(s string) Filter {
	var f Filter
	if t := strings.TrimSpace(s); t == "" || strings.EqualFold(t, "all") {
		return f
	}
	for _, p := range strings.Split(s, ",") {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			f.subs = append(f.subs, p)
		}
	}
	return f
}

// String is the filter as --notify takes it.
func (f Filter) String() string {
	if len(f.subs) == 0 {
		return "all"
	}
	return strings.Join(f.subs, ",")
}

// Matches reports whether w is an event wait the filter selects. A wait
// is an event wait when it waits on at least one event key: a plain event,
// an OR with a sleep, an AND.
func (f Filter) Matches(w durable.Wait) bool {
	if len(w.EventKeys) == 0 {
		return false
	}
	if len(f.subs) == 0 {
		return true
	}
	fields := append([]string{w.Label}, w.EventKeys...)
	for _, s := range f.subs {
		for _, x := range fields {
			if strings.Contains(strings.ToLower(x), s) {
				return true
			}
		}
	}
	return false
}

// Notice is one wait to be told about.
type Notice struct {
	TaskID string
	Node   int64
	Task   string // the task's display name, as the engine sent it
	Label  string // the wait's title (its label, or a description)
	Key    string // the first event key it waits on
	More   int    // how many other notices this one stands for
}

// Caps on what the terminal is sent: a notification is a line, and a
// label of megabytes must not become an escape sequence of megabytes.
const (
	maxTask  = 60
	maxLabel = 120
)

// Title is the notification's title: "hatchtop: TASK", cleaned and capped.
func (n Notice) Title() string { return "hatchtop: " + textsafe.Line(n.Task, maxTask) }

// Body says what the task waits for, cleaned and capped.
func (n Notice) Body() string {
	s := "waits: " + textsafe.Line(n.Label, maxLabel)
	if n.Key != "" && !strings.Contains(n.Label, n.Key) {
		s += " (event " + textsafe.Line(n.Key, maxLabel) + ")"
	}
	if n.More > 0 {
		s += " (and " + strconv.Itoa(n.More) + " more)"
	}
	return s
}

// Observation is what a log read says of one task.
type Observation struct {
	TaskID string
	Task   string
	Waits  []durable.Wait // its open waits now
	// FirstSight: this is the first log of the task hatchtop read; its
	// waits may be older than hatchtop.
	FirstSight bool
	// FirstLoad: the task was in the first list answer; at first sight
	// its waits are what was there at start-up and never notify.
	FirstLoad bool
}

// maxSeen bounds the memory of waits already handled; past it the oldest
// are forgotten (a wait that old has long been told about).
const maxSeen = 50_000

type seenKey struct {
	task string
	node int64
}

// Trigger remembers which waits it has handled and turns observations
// into notices. The zero value is not ready: use New.
type Trigger struct {
	filter Filter
	start  time.Time // hatchtop's start: older waits are not new
	seen   map[seenKey]struct{}
	order  []seenKey // seen in insertion order, to forget the oldest
}

// New is a trigger for waits matching f, for a hatchtop started at start.
func New(f Filter, start time.Time) *Trigger {
	return &Trigger{filter: f, start: start, seen: map[seenKey]struct{}{}}
}

// Observe returns the notices a task's open waits call for: each matching
// event wait not handled before (by task id and wait node), unless it is
// part of what was there at start-up — a first-load task's first log, or,
// at any task's first sight, a wait registered before hatchtop started
// (the reconciliation finds old tasks long after start). Every matching
// wait is remembered, so none notifies twice.
func (t *Trigger) Observe(o Observation) []Notice {
	var out []Notice
	for _, w := range o.Waits {
		if !t.filter.Matches(w) {
			continue
		}
		k := seenKey{o.TaskID, w.Key.Node}
		if _, ok := t.seen[k]; ok {
			continue
		}
		t.remember(k)
		if o.FirstSight && (o.FirstLoad || w.RegisteredAt.Before(t.start)) {
			continue
		}
		out = append(out, Notice{TaskID: o.TaskID, Node: w.Key.Node, Task: o.Task, Label: w.Title(), Key: w.EventKeys[0]})
	}
	return out
}

func (t *Trigger) remember(k seenKey) {
	t.seen[k] = struct{}{}
	t.order = append(t.order, k)
	if len(t.order) > maxSeen {
		drop := len(t.order) - maxSeen/2
		for _, old := range t.order[:drop] {
			delete(t.seen, old)
		}
		t.order = append(t.order[:0], t.order[drop:]...)
	}
}
