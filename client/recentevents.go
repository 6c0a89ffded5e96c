package client

import (
	"context"
	"fmt"
	"time"

	"github.com/hatchet-dev/hatchet/pkg/client/rest"
)

// RecentEvents lists the events the engine saw at or after since, newest
// first, at most limit of them (v1-event:list). The engine lists an event
// here tens of milliseconds after the push, before or as it matches it
// against the open waits (measured on v0.105.0), so a wait on one of these
// keys is satisfied or about to be: one request for the whole tenant
// stands in for polling every waiting task's event log.
func (c *Client) RecentEvents(ctx context.Context, since time.Time, limit int) ([]SeenEvent, error) {
	n := int64(limit)
	resp, err := c.api.V1EventList(ctx, c.tenant, &rest.V1EventListParams{Since: &since, Limit: &n})
	list, err := restJSON[rest.V1EventList](c, "the events", resp, err)
	if err != nil {
		return nil, fmt.Errorf("recent events: %w", err)
	}
	var out []SeenEvent
	if list.Rows != nil {
		for _, e := range *list.Rows {
			out = append(out, SeenEvent{ID: e.Metadata.Id, Key: e.Key, SeenAt: deref(e.SeenAt)})
		}
	}
	return out, nil
}
