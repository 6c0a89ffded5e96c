package client

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hatchet-dev/hatchet/pkg/client/rest"

	"github.com/hatchtop/hatchtop/durable"
)

// taskEventPage is how many lifecycle events one request asks for. The
// engine answers an empty list when no limit is given.
const taskEventPage = 500

// logLinePage bounds one request for ctx.log lines.
const logLinePage = 1000

// logLineMaxPages bounds one LogLines call: a task that wrote more lines
// than this since the last read is caught up by the next calls.
const logLineMaxPages = 100

// TaskDetail implements Engine: the task (v1-task:get), its lifecycle
// events (v1-task-event:list), and its run's other tasks for their outputs
// and errors (v1-workflow-run:get).
func (c *Client) TaskDetail(ctx context.Context, taskID string) (durable.Detail, error) {
	t, err := c.getTask(ctx, taskID)
	if err != nil {
		return durable.Detail{}, fmt.Errorf("task detail: %w", err)
	}
	d := durable.Detail{Task: taskOf(*t)}
	d.Durable = deref(t.IsDurable)
	d.Config, _ = configOf(t)
	d.Input = rawJSON(t.Input)
	d.Output = rawJSON(t.Output)
	d.Error = deref(t.ErrorMessage)
	d.FinishedAt = deref(t.FinishedAt)
	d.ParentTaskID = uuidString(t.ParentTaskExternalId)
	if t.WorkflowConfig != nil {
		if p, ok := field(*t.WorkflowConfig, "defaultpriority").(float64); ok {
			d.DefaultPriority = int(p)
		}
	}
	triggerOf(&d)
	if d.Events, err = c.TaskEvents(ctx, taskID); err != nil {
		return d, fmt.Errorf("task detail: %w", err)
	}
	d.WorkerID = latestWorker(d.Events)
	// A standalone task's own stored input is read from its run only: the
	// task's answer strips it to the user's input, and with it the filter
	// payload of an event trigger.
	if d.RunID != "" && (d.RunID != d.ID || *d.TriggeredByEvent) {
		c.runSiblings(ctx, &d)
	}
	return d, nil
}

// Keys the engine writes into the metadata of a run an event triggered
// (and strips from metadata the trigger supplied).
const (
	metaEventID  = "hatchet__event_id"
	metaEventKey = "hatchet__event_key"
)

// triggerOf tells whether an event triggered the task's run. A spawned
// task was not: SDKs may copy the parent's metadata, trigger keys and all.
func triggerOf(d *durable.Detail) {
	if d.ParentTaskID != "" {
		no := false
		d.TriggeredByEvent = &no
		return
	}
	d.TriggerEventID, _ = d.Metadata[metaEventID].(string)
	d.TriggerEventKey, _ = d.Metadata[metaEventKey].(string)
	yes := d.TriggerEventID != "" || d.TriggerEventKey != ""
	d.TriggeredByEvent = &yes
}

// latestWorker is the worker of the newest assignment (events newest
// first), else of the newest event naming one.
func latestWorker(events []durable.TaskEvent) string {
	for _, e := range events {
		if e.WorkerID != "" && (e.Type == durable.EventAssigned || e.Type == durable.EventStarted) {
			return e.WorkerID
		}
	}
	for _, e := range events {
		if e.WorkerID != "" {
			return e.WorkerID
		}
	}
	return ""
}

// runSiblings fills what the task's Context holds of the rest of its run:
// its parents' outputs and the upstream errors. v1-workflow-run:get lists
// each task with its stored input, which wraps the user's input with the
// parents' outputs and errors as the engine handed them to the task; when
// that wrapper is missing, the other tasks' own outputs and errors stand
// in. The run may not be readable yet: the detail is useful without them.
func (c *Client) runSiblings(ctx context.Context, d *durable.Detail) {
	id, err := uuid.Parse(d.RunID)
	if err != nil {
		return
	}
	resp, err := c.api.V1WorkflowRunGet(ctx, id)
	run, err := restJSON[rest.V1WorkflowRunDetails](c, "run "+d.RunID, resp, err)
	if err != nil {
		return
	}
	for _, s := range run.Tasks {
		if s.TaskExternalId.String() == d.ID && fromStoredInput(d, s.Input) {
			return
		}
	}
	for _, s := range run.Tasks {
		if s.TaskExternalId.String() == d.ID {
			continue
		}
		if out := rawJSON(s.Output); out != nil {
			setOutput(d, s.DisplayName, out)
		}
		if e := deref(s.ErrorMessage); e != "" {
			setError(d, s.DisplayName, e)
		}
	}
}

