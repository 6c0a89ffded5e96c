package client

import (
	"context"
	"fmt"

	"github.com/hatchtop/hatchtop/durable"
)

// TaskFinal reads a finished task in one request (v1-task:get): its
// status, output, error and finish time, without the events and siblings
// TaskDetail adds (but for a failure with no message, whose events say
// whether it timed out). The list reads each finished row once with it.
func (c *Client) TaskFinal(ctx context.Context, taskID string) (durable.Detail, error) {
	t, err := c.getTask(ctx, taskID)
	if err != nil {
		return durable.Detail{}, fmt.Errorf("finished task: %w", err)
	}
	d := durable.Detail{Task: taskOf(*t)}
	d.Output = rawJSON(t.Output)
	d.Error = deref(t.ErrorMessage)
	d.FinishedAt = deref(t.FinishedAt)
	if d.Status == durable.StatusFailed && d.Error == "" {
		// A timeout leaves no error message on v0.105.0: its TIMED_OUT event
		// says it. Best effort: the row shows a plain failure without it.
		if ev, err := c.TaskEvents(ctx, taskID); err == nil {
			d.Events = ev
		}
	}
	return d, nil
}
