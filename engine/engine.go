// Package engine is the contract between the dashboard and a Hatchet
// engine: the Engine interface and the plain types it speaks. It has no
// gRPC or REST in it, so model/ compiles against it alone; client/
// implements it, and the fakes do too.
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

// Engine is what the dashboard needs from a Hatchet engine. Every method
// honours its context's deadline; errors wrap the sentinel errors below.
type Engine interface {
	// Info describes where the engine is; it does no I/O.
	Info() Info
	// Version asks the engine its version (Dispatcher.GetVersion).
	Version(ctx context.Context) (string, error)
	// ListActive lists the tenant's queued and running (incl. evicted) tasks
	// created at or after since, following every page.
	ListActive(ctx context.Context, since time.Time) ([]durable.Task, error)
	// ListCreated returns one page of tasks by creation time, newest first,
	// and the cursor of the next: new tasks incrementally, or a paced full
	// pass, with no task doubled or skipped by paging.
	ListCreated(ctx context.Context, q ListQuery) (ListPage, error)
	// WatchRuns starts the push of run finishes.
	WatchRuns(opt FeedOptions) RunWatcher
	// EventLog returns a durable task's whole event log (every branch).
	EventLog(ctx context.Context, taskID string) ([]durable.Entry, error)
	// TaskConfig returns a task's configured retries and timeout.
	TaskConfig(ctx context.Context, taskID string) (durable.Config, error)
	// TaskDetail returns everything about one task the engine tells.
	TaskDetail(ctx context.Context, taskID string) (durable.Detail, error)
	// TaskEvents returns a task's lifecycle events, newest first.
	TaskEvents(ctx context.Context, taskID string) ([]durable.TaskEvent, error)
	// TaskState is the task as the engine tells it now: actions check it
	// right before they send.
	TaskState(ctx context.Context, taskID string) (durable.Task, error)
	// LogLines returns a task's ctx.log lines at or after since, oldest first.
	LogLines(ctx context.Context, taskID string, since time.Time) ([]durable.LogLine, error)
	// Subscribe follows one run's live events until the engine ends them.
	Subscriber

	// The changes. Each refuses with ErrReadOnly in read-only mode.
	PushEvent(ctx context.Context, e Event) (string, error)
	Cancel(ctx context.Context, ids ...string) error
	RefreshTimeout(ctx context.Context, taskID string, by time.Duration) (time.Time, error)
	RestoreEvicted(ctx context.Context, taskID string) error
	Replay(ctx context.Context, ids ...string) error
	Branch(ctx context.Context, taskID string, node, branch int64) (int64, error)
	// Close releases the connection.
	Close() error
}

// Info is the static description of the engine a client talks to.
type Info struct {
	GRPCAddr  string // host:port
	APIURL    string // REST base URL
	TenantID  string
	Namespace string
	Profile   string // the CLI profile used, if any
}

// Sentinel errors callers can test with errors.Is.
var (
	ErrUnauthorized = errors.New("the engine rejected the token")
	ErrUnreachable  = errors.New("the engine is unreachable")
	ErrNotFound     = errors.New("not found")
	// ErrReadOnly is the refusal of a change in read-only mode.
	ErrReadOnly = errors.New("hatchtop runs read-only")
)

// ListQuery asks for one page of the tenant's tasks, newest first by
// creation time.
type ListQuery struct {
	Since    time.Time        // created at or after (the engine requires it)
	Until    time.Time        // created at or before; zero: no bound
	Statuses []durable.Status // nil: the active ones (queued, running incl. evicted)
	Limit    int              // new rows per page at most; 0: the client's page size
	After    ListCursor       // continue below this cursor; zero: from the newest
}

// ListCursor is where a page ended: the oldest creation time on it and the
// tasks created at exactly that instant that were already returned. Tasks
// created later never fall below it, so a pass of pages that follows the
// cursors returns every task of the window that stays active once, even
// while tasks are created or finish.
type ListCursor struct {
	CreatedAt time.Time
	TaskIDs   []string // returned tasks created at CreatedAt
}

// IsZero reports whether c is the start of a pass.
func (c ListCursor) IsZero() bool { return c.CreatedAt.IsZero() && len(c.TaskIDs) == 0 }

// ListPage is one answer of ListCreated.
type ListPage struct {
	Tasks []durable.Task // newest first
	// Next continues the pass with older tasks; zero after the last page.
	Next ListCursor
}

