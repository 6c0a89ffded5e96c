package client

import (
	"context"
	"fmt"
	"time"

	"github.com/hatchet-dev/hatchet/pkg/client/rest"
)

// RecentEvents lists the events the engine saw at or after since, newest
// first, at most limit of them (v1-event:list). The engine writes an event
// here after it has matched it against the open waits, so a wait on one
// of these keys may have been satisfied: one request for the whole tenant
// stands in for polling every waiting task's event log.
func (c *Client) RecentEvents(ctx context.Context, since time.Time, limit int) ([]SeenEvent, error) {
	n := int64(limit)
	resp, err := c.api.V1EventListWithResponse(ctx, c.tenant, &rest.V1EventListParams{Since: &since, Limit: &n})
	if err != nil {
		return nil, fmt.Errorf("recent events: %w", c.fail.transport(c.cfg.APIURL, err))
	}
	if resp.JSON200 == nil {
		return nil, fmt.Errorf("recent events: %w", c.fail.http(c.cfg.APIURL, "the events", resp.HTTPResponse, resp.Body))
	}
	var out []SeenEvent
	if resp.JSON200.Rows != nil {
		for _, e := range *resp.JSON200.Rows {
			out = append(out, SeenEvent{ID: e.Metadata.Id, Key: e.Key, SeenAt: deref(e.SeenAt)})
		}
	}
	return out, nil
}
