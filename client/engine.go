// Package client is everything hatchtop says to a Hatchet engine: the
// configuration (environment, CLI profiles, token claims), the gRPC
// connection with our own stubs, the REST API, and how errors are told.
package client

import (
	"context"
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
	// and the cursor of the next (listpage.go): new tasks incrementally, or
	// a paced full pass, with no task doubled or skipped by paging.
	ListCreated(ctx context.Context, q ListQuery) (ListPage, error)
	// WatchRuns starts the push of run finishes (runwatch.go).
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
)