// storedInput is the engine's wrapper around a task's input.
type storedInput struct {
	TriggeredBy *string                    `json:"triggered_by"`
	Parents     map[string]json.RawMessage `json:"parents"`
	Errors      map[string]string          `json:"step_run_errors"`
	Triggers    map[string]json.RawMessage `json:"triggers"`
}

// fromStoredInput fills the parents' outputs and errors from the task's
// stored input; false when it is not the engine's wrapper.
func fromStoredInput(d *durable.Detail, in map[string]any) bool {
	b, err := json.Marshal(in)
	if err != nil {
		return false
	}
	var si storedInput
	if json.Unmarshal(b, &si) != nil || si.TriggeredBy == nil {
		return false
	}
	for name, out := range si.Parents {
		setOutput(d, name, out)
	}
	for name, e := range si.Errors {
		setError(d, name, e)
	}
	d.FilterKnown = true
	if fp := si.Triggers["filter_payload"]; !emptyJSON(fp) {
		d.FilterPayload = fp
	}
	return true
}

func setOutput(d *durable.Detail, name string, out json.RawMessage) {
	if d.ParentOutputs == nil {
		d.ParentOutputs = map[string]json.RawMessage{}
	}
	d.ParentOutputs[name] = out
	if skippedOutput(out) {
		if d.SkippedParents == nil {
			d.SkippedParents = map[string]bool{}
		}
		d.SkippedParents[name] = true
	}
}

// skippedOutput is the output the engine (v0.105.0) stores for a task
// whose skip condition was met, and what SDKs read as was_skipped:
// exactly {"skipped": true}.
func skippedOutput(out json.RawMessage) bool {
	var m map[string]any
	if json.Unmarshal(out, &m) != nil || len(m) != 1 {
		return false
	}
	v, ok := m["skipped"].(bool)
	return ok && v
}

// emptyJSON is absent, null or {}: the engine writes null when no filter
// matched.
func emptyJSON(raw json.RawMessage) bool {
	var m map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return len(raw) == 0
	}
	return len(m) == 0
}

func setError(d *durable.Detail, name, e string) {
	if d.UpstreamErrors == nil {
		d.UpstreamErrors = map[string]string{}
	}
	d.UpstreamErrors[name] = e
}

