// Package durable is the pure domain of hatchtop: tasks, durable event-log
// entries, the waits they open, their deadlines and readable descriptions.
// It does no I/O and never reads the clock: callers pass `now`.
package durable

import (
	"strconv"
	"time"
)

// Status is a task's status as the engine reports it.
type Status string

// The statuses of a task run. The engine reports an evicted task as RUNNING
// with Task.Evicted set.
const (
	StatusQueued    Status = "QUEUED"
	StatusRunning   Status = "RUNNING"
	StatusCompleted Status = "COMPLETED"
	StatusFailed    Status = "FAILED"
	StatusCancelled Status = "CANCELLED"
)

// Active reports whether a task in this status can still change.
func (s Status) Active() bool { return s == StatusQueued || s == StatusRunning }

// Phase is what the dashboard groups and colours tasks by.
type Phase string

// Phases of an active task, plus the terminal ones.
const (
	PhaseQueued    Phase = "queued"
	PhaseRunning   Phase = "running"
	PhaseEvicted   Phase = "evicted"
	PhaseCompleted Phase = "completed"
	PhaseFailed    Phase = "failed"
	PhaseCancelled Phase = "cancelled"
)

// Task is one task run as the active list reports it.
type Task struct {
	ID           string // task external id
	RunID        string // workflow run external id (equals ID for a standalone task)
	Name         string // display name
	WorkflowName string
	WorkflowID   string
	VersionID    string // workflow version id
	ActionID     string // the task definition's action id; with VersionID it keys the shared Config
	Status       Status
	Evicted      bool
	Durable      bool
	RetryCount   int
	Attempt      int
	CreatedAt    time.Time
	StartedAt    time.Time // zero until the task starts
	Metadata     map[string]any
}

// Phase folds status and eviction into one value.
func (t Task) Phase() Phase {
	switch t.Status {
	case StatusQueued:
		return PhaseQueued
	case StatusRunning:
		if t.Evicted {
			return PhaseEvicted
		}
		return PhaseRunning
	case StatusCompleted:
		return PhaseCompleted
	case StatusFailed:
		return PhaseFailed
	case StatusCancelled:
		return PhaseCancelled
	}
	return Phase(string(t.Status))
}

// Elapsed is the time since the task started, or zero if it has not.
func (t Task) Elapsed(now time.Time) time.Duration {
	if t.StartedAt.IsZero() || now.Before(t.StartedAt) {
		return 0
	}
	return now.Sub(t.StartedAt)
}

// Config is what the engine knows of a task's configuration, fetched once
// per task: the list summary does not carry it.
type Config struct {
	MaxRetries int           // -1 when unknown
	Timeout    time.Duration // 0 when unknown
}

// DefaultTimeout is the engine's execution timeout for a task that
// declares none.
const DefaultTimeout = 5 * time.Minute

// UnknownConfig is the Config of a task whose configuration was not fetched.
func UnknownConfig() Config { return Config{MaxRetries: -1} }

// AttemptText renders "attempt 3/4" when the maximum is known, else
// "attempt 3". The engine's count includes reassignments after an engine
// or worker restart, so it can pass the maximum: that reads "attempt 5
// (max 3)", never an impossible fraction.
func AttemptText(attempt, maxRetries int) string {
	if attempt <= 0 {
		attempt = 1
	}
	switch {
	case AttemptsExceeded(attempt, maxRetries):
		return "attempt " + strconv.Itoa(attempt) + " (max " + strconv.Itoa(maxRetries+1) + ")"
	case maxRetries >= 0:
		return "attempt " + strconv.Itoa(attempt) + "/" + strconv.Itoa(maxRetries+1)
	}
	return "attempt " + strconv.Itoa(attempt)
}

// AttemptsExceeded reports an attempt count past the configured maximum,
// which only reassignments after restarts produce.
func AttemptsExceeded(attempt, maxRetries int) bool { return maxRetries >= 0 && attempt > maxRetries+1 }
