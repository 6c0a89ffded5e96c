package durable

import (
	"cmp"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Detail is everything the engine says about one task beyond the list row:
// what its Context exposes, read back from outside the worker. Zero values
// and nil mean the engine did not say.
type Detail struct {
	Task
	Config       Config
	Input        json.RawMessage // nil when not known
	Output       json.RawMessage // nil until it completes
	Error        string
	FinishedAt   time.Time // zero while it runs
	ParentTaskID string    // the task that spawned this run, if any
	WorkerID     string    // the latest worker it was assigned to, from its events
	// Priority is the run's priority, 1 (low) to 3 (high). Hatchet
	// v0.105.0's API does not expose it, so it stays 0 (unknown).
	Priority int
	// DefaultPriority is the workflow's configured default priority; 0
	// when the workflow sets none.
	DefaultPriority int
	// TriggeredByEvent is whether an event triggered the run, nil when
	// unknown. The engine records the trigger event in the run's metadata.
	TriggeredByEvent *bool
	TriggerEventID   string
	TriggerEventKey  string
	Events           []TaskEvent                // newest first
	UpstreamErrors   map[string]string          // task name -> error, of this run's other tasks
	ParentOutputs    map[string]json.RawMessage // task name -> output, of this run's other tasks
	// SkippedParents are the parents whose skip condition was met: the
	// engine hands on {"skipped": true} as their output.
	SkippedParents map[string]bool
	// FilterPayload is the payload of the event filter that matched the
	// trigger event (the stored input's triggers.filter_payload); nil when
	// none did. FilterKnown is whether the stored input was read at all.
	FilterPayload json.RawMessage
	FilterKnown   bool
}

// TaskEvent is one lifecycle event of a task (v1-task-event:list).
type TaskEvent struct {
	ID         int
	Type       string // CREATED, QUEUED, ASSIGNED, STARTED, DURABLE_EVICTED, TIMEOUT_REFRESHED, …
	At         time.Time
	Message    string
	Error      string
	WorkerID   string
	RetryCount int // -1 when the engine did not say
}

// LogLine is one ctx.log line of a task.
type LogLine struct {
	At         time.Time
	Level      string
	Message    string
	RetryCount int // -1 when the engine did not say
}

// Task event types the dashboard reads.
const (
	EventAssigned         = "ASSIGNED"
	EventStarted          = "STARTED"
	EventEvicted          = "DURABLE_EVICTED"
	EventRestoring        = "DURABLE_RESTORING"
	EventTimeoutRefreshed = "TIMEOUT_REFRESHED"
	EventRetrying         = "RETRYING"
)

// TimeoutAt rebuilds the execution deadline the engine keeps to itself: the
// latest assignment (or start) + the configured timeout + every refresh
// since. ok is false while the task was never assigned.
func TimeoutAt(cfg Config, events []TaskEvent) (at time.Time, ok bool) {
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	var base time.Time
	var extra time.Duration
	for _, e := range sortedEvents(events) {
		switch e.Type {
		case EventAssigned, EventStarted:
			// Every (re)assignment resets the deadline to now + timeout;
			// STARTED of the same assignment follows within milliseconds.
			if e.Type == EventAssigned || base.IsZero() {
				base, extra = e.At, 0
			}
		case EventTimeoutRefreshed:
			extra += refreshIncrement(e.Message)
		}
	}
	if base.IsZero() {
		return time.Time{}, false
	}
	return base.Add(timeout + extra), true
}

// refreshIncrement reads "Timeout refreshed by 5m" (the engine's message).
func refreshIncrement(msg string) time.Duration {
	i := strings.LastIndex(msg, " by ")
	if i < 0 {
		return 0
	}
	d, err := time.ParseDuration(strings.TrimSpace(msg[i+4:]))
	if err != nil || d < 0 {
		return 0
	}
	return d
}

// Eviction is where a durable task stands with respect to eviction.
type Eviction struct {
	State  EvictionState
	Reason string // the worker's reason, or the engine's restore message
	At     time.Time
}

// EvictionState of a durable task.
type EvictionState string

// Eviction states; the engine has no "restoring" status, it is derived.
const (
	NotEvicted EvictionState = ""
	Evicted    EvictionState = "evicted"
	Restoring  EvictionState = "restoring" // restore requested, not yet on a worker
)

// EvictionOf derives the eviction state from the task's events: the last
// of DURABLE_EVICTED, DURABLE_RESTORING and a (re)start decides.
func EvictionOf(events []TaskEvent) Eviction {
	var ev Eviction
	for _, e := range sortedEvents(events) {
		switch e.Type {
		case EventEvicted:
			ev = Eviction{State: Evicted, Reason: e.Message, At: e.At}
		case EventRestoring:
			ev = Eviction{State: Restoring, Reason: e.Message, At: e.At}
		case EventAssigned, EventStarted:
			ev = Eviction{}
		}
	}
	return ev
}

// Invocations estimates how often the task's current attempt has started
// (the first run plus each restore), by counting its STARTED events.
func Invocations(events []TaskEvent, retryCount int) int {
	n := 0
	for _, e := range events {
		if e.Type == EventStarted && (e.RetryCount < 0 || e.RetryCount == retryCount) {
			n++
		}
	}
	return n
}

func sortedEvents(events []TaskEvent) []TaskEvent {
	out := append([]TaskEvent(nil), events...)
	slices.SortStableFunc(out, func(a, b TaskEvent) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}
