package durable

import (
	"strings"
	"time"
)

// WaitKind classifies an open wait for display and grouping.
type WaitKind string

// Wait kinds.
const (
	WaitSleep WaitKind = "sleep" // only sleeps
	WaitEvent WaitKind = "event" // only one user event
	WaitAny   WaitKind = "any"   // an OR group of alternatives
	WaitAll   WaitKind = "all"   // several conditions that must all hold
	WaitChild WaitKind = "child" // a child workflow
	WaitOther WaitKind = "other" // no conditions the engine described
)

// Wait is an open (unsatisfied) wait of a durable task.
type Wait struct {
	Key          Key
	Label        string
	Kind         WaitKind
	EventKeys    []string      // every event key it waits on, deduplicated, in order
	Sleep        time.Duration // the sleep that bounds it; 0 if none
	RegisteredAt time.Time
	Deadline     time.Time // RegisteredAt+Sleep; zero if no sleep bounds it
	Conditions   []Condition
}

// OpenWaits returns the unsatisfied waits of the current branch, in node
// order.
func OpenWaits(entries []Entry) []Wait {
	var out []Wait
	for _, e := range Current(entries) {
		if e.Satisfied || (e.Kind != EntryWaitFor && e.Kind != EntryRun) {
			continue
		}
		out = append(out, WaitOf(e))
	}
	return out
}

// WaitOf derives the wait an entry describes, satisfied or not.
func WaitOf(e Entry) Wait {
	w := Wait{
		Key:          e.Key(),
		Label:        e.Label,
		Kind:         kindOf(e),
		EventKeys:    eventKeys(e.Conditions, nil),
		RegisteredAt: e.InsertedAt,
		Conditions:   e.Conditions,
	}
	if d, ok := sleepBound(e.Conditions, true); ok {
		w.Sleep = d
		// The engine starts the sleep a few ms after insertedAt; the
		// deadline it fires at is not exposed, so this is the closest bound.
		w.Deadline = e.InsertedAt.Add(d)
	}
	return w
}

func kindOf(e Entry) WaitKind {
	c := e.Conditions
	switch {
	case len(c) == 0 && e.Kind == EntryRun:
		return WaitChild
	case len(c) == 0:
		return WaitOther
	case len(c) > 1:
		return WaitAll
	case c[0].IsOr():
		return WaitAny
	case c[0].Kind == CondSleep:
		return WaitSleep
	case c[0].Kind == CondEvent:
		return WaitEvent
	case c[0].Kind == CondChild:
		return WaitChild
	}
	return WaitOther
}

func eventKeys(conds []Condition, acc []string) []string {
	for _, c := range conds {
		if c.IsOr() {
			acc = eventKeys(c.Or, acc)
			continue
		}
		if c.Kind == CondEvent && c.EventKey != "" && !contains(acc, c.EventKey) {
			acc = append(acc, c.EventKey)
		}
	}
	return acc
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// sleepBound returns the sleep after which the conditions can no longer be
// waiting on a timer: for AND the longest sleep, for OR the shortest. It is
// false when no sleep bounds the wait (an OR with a non-sleep alternative is
// still bounded by its sleep; an AND is bounded only if every part is).
func sleepBound(conds []Condition, all bool) (time.Duration, bool) {
	var best time.Duration
	found := false
	for _, c := range conds {
		var d time.Duration
		var ok bool
		switch {
		case c.IsOr():
			d, ok = sleepBound(c.Or, false)
		case c.Kind == CondSleep && c.Sleep > 0:
			d, ok = c.Sleep, true
		}
		if !ok {
			continue
		}
		if !found || (all && d > best) || (!all && d < best) {
			best, found = d, true
		}
	}
	return best, found
}

// Remaining is the time left until the deadline, clamped at zero; zero when
// the wait has no deadline.
func (w Wait) Remaining(now time.Time) time.Duration {
	if w.Deadline.IsZero() || !now.Before(w.Deadline) {
		return 0
	}
	return w.Deadline.Sub(now)
}

// Overdue reports whether the deadline has passed while the wait is still open.
func (w Wait) Overdue(now time.Time) bool {
	return !w.Deadline.IsZero() && !now.Before(w.Deadline)
}

// Title is the label when the worker sent one, else a readable description.
func (w Wait) Title() string {
	if strings.TrimSpace(w.Label) != "" {
		return w.Label
	}
	return w.Describe()
}

// Describe says in words what the wait waits on: "sleeping 2m",
// "waiting for event payment:confirmed", "any of: sleep 10m, event k".
func (w Wait) Describe() string {
	switch w.Kind {
	case WaitSleep:
		if len(w.Conditions) == 1 {
			return "sleeping " + sleepText(w.Conditions[0])
		}
	case WaitEvent:
		return "waiting for event " + w.Conditions[0].EventKey
	case WaitChild:
		if len(w.Conditions) == 1 && w.Conditions[0].WorkflowName != "" {
			return "waiting for child " + w.Conditions[0].WorkflowName
		}
		return "waiting for a child run"
	case WaitAny:
		return "any of: " + On(w.Conditions[0].Or, ", ")
	case WaitAll:
		return "all of: " + On(w.Conditions, ", ")
	}
	return "waiting"
}

// Summary is the short "what it waits on" text of the list's ON column.
func (w Wait) Summary() string {
	if len(w.Conditions) == 0 {
		return string(w.Kind)
	}
	return On(w.Conditions, " & ")
}

// On renders conditions joined by sep: "sleep 2m", "event k", "(sleep 1m | event k)".
func On(conds []Condition, sep string) string {
	parts := make([]string, 0, len(conds))
	for _, c := range conds {
		parts = append(parts, conditionText(c, len(conds) > 1))
	}
	return strings.Join(parts, sep)
}

func conditionText(c Condition, nested bool) string {
	switch {
	case c.IsOr():
		s := On(c.Or, " | ")
		if nested {
			return "(" + s + ")"
		}
		return s
	case c.Kind == CondSleep:
		return "sleep " + sleepText(c)
	case c.Kind == CondEvent:
		return "event " + c.EventKey
	case c.Kind == CondChild:
		if c.WorkflowName != "" {
			return "child " + c.WorkflowName
		}
		return "child run"
	}
	return strings.ToLower(string(c.Kind))
}

func sleepText(c Condition) string {
	if c.Sleep <= 0 {
		return "(duration unknown)"
	}
	return FormatDuration(c.Sleep)
}

// NextDeadline is the open wait with the earliest deadline, if any wait has
// one. The scheduler refetches a task's log when it passes.
func NextDeadline(waits []Wait) (earliest Wait, ok bool) {
	for _, w := range waits {
		if w.Deadline.IsZero() {
			continue
		}
		if !ok || w.Deadline.Before(earliest.Deadline) {
			earliest, ok = w, true
		}
	}
	return earliest, ok
}
