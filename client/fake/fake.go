// Package fake is an in-memory client.Engine for fast unit tests of the
// model, the snapshot and the views. It is never the only proof of a
// feature: the real-engine tests in e2e/ are.
package fake

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/durable"
)

// Engine is a fake engine whose state tests set directly. It is safe for
// concurrent use, as Cmds call it from their own goroutines.
type Engine struct {
	mu      sync.Mutex
	info    client.Info
	version string
	tasks   []durable.Task
	logs    map[string][]durable.Entry
	configs map[string]durable.Config
	listErr error
	verErr  error
	calls   map[string]int
	more    *extra
}

// New returns an empty fake engine that answers version v0.105.0.
func New() *Engine {
	return &Engine{
		info:    client.Info{GRPCAddr: "localhost:7077", APIURL: "http://localhost:8080", TenantID: "707d0855-3c4b-4f1e-9f4a-2b8e1c0d5a11"},
		version: "v0.105.0",
		logs:    map[string][]durable.Entry{},
		configs: map[string]durable.Config{},
		calls:   map[string]int{},
	}
}

// SetInfo replaces where the engine says it is (a tenant, a profile).
func (f *Engine) SetInfo(info client.Info) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.info = info
}

// SetTasks replaces the active list.
func (f *Engine) SetTasks(tasks ...durable.Task) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tasks = append([]durable.Task(nil), tasks...)
}

// SetLog sets a task's event log.
func (f *Engine) SetLog(taskID string, entries ...durable.Entry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs[taskID] = append([]durable.Entry(nil), entries...)
}

// SetConfig sets a task's configuration.
func (f *Engine) SetConfig(taskID string, cfg durable.Config) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.configs[taskID] = cfg
}

// FailList makes ListActive fail with err until called with nil.
func (f *Engine) FailList(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listErr = err
}

// FailVersion makes Version (the model's health probe) fail with err
// until called with nil.
func (f *Engine) FailVersion(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.verErr = err
}

// Calls returns how often a method was called ("ListActive",
// "EventLog:<id>", "TaskConfig:<id>", "TaskDetail:<id>", "TaskEvents:<id>",
// "LogLines:<id>", "Subscribe:<run id>", "Version", and each change by its
// method name).
func (f *Engine) Calls(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

func (f *Engine) count(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[name]++
}

// Info implements client.Engine.
func (f *Engine) Info() client.Info {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.info
}

// Version implements client.Engine.
func (f *Engine) Version(context.Context) (string, error) {
	f.count("Version")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.verErr != nil {
		return "", f.verErr
	}
	return f.version, nil
}

// ListActive implements client.Engine; it ignores since.
func (f *Engine) ListActive(context.Context, time.Time) ([]durable.Task, error) {
	f.count("ListActive")
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listErr != nil {
		return nil, f.listErr
	}
	return append([]durable.Task(nil), f.tasks...), nil
}

// EventLog implements client.Engine.
func (f *Engine) EventLog(_ context.Context, taskID string) ([]durable.Entry, error) {
	f.count("EventLog:" + taskID)
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]durable.Entry(nil), f.logs[taskID]...), nil
}

// TaskConfig implements client.Engine.
func (f *Engine) TaskConfig(_ context.Context, taskID string) (durable.Config, error) {
	f.count("TaskConfig:" + taskID)
	f.mu.Lock()
	defer f.mu.Unlock()
	cfg, ok := f.configs[taskID]
	if !ok {
		return durable.Config{}, fmt.Errorf("task %s: %w", taskID, client.ErrNotFound)
	}
	return cfg, nil
}

// Close implements client.Engine.
func (f *Engine) Close() error { return nil }
