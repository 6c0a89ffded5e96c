package fake

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/durable"
)

// extra is the fake's state beyond the list: details, log lines, feeds and
// the changes asked of it.
type extra struct {
	details    map[string]durable.Detail
	events     map[string][]durable.TaskEvent
	logLines   map[string][]durable.LogLine
	logSince   map[string]time.Time
	actionErr  error
	pushed     []client.Event
	cancelled  []string
	increments []time.Duration
	subs       map[string]*sub
	watch      *RunWatch // the latest WatchRuns (runs.go)
}

// sub is one open subscription, fed by Emit and ended by End.
type sub struct {
	events chan durable.RunEvent
	end    chan error    // End's verdict, once
	gone   chan struct{} // closed when Subscribe has returned
	once   sync.Once
}

func (f *Engine) x() *extra {
	if f.more == nil {
		f.more = &extra{
			details: map[string]durable.Detail{}, events: map[string][]durable.TaskEvent{},
			logLines: map[string][]durable.LogLine{}, logSince: map[string]time.Time{}, subs: map[string]*sub{},
		}
	}
	return f.more
}

// SetDetail sets what TaskDetail answers for a task; its events also
// answer TaskEvents unless SetEvents overrides them.
func (f *Engine) SetDetail(taskID string, d durable.Detail) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.x().details[taskID] = d
}

// SetEvents sets a task's lifecycle events.
func (f *Engine) SetEvents(taskID string, events ...durable.TaskEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.x().events[taskID] = events
}

// SetLogLines sets a task's ctx.log lines.
func (f *Engine) SetLogLines(taskID string, lines ...durable.LogLine) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.x().logLines[taskID] = lines
}

// LogLinesSince is the since of the last LogLines call for a task.
func (f *Engine) LogLinesSince(taskID string) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.x().logSince[taskID]
}

// TaskDetail implements client.Engine.
func (f *Engine) TaskDetail(_ context.Context, taskID string) (durable.Detail, error) {
	f.count("TaskDetail:" + taskID)
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.x().details[taskID]
	if !ok {
		return durable.Detail{}, fmt.Errorf("task %s: %w", taskID, client.ErrNotFound)
	}
	return d, nil
}

// TaskEvents implements client.Engine.
func (f *Engine) TaskEvents(_ context.Context, taskID string) ([]durable.TaskEvent, error) {
	f.count("TaskEvents:" + taskID)
	f.mu.Lock()
	defer f.mu.Unlock()
	if ev, ok := f.x().events[taskID]; ok {
		return append([]durable.TaskEvent(nil), ev...), nil
	}
	return append([]durable.TaskEvent(nil), f.x().details[taskID].Events...), nil
}

// TaskState implements client.Engine: the task of SetDetail, else the
// active list's, else not found.
func (f *Engine) TaskState(_ context.Context, taskID string) (durable.Task, error) {
	f.count("TaskState:" + taskID)
	f.mu.Lock()
	defer f.mu.Unlock()
	if d, ok := f.x().details[taskID]; ok {
		return d.Task, nil
	}
	for _, t := range f.tasks {
		if t.ID == taskID {
			return t, nil
		}
	}
	return durable.Task{}, fmt.Errorf("task %s: %w", taskID, client.ErrNotFound)
}

// LogLines implements client.Engine.
func (f *Engine) LogLines(_ context.Context, taskID string, since time.Time) ([]durable.LogLine, error) {
	f.count("LogLines:" + taskID)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.x().logSince[taskID] = since
	var out []durable.LogLine
	for _, l := range f.x().logLines[taskID] {
		if since.IsZero() || !l.At.Before(since) {
			out = append(out, l)
		}
	}
	return out, nil
}

