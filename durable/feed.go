package durable

import "time"

// RunEventKind is what a run's live feed reported.
type RunEventKind string

// Kinds of live run events (Dispatcher.SubscribeToWorkflowEvents).
const (
	TaskCreated   RunEventKind = "task-created" // the engine names it STARTED, but sends it at creation
	TaskCompleted RunEventKind = "task-completed"
	TaskFailed    RunEventKind = "task-failed"
	TaskCancelled RunEventKind = "task-cancelled"
	TaskStream    RunEventKind = "stream" // a put_stream chunk
	RunFinished   RunEventKind = "run-finished"
)

// RunEvent is one event of a run's live feed.
type RunEvent struct {
	Kind       RunEventKind
	RunID      string
	TaskID     string    // empty for RunFinished
	At         time.Time // zero for a RunFinished of a run that had ended before the feed opened
	Payload    string    // output, error text or stream chunk
	Index      int64     // stream chunk order
	RetryCount int
	Final      Status // for RunFinished: COMPLETED, FAILED or CANCELLED
	Hangup     bool   // the server closes the feed after this event
}
