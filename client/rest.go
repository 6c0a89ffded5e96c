package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/hatchet-dev/hatchet/pkg/client/rest"

	"github.com/hatchtop/hatchtop/durable"
)

const (
	// maxPages bounds a listing whose pages never come back short.
	maxPages = 100
	// durableLookups bounds the task fetches that learn durability.
	durableLookups = 4
)

// maxErrorBody bounds what is read of an error answer for its message.
const maxErrorBody = 64 << 10

// answered checks one REST answer: a request that went unanswered, or an
// answer other than 200 with JSON, becomes the error a user reads (what
// names the thing asked for, for a 404) and its body is closed. Otherwise
// the body is the caller's to read and close.
func (c *Client) answered(what string, resp *http.Response, err error) error {
	if err != nil {
		return c.fail.transport(c.cfg.APIURL, err)
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "json") {
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return c.fail.http(c.cfg.APIURL, what, resp, body)
	}
	return nil
}

// restJSON is answered, then the body decoded as T. Every call of the
// generated REST client reads its answer through it (the list through
// answered alone, as it streams its decode): the generated *WithResponse
// parsers left both checks and their wrapping to each call site.
func restJSON[T any](c *Client, what string, resp *http.Response, err error) (*T, error) {
	if err := c.answered(what, resp, err); err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil {
		var out T
		if err = json.Unmarshal(body, &out); err == nil {
			return &out, nil
		}
	}
	return nil, c.fail.transport(c.cfg.APIURL, err)
}

// activeStatuses are what the dashboard shows; RUNNING includes evicted.
var activeStatuses = []rest.V1TaskStatus{rest.V1TaskStatusQUEUED, rest.V1TaskStatusRUNNING}

// EventLog implements Engine, following pages until a short one.
func (c *Client) EventLog(ctx context.Context, taskID string) ([]durable.Entry, error) {
	id, err := uuid.Parse(taskID)
	if err != nil {
		return nil, fmt.Errorf("event log: %w", c.fail.notFound(fmt.Sprintf("task %q", taskID), err))
	}
	var out []durable.Entry
	limit := c.logPage
	for page := int64(0); page < maxPages; page++ {
		offset := page * limit
		resp, err := c.api.V1DurableTaskEventLogList(ctx, c.tenant, id,
			&rest.V1DurableTaskEventLogListParams{Limit: &limit, Offset: &offset})
		got, err := restJSON[rest.V1DurableEventLogList](c, "task "+taskID, resp, err)
		if err != nil {
			return nil, fmt.Errorf("event log: %w", err)
		}
		for _, e := range *got {
			out = append(out, entryOf(e))
		}
		if int64(len(*got)) < limit {
			break
		}
	}
	return out, nil
}

// TaskConfig implements Engine from the task's workflow version.
func (c *Client) TaskConfig(ctx context.Context, taskID string) (durable.Config, error) {
	t, err := c.getTask(ctx, taskID)
	if err != nil {
		return durable.UnknownConfig(), fmt.Errorf("task config: %w", err)
	}
	cfg, _ := configOf(t)
	return cfg, nil
}

func (c *Client) getTask(ctx context.Context, taskID string) (*rest.V1TaskSummary, error) {
	id, err := uuid.Parse(taskID)
	if err != nil {
		return nil, c.fail.notFound(fmt.Sprintf("task %q", taskID), err)
	}
	resp, err := c.api.V1TaskGet(ctx, id, nil)
	return restJSON[rest.V1TaskSummary](c, "task "+taskID, resp, err)
}

// markDurable fills Task.Durable, which list rows do not carry: a task is
// durable if its step is, so one task fetch per workflow version and
// action answers for all its runs, and the answer is kept for good
// (versions are immutable). A failed fetch leaves the task non-durable
// until a later poll succeeds.
func (c *Client) markDurable(ctx context.Context, rows []listRow, tasks []durable.Task) {
	missing := map[string]string{} // key -> a task id to ask
	c.mu.Lock()
	for i := range rows {
		if rows[i].IsDurable != nil {
			continue
		}
		key := rows[i].stepKey()
		if d, ok := c.durable[key]; ok {
			tasks[i].Durable = d
		} else if _, asked := missing[key]; !asked {
			missing[key] = tasks[i].ID
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return
	}

	var wg sync.WaitGroup
	sem := make(chan struct{}, durableLookups)
	for key, id := range missing {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t, err := c.getTask(ctx, id)
			if err != nil {
				return
			}
			c.mu.Lock()
			c.durable[key] = t.IsDurable != nil && *t.IsDurable
			c.mu.Unlock()
		}()
	}
	wg.Wait()

	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range rows {
		if rows[i].IsDurable == nil {
			tasks[i].Durable = c.durable[rows[i].stepKey()]
		}
	}
}
