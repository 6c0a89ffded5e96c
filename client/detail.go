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

// TaskDetail implements Engine: the task (v1-task:get), its lifecycle
// events, and its run's other tasks for their outputs and errors.
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
	if d.Events, err = c.TaskEvents(ctx, taskID); err != nil {
		return d, fmt.Errorf("task detail: %w", err)
	}
	for _, e := range d.Events { // newest first: the latest worker wins
		if e.WorkerID != "" {
			d.WorkerID = e.WorkerID
			break
		}
	}
	if d.RunID != "" && d.RunID != d.ID {
		c.runSiblings(ctx, &d)
	}
	return d, nil
}

// runSiblings fills the outputs and errors of the run's other tasks (the
// parents' task_output and task_run_errors). The run may not be readable
// yet: the detail is still useful without them.
func (c *Client) runSiblings(ctx context.Context, d *durable.Detail) {
	id, err := uuid.Parse(d.RunID)
	if err != nil {
		return
	}
	resp, err := c.api.V1WorkflowRunGetWithResponse(ctx, id)
	if err != nil || resp.JSON200 == nil {
		return
	}
	for _, s := range resp.JSON200.Tasks {
		if s.TaskExternalId.String() == d.ID {
			continue
		}
		name := s.DisplayName
		if out := rawJSON(s.Output); out != nil {
			if d.ParentOutputs == nil {
				d.ParentOutputs = map[string]json.RawMessage{}
			}
			d.ParentOutputs[name] = out
		}
		if e := deref(s.ErrorMessage); e != "" {
			if d.UpstreamErrors == nil {
				d.UpstreamErrors = map[string]string{}
			}
			d.UpstreamErrors[name] = e
		}
	}
}

// TaskEvents returns a task's lifecycle events, newest first
// (v1-task-event:list).
func (c *Client) TaskEvents(ctx context.Context, taskID string) ([]durable.TaskEvent, error) {
	id, err := uuid.Parse(taskID)
	if err != nil {
		return nil, c.fail.notFound(fmt.Sprintf("task %q", taskID), err)
	}
	limit, offset := int64(taskEventPage), int64(0)
	resp, err := c.api.V1TaskEventListWithResponse(ctx, id, &rest.V1TaskEventListParams{Limit: &limit, Offset: &offset})
	if err != nil {
		return nil, fmt.Errorf("events of task %s: %w", taskID, c.fail.transport(c.cfg.APIURL, err))
	}
	if resp.JSON200 == nil {
		return nil, fmt.Errorf("events: %w", c.fail.http(c.cfg.APIURL, "task "+taskID, resp.HTTPResponse, resp.Body))
	}
	var out []durable.TaskEvent
	if resp.JSON200.Rows != nil {
		for _, e := range *resp.JSON200.Rows {
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
// (all when zero), oldest first (v1-log-line:list).
func (c *Client) LogLines(ctx context.Context, taskID string, since time.Time) ([]durable.LogLine, error) {
	id, err := uuid.Parse(taskID)
	if err != nil {
		return nil, c.fail.notFound(fmt.Sprintf("task %q", taskID), err)
	}
	limit := int64(logLinePage)
	asc := rest.V1LogLineOrderByDirection("ASC")
	params := &rest.V1LogLineListParams{Limit: &limit, OrderByDirection: &asc}
	if !since.IsZero() {
		params.Since = &since
	}
	resp, err := c.api.V1LogLineListWithResponse(ctx, id, params)
	if err != nil {
		return nil, fmt.Errorf("log lines of task %s: %w", taskID, c.fail.transport(c.cfg.APIURL, err))
	}
	if resp.JSON200 == nil {
		return nil, fmt.Errorf("log lines: %w", c.fail.http(c.cfg.APIURL, "task "+taskID, resp.HTTPResponse, resp.Body))
	}
	var out []durable.LogLine
	if resp.JSON200.Rows != nil {
		for _, l := range *resp.JSON200.Rows {
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
	return out, nil
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