// Subscribe implements client.Engine: it is open at once and delivers
// what Emit sends until End, or until the context ends. A second Subscribe
// to the same run replaces the first as the target of Emit and End.
func (f *Engine) Subscribe(ctx context.Context, runID string, opened func(), out func(durable.RunEvent)) error {
	f.count("Subscribe:" + runID)
	s := &sub{events: make(chan durable.RunEvent), end: make(chan error, 1), gone: make(chan struct{})}
	f.mu.Lock()
	f.x().subs[runID] = s
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		if f.x().subs[runID] == s {
			delete(f.x().subs, runID)
		}
		f.mu.Unlock()
		close(s.gone)
	}()
	if opened != nil {
		opened()
	}
	for {
		select {
		case ev := <-s.events:
			out(ev)
		case err := <-s.end:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Subscribed reports whether a run has an open subscription.
func (f *Engine) Subscribed(runID string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.x().subs[runID]
	return ok
}

// Emit hands an event to a run's open subscription and returns once its
// out has taken it; false if there is none, or it ended meanwhile.
func (f *Engine) Emit(runID string, ev durable.RunEvent) bool {
	f.mu.Lock()
	s, ok := f.x().subs[runID]
	f.mu.Unlock()
	if !ok {
		return false
	}
	select {
	case s.events <- ev:
		return true
	case <-s.gone:
		return false
	}
}

// End ends a run's subscription with err: nil is a clean end (the run is
// over), an error wrapping client.ErrNotFound a gone run, any other error
// a broken feed. false if there was no subscription.
func (f *Engine) End(runID string, err error) bool {
	f.mu.Lock()
	s, ok := f.x().subs[runID]
	delete(f.x().subs, runID)
	f.mu.Unlock()
	if ok {
		s.once.Do(func() { s.end <- err })
	}
	return ok
}

// Hangup finishes a run as the engine does: a RunFinished event with
// hangup, then a clean end.
func (f *Engine) Hangup(runID string, final durable.Status) bool {
	ev := durable.RunEvent{Kind: durable.RunFinished, RunID: runID, Final: final, Hangup: true, At: time.Now()}
	return f.Emit(runID, ev) && f.End(runID, nil)
}

// FailActions makes every change fail with err until called with nil.
func (f *Engine) FailActions(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.x().actionErr = err
}

func (f *Engine) act(name string) error {
	f.count(name)
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.x().actionErr
}

// LastEvent is the last event pushed.
func (f *Engine) LastEvent() client.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.x().pushed); n > 0 {
		return f.x().pushed[n-1]
	}
	return client.Event{}
}

// Cancelled lists every task id cancelled so far.
func (f *Engine) Cancelled() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.x().cancelled...)
}

// LastIncrement is the last timeout increment asked for.
func (f *Engine) LastIncrement() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n := len(f.x().increments); n > 0 {
		return f.x().increments[n-1]
	}
	return 0
}

// PushEvent implements client.Engine.
func (f *Engine) PushEvent(_ context.Context, e client.Event) (string, error) {
	if err := f.act("PushEvent"); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.x().pushed = append(f.x().pushed, e)
	return fmt.Sprintf("evt-%d", len(f.x().pushed)), nil
}

// Cancel implements client.Engine.
func (f *Engine) Cancel(_ context.Context, ids ...string) error {
	if err := f.act("Cancel"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.x().cancelled = append(f.x().cancelled, ids...)
	return nil
}

// RefreshTimeout implements client.Engine: the new deadline is a fixed
// time plus the increment.
func (f *Engine) RefreshTimeout(_ context.Context, _ string, by time.Duration) (time.Time, error) {
	if err := f.act("RefreshTimeout"); err != nil {
		return time.Time{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.x().increments = append(f.x().increments, by)
	return refreshedUntil().Add(by), nil
}

// refreshedUntil is the base of the deadlines RefreshTimeout answers.
func refreshedUntil() time.Time { return time.Date(2026, 11, 23, 13, 0, 0, 0, time.UTC) }

// RestoreEvicted implements client.Engine.
func (f *Engine) RestoreEvicted(context.Context, string) error { return f.act("RestoreEvicted") }

// Replay implements client.Engine.
func (f *Engine) Replay(context.Context, ...string) error { return f.act("Replay") }

// Branch implements client.Engine: the new branch is the given one + 1.
func (f *Engine) Branch(_ context.Context, _ string, _, branch int64) (int64, error) {
	if err := f.act("Branch"); err != nil {
		return 0, err
	}
	return branch + 1, nil
}