// TaskEvents returns a task's lifecycle events, newest first
// (v1-task-event:list).
func (c *Client) TaskEvents(ctx context.Context, taskID string) ([]durable.TaskEvent, error) {
	id, err := uuid.Parse(taskID)
	if err != nil {
		return nil, c.fail.notFound(fmt.Sprintf("task %q", taskID), err)
	}
	limit, offset := int64(taskEventPage), int64(0)
	resp, err := c.api.V1TaskEventList(ctx, id, &rest.V1TaskEventListParams{Limit: &limit, Offset: &offset})
	list, err := restJSON[rest.V1TaskEventList](c, "task "+taskID, resp, err)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	var out []durable.TaskEvent
	if list.Rows != nil {
		for _, e := range *list.Rows {
			out = append(out, taskEventOf(e))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, nil
}

func taskEventOf(e rest.V1TaskEvent) durable.TaskEvent {
	te := durable.TaskEvent{
		ID: e.Id, Type: string(e.EventType), At: e.Timestamp, Message: e.Message,
		Error: deref(e.ErrorMessage), WorkerID: uuidString(e.WorkerId), RetryCount: -1,
	}
	if e.RetryCount != nil {
		te.RetryCount = *e.RetryCount
	}
	return te
}

// LogLines implements Engine: a task's ctx.log lines at or after since
// (all when zero), oldest first. It reads page after page until the
// engine has no more (at most logLineMaxPages), so a task that logged
// thousands of lines is caught up in one call.
func (c *Client) LogLines(ctx context.Context, taskID string, since time.Time) ([]durable.LogLine, error) {
	id, err := uuid.Parse(taskID)
	if err != nil {
		return nil, c.fail.notFound(fmt.Sprintf("task %q", taskID), err)
	}
	return pageLogLines(since, logLineMaxPages, func(from time.Time) ([]durable.LogLine, bool, error) {
		return c.logLinePage(ctx, id, taskID, from)
	})
}

// pageLogLines reads pages from since on, each page starting at the time
// of the previous page's last line, until a page is not full. Lines at that time come back again on the next page: the ones
// already read are skipped, so a repeated message is kept as often as it
// was written.
func pageLogLines(since time.Time, maxPages int, page func(since time.Time) (lines []durable.LogLine, full bool, err error)) ([]durable.LogLine, error) {
	var out []durable.LogLine
	from := since
	for range maxPages {
		lines, full, err := page(from)
		if err != nil {
			return nil, err
		}
		fresh := lines
		if len(out) > 0 {
			fresh = unseenAt(out, lines, from)
		}
		out = append(out, fresh...)
		if !full || len(fresh) == 0 {
			// A short page is the end. A full page of nothing new means
			// more than a page of lines share one instant: paging by time
			// cannot get past them, so stop rather than loop.
			break
		}
		from = out[len(out)-1].At
	}
	return out, nil
}

// unseenAt is page without the lines at instant at that have already
// been read (the tail of read), counting repeats.
func unseenAt(read, page []durable.LogLine, at time.Time) []durable.LogLine {
	had := map[string]int{}
	for i := len(read) - 1; i >= 0 && read[i].At.Equal(at); i-- {
		had[read[i].Message]++
	}
	out := make([]durable.LogLine, 0, len(page))
	for _, l := range page {
		if l.At.Equal(at) && had[l.Message] > 0 {
			had[l.Message]--
			continue
		}
		out = append(out, l)
	}
	return out
}

// logLinePage is one request: at most logLinePage lines at or after since,
// oldest first, and whether the engine filled the page.
func (c *Client) logLinePage(ctx context.Context, id uuid.UUID, taskID string, since time.Time) ([]durable.LogLine, bool, error) {
	limit := int64(logLinePage)
	asc := rest.V1LogLineOrderByDirection("ASC")
	params := &rest.V1LogLineListParams{Limit: &limit, OrderByDirection: &asc}
	if !since.IsZero() {
		// The engine answers lines strictly after since; a microsecond
		// earlier (its precision) also brings back lines at since that a
		// previous page cut off.
		from := since.Add(-time.Microsecond)
		params.Since = &from
	}
	resp, err := c.api.V1LogLineList(ctx, id, params)
	list, err := restJSON[rest.V1LogLineList](c, "task "+taskID, resp, err)
	if err != nil {
		return nil, false, fmt.Errorf("log lines: %w", err)
	}
	var out []durable.LogLine
	full := false
	if list.Rows != nil {
		full = len(*list.Rows) >= logLinePage
		for _, l := range *list.Rows {
			if !since.IsZero() && l.CreatedAt.Before(since) {
				continue
			}
			ll := durable.LogLine{At: l.CreatedAt, Message: l.Message, RetryCount: -1}
			if l.Level != nil {
				ll.Level = strings.ToUpper(string(*l.Level))
			}
			if l.RetryCount != nil {
				ll.RetryCount = *l.RetryCount
			}
			out = append(out, ll)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, full, nil
}

// rawJSON is a payload as raw JSON; nil when absent or empty, which the
// engine does not tell apart.
func rawJSON(m map[string]any) json.RawMessage {
	if len(m) == 0 {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return b
}
