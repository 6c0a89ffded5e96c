// Package snapshot takes one picture of the tenant's active tasks and their
// open durable waits, for `hatchtop snapshot` (scripts, tests, bug reports).
package snapshot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/durable"
)

// Snapshot is the whole picture, as printed by --json.
type Snapshot struct {
	Engine  string    `json:"engine"`
	Tenant  string    `json:"tenant"`
	Version string    `json:"version"`
	TakenAt time.Time `json:"takenAt"`
	Since   time.Time `json:"since"`
	Tasks   []Task    `json:"tasks"`
}

// Task is one active task.
type Task struct {
	ID           string     `json:"id"`
	RunID        string     `json:"runId"`
	Name         string     `json:"name"`
	Workflow     string     `json:"workflow"`
	Status       string     `json:"status"`
	Phase        string     `json:"phase"`
	Evicted      bool       `json:"evicted"`
	Durable      bool       `json:"durable"`
	Attempt      int        `json:"attempt"`
	RetryCount   int        `json:"retryCount"`
	MaxRetries   *int       `json:"maxRetries,omitempty"`
	AttemptText  string     `json:"attemptText"`
	CreatedAt    time.Time  `json:"createdAt"`
	StartedAt    *time.Time `json:"startedAt,omitempty"`
	ElapsedMs    int64      `json:"elapsedMs"`
	Waits        []Wait     `json:"waits"`
	Error        string     `json:"error,omitempty"` // why waits or config are missing
	LogEntries   int        `json:"logEntries"`
	ConfigLoaded bool       `json:"configLoaded"`
}

// Wait is one open durable wait.
type Wait struct {
	NodeID          int64      `json:"nodeId"`
	BranchID        int64      `json:"branchId"`
	Label           string     `json:"label"`
	Title           string     `json:"title"` // the label, or a description when there is none
	Kind            string     `json:"kind"`
	On              string     `json:"on"`
	EventKeys       []string   `json:"eventKeys"`
	SleepDurationMs int64      `json:"sleepDurationMs,omitempty"`
	RegisteredAt    time.Time  `json:"registeredAt"`
	Deadline        *time.Time `json:"deadline,omitempty"`
	RemainingMs     *int64     `json:"remainingMs,omitempty"`
	Overdue         bool       `json:"overdue"`
}

// parallel bounds the per-task requests of one snapshot.
const parallel = 4

// Take lists the active tasks created since `since` and fetches the event
// log and configuration of each durable one. A task whose log cannot be
// read keeps its row with Error set; only a failed list fails the whole.
func Take(ctx context.Context, e client.Engine, since time.Time, now func() time.Time) (Snapshot, error) {
	info := e.Info()
	version, err := e.Version(ctx)
	if err != nil {
		return Snapshot{}, prefixed("engine version", err)
	}
	tasks, err := e.ListActive(ctx, since)
	if err != nil {
		return Snapshot{}, prefixed("list active tasks", err)
	}
	details := fetchDetails(ctx, e, tasks)
	at := now()
	s := Snapshot{Engine: info.GRPCAddr, Tenant: info.TenantID, Version: version, TakenAt: at, Since: since, Tasks: []Task{}}
	for i, t := range tasks {
		s.Tasks = append(s.Tasks, build(t, details[i], at))
	}
	return s, nil
}

// prefixed names what failed, unless the engine's error already does
// (the real client's do), so the printed line never says it twice.
func prefixed(what string, err error) error {
	if strings.HasPrefix(err.Error(), what) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

type detail struct {
	entries   []durable.Entry
	cfg       durable.Config
	cfgLoaded bool
	err       error
}

func fetchDetails(ctx context.Context, e client.Engine, tasks []durable.Task) []detail {
	out := make([]detail, len(tasks))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, t := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			d := detail{cfg: durable.UnknownConfig()}
			if cfg, err := e.TaskConfig(ctx, t.ID); err == nil {
				d.cfg, d.cfgLoaded = cfg, true
			} else {
				d.err = prefixed("task config", err)
			}
			if t.Durable {
				entries, err := e.EventLog(ctx, t.ID)
				if err != nil {
					d.err = prefixed("event log", err)
				}
				d.entries = entries
			}
			out[i] = d
		}()
	}
	wg.Wait()
	return out
}

func build(t durable.Task, d detail, now time.Time) Task {
	out := Task{
		ID: t.ID, RunID: t.RunID, Name: t.Name, Workflow: t.WorkflowName,
		Status: string(t.Status), Phase: string(t.Phase()), Evicted: t.Evicted, Durable: t.Durable,
		Attempt: t.Attempt, RetryCount: t.RetryCount,
		AttemptText: durable.AttemptText(t.Attempt, d.cfg.MaxRetries),
		CreatedAt:   t.CreatedAt, ElapsedMs: t.Elapsed(now).Milliseconds(),
		Waits: []Wait{}, LogEntries: len(d.entries), ConfigLoaded: d.cfgLoaded,
	}
	if d.cfgLoaded && d.cfg.MaxRetries >= 0 {
		mr := d.cfg.MaxRetries
		out.MaxRetries = &mr
	}
	if !t.StartedAt.IsZero() {
		st := t.StartedAt
		out.StartedAt = &st
	}
	if d.err != nil {
		out.Error = d.err.Error()
	}
	for _, w := range durable.OpenWaits(d.entries) {
		out.Waits = append(out.Waits, buildWait(w, now))
	}
	return out
}

func buildWait(w durable.Wait, now time.Time) Wait {
	out := Wait{
		NodeID: w.Key.Node, BranchID: w.Key.Branch,
		Label: w.Label, Title: w.Title(), Kind: string(w.Kind), On: w.Summary(),
		EventKeys: append([]string{}, w.EventKeys...), RegisteredAt: w.RegisteredAt,
		SleepDurationMs: w.Sleep.Milliseconds(), Overdue: w.Overdue(now),
	}
	if !w.Deadline.IsZero() {
		dl := w.Deadline
		rem := w.Remaining(now).Milliseconds()
		out.Deadline, out.RemainingMs = &dl, &rem
	}
	return out
}
