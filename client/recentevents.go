package client

import (
	"context"
	"fmt"
	"time"

	"github.com/hatchet-dev/hatchet/pkg/client/rest"
)

// SeenEvent is one event the engine ingested: its key is all a dashboard
// needs to tell which open waits it may have satisfied.
type SeenEvent struct {
	ID     string
	Key    string
	SeenAt time.Time
}

// RecentEvents lists the events the engine saw at or after since, newest
// first, at most limit of them (v1-event:list). A wait on one of these keys
// may have been satisfied: one request for the whole tenant stands in for
// polling every waiting task's event log. v0.105.0 lists an event tens of
// milliseconds after the push, before the match lands (about 0.3 s after
// it, e2e/zz_eventsignal_test.go), so a reader re-reads a moment later.
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
