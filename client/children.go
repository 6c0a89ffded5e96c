package client

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/hatchet-dev/hatchet/pkg/client/rest"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
)

var _ engine.ChildLister = (*Client)(nil)

// childPage bounds one children request: a durable task that spawned more
// shows the first ones and says how many it showed.
const childPage = 200

// Children implements engine.ChildLister: the runs whose parent task is
// parentTaskID. v0.105.0 applies parent_task_external_id only when
// only_tasks is false, so the rows are runs; a standalone child's run id is
// its task id, which is what its detail opens.
func (c *Client) Children(ctx context.Context, parentTaskID string, since time.Time) ([]durable.Task, error) {
	id, err := uuid.Parse(parentTaskID)
	if err != nil {
		return nil, fmt.Errorf("children of %q: not a task id", parentTaskID)
	}
	limit, noPayloads := int64(childPage), false
	p := &rest.V1WorkflowRunListParams{Since: since, Limit: &limit, ParentTaskExternalId: &id,
		OnlyTasks: false, IncludePayloads: &noPayloads}
	resp, err := c.api.V1WorkflowRunList(ctx, c.tenant, p)
	if err := c.answered("children of task "+parentTaskID, resp, err); err != nil {
		return nil, fmt.Errorf("children: %w", err)
	}
	defer resp.Body.Close()
	body, err := c.decodeList(resp.Body)
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("children: %w", c.fail.transport(c.cfg.APIURL, err))
	}
	out := make([]durable.Task, 0, len(body.Rows))
	for i := range body.Rows {
		if t := taskOfRow(&body.Rows[i]); t.ID != "" {
			out = append(out, t)
		}
	}
	slices.SortStableFunc(out, func(a, b durable.Task) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}
