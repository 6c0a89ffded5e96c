// Package preflight is what hatchtop checks before it sends a change to
// the engine: whether a task's current state (as the engine reports it
// right before sending) allows the action, and whether an event's key,
// scope and payload and a timeout increment are within what the engine
// and the SDKs produce. It is pure: no I/O, no clock.
package preflight

import (
	"fmt"
	"strings"

	"github.com/hatchtop/hatchtop/durable"
)

// Action is a change hatchtop can send about one task.
type Action string

// The actions, named as the footer names them.
const (
	Cancel  Action = "cancel"
	Timeout Action = "refresh timeout"
	Restore Action = "restore"
	Replay  Action = "replay"
	Branch  Action = "branch"
	Push    Action = "send event"
)

// Refusal is an action refused before anything was sent, with the reason.
type Refusal struct {
	Action Action
	Task   string // the task's display name
	Reason string // "is completed", "is not evicted", …
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("%s: %s %s; nothing was sent", r.Action, r.Task, r.Reason)
}

// Allow says whether the engine's current answer about a task allows an
// action: nil, or a *Refusal saying why not. A task whose state the engine
// does not tell (empty status) is refused: sending to it is a guess.
func Allow(a Action, t durable.Task) error {
	name := t.Name
	if name == "" {
		name = t.ID
	}
	refuse := func(reason string) error { return &Refusal{Action: a, Task: name, Reason: reason} }
	if t.Status == "" {
		return refuse("is in a state the engine does not report")
	}
	state := "is " + strings.ToLower(string(t.Phase()))
	switch a {
	case Replay:
		// Seen on v0.105.0: a replay of an active task is accepted, then ignored.
		if t.Status.Active() {
			return refuse(state + "; the engine replays finished tasks only")
		}
		return nil
	case Restore:
		if !t.Status.Active() {
			return refuse(state)
		}
		if !t.Evicted {
			return refuse(state + ", not evicted; only an evicted task can be restored")
		}
		return nil
	default: // cancel, refresh timeout, branch, a push to a chosen task
		if !t.Status.Active() {
			return refuse(state)
		}
		return nil
	}
}

// Checked is one task's verdict in a bulk action.
type Checked struct {
	ID   string
	Task durable.Task // as the engine answered; Name set at least
	Err  error        // nil when the action may go
}

// Split separates the tasks an action may go to from those it may not.
func Split(checked []Checked) (send []string, skipped []Checked) {
	for _, c := range checked {
		if c.Err == nil {
			send = append(send, c.ID)
		} else {
			skipped = append(skipped, c)
		}
	}
	return send, skipped
}

// SkipText says which tasks a bulk action left out and why, grouped:
// "finished: a completed, b failed; unknown: c (not found)".
func SkipText(skipped []Checked) string {
	var finished, other []string
	for _, c := range skipped {
		name := c.Task.Name
		if name == "" {
			name = c.ID
		}
		var r *Refusal
		switch {
		case asRefusal(c.Err, &r) && c.Task.Status != "" && !c.Task.Status.Active():
			finished = append(finished, name+" "+strings.ToLower(string(c.Task.Status)))
		case asRefusal(c.Err, &r):
			other = append(other, name+" "+r.Reason)
		default:
			other = append(other, name+" (unknown: "+c.Err.Error()+")")
		}
	}
	var parts []string
	if len(finished) > 0 {
		parts = append(parts, "finished: "+strings.Join(finished, ", "))
	}
	if len(other) > 0 {
		parts = append(parts, strings.Join(other, ", "))
	}
	return strings.Join(parts, "; ")
}

func asRefusal(err error, r **Refusal) bool {
	v, ok := err.(*Refusal)
	if ok {
		*r = v
	}
	return ok
}

// StillWaitsOn reports whether a durable event log still has an open wait
// on key: a push meant for that wait would still wake it.
func StillWaitsOn(entries []durable.Entry, key string) bool {
	for _, w := range durable.OpenWaits(entries) {
		for _, k := range w.EventKeys {
			if k == key {
				return true
			}
		}
	}
	return false
}