// Subscriber opens one run's live feed.
//
// Subscribe blocks while the feed is open and hands each event to out.
// opened (may be nil) is called once the stream is established, before
// any event, so that an idle run can show as live. Both are called on the
// goroutine that called Subscribe, before it returns. It returns nil when
// the run is over (never reopen), an error wrapping ErrNotFound when the
// engine does not know the run (never reopen), and any other error when
// the feed broke (reopen later).
type Subscriber interface {
	Subscribe(ctx context.Context, runID string, opened func(), out func(durable.RunEvent)) error
}

// FeedState is where one run's feed stands.
type FeedState int

// Feed states. Finished and gone feeds are never reopened.
const (
	FeedOpening  FeedState = iota
	FeedLive               // subscribed; events flow as they happen
	FeedRetrying           // the stream broke; it reopens after RetryIn
	FeedFinished           // the engine ended it: the run is done
	FeedGone               // the engine does not know the run
	FeedClosed             // no longer wanted
)

var feedStateNames = [...]string{"opening", "live", "retrying", "finished", "gone", "closed"}

func (s FeedState) String() string {
	if s >= 0 && int(s) < len(feedStateNames) {
		return feedStateNames[s]
	}
	return "unknown"
}

// FeedUpdate is one message of the feeds: an event of a run, or a change
// of its feed's state. The updates of one run arrive in order, including
// across a close and reopen.
type FeedUpdate struct {
	RunID   string
	Event   *durable.RunEvent // nil for a state change
	State   FeedState
	Err     error         // why it is retrying
	RetryIn time.Duration // when it retries
}

// FeedOptions tune the feeds and the run watch; zero values take the
// defaults.
type FeedOptions struct {
	Max        int           // open feeds at most (50)
	MinBackoff time.Duration // first retry delay (1s)
	MaxBackoff time.Duration // retry delay cap (30s)
	Logf       func(format string, args ...any)

	// After waits out a backoff and Now times how long a stream stayed up;
	// nil takes the real clock. Tests replace them.
	After func(time.Duration) <-chan time.Time
	Now   func() time.Time
}

// RunWatcher tells when runs finish, by push: one stream watches every
// run it is given, so finishes need no polling.
type RunWatcher interface {
	// Watch adds runs to watch, at any time; ids already watched, and ids
	// that are not UUIDs, are ignored.
	Watch(runIDs ...string)
	// Forget stops reporting runs (a finish still on its way is dropped).
	Forget(runIDs ...string)
	// Updates is the stream of finishes and of the stream's state; it is
	// closed by Close. The reader must keep reading until then.
	Updates() <-chan RunWatchUpdate
	// Healthy says the engine answers: a stream waiting out its backoff
	// reconnects now.
	Healthy()
	// Close ends the stream and closes Updates.
	Close()
}

// RunWatchUpdate is a run's finish or a change of the watch stream's state.
type RunWatchUpdate struct {
	Finished *RunFinished // nil for a state change
	// FeedLive: the stream (re)opened and every watched id is asked again
	// (what finished in between arrives now: reconcile once). An engine
	// that refuses the stream does so after it opened: FeedRetrying follows.
	// FeedRetrying: it broke and reopens after RetryIn.
	State   FeedState
	Err     error
	RetryIn time.Duration
}

// RunFinished is the engine's word that a run is finalized: completed,
// failed or cancelled. Each watched run finishes once; then it is forgotten.
type RunFinished struct {
	RunID string
	At    time.Time
	// Final is StatusFailed when a task of the run reports an error,
	// StatusCompleted when every task reports an output, and empty when the
	// push does not say: a cancelled run's tasks carry neither (seen on
	// v0.105.0), nor does a result over the engine's payload limit. Then
	// ask the list or GetRunDetails; the run is finished all the same.
	Final durable.Status
	Tasks []TaskResult
}

// TaskResult is one task's end as the finish reports it. Output and Error
// are the engine's text, unsanitised; results over the engine's payload
// limit arrive empty.
type TaskResult struct {
	TaskID string
	Name   string
	Error  string // empty when it did not fail
	Output string
}

// Event is an event to push, typically to satisfy a durable wait.
type Event struct {
	Key      string            // sent as given: a wait's key already carries the namespace
	Payload  json.RawMessage   // a JSON object; empty means {}
	Scope    string            // must equal a scoped wait's scope; "" for none
	Metadata map[string]string // additional metadata, optional
}

// SeenEvent is one event the engine ingested: its key is all a dashboard
// needs to tell which open waits it may have satisfied.
type SeenEvent struct {
	ID     string
	Key    string
	SeenAt time.Time
}
