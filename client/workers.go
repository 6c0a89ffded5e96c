package client

import (
	"context"
	"fmt"

	"github.com/hatchet-dev/hatchet/pkg/client/rest"

	"github.com/hatchtop/hatchtop/engine"
)

// maxWorkers bounds one worker list: the screen shows a page of them,
// and the engine would otherwise answer up to 10,000.
const maxWorkers = 200

var _ engine.WorkerLister = (*Client)(nil)

// Workers lists the tenant's workers that sent a heartbeat in the last
// 24 hours (worker:list; v0.105.0 drops older ones itself), with their
// actions and slots, in one request.
func (c *Client) Workers(ctx context.Context) ([]engine.Worker, error) {
	limit := int64(maxWorkers)
	resp, err := c.api.WorkerList(ctx, c.tenant, &rest.WorkerListParams{Limit: &limit})
	list, err := restJSON[rest.WorkerList](c, "the workers", resp, err)
	if err != nil {
		return nil, fmt.Errorf("list workers: %w", err)
	}
	if list.Rows == nil {
		return nil, nil
	}
	out := make([]engine.Worker, 0, len(*list.Rows))
	for _, w := range *list.Rows {
		out = append(out, workerOf(w))
	}
	return out, nil
}

func workerOf(w rest.Worker) engine.Worker {
	out := engine.Worker{
		ID:              w.Metadata.Id,
		Name:            w.Name,
		Status:          string(deref(w.Status)),
		LastHeartbeatAt: deref(w.LastHeartbeatAt),
		Actions:         deref(w.Actions),
	}
	if w.SlotConfig != nil {
		out.Slots = make(map[string]engine.Slots, len(*w.SlotConfig))
		for kind, s := range *w.SlotConfig {
			avail := -1
			if s.Available != nil {
				avail = *s.Available
			}
			out.Slots[kind] = engine.Slots{Limit: s.Limit, Available: avail}
		}
	}
	return out
}
