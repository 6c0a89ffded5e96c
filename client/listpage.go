package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/hatchet-dev/hatchet/pkg/client/rest"

	"github.com/hatchtop/hatchtop/durable"
)

// The list endpoint (v1-workflow-run:list, v0.105.0) filters on the task's
// creation time (inserted_at >= since, <= until, both inclusive), on
// statuses and workflow ids, and pages with limit and offset, ordered by
// inserted_at DESC only: there is no order parameter, no tie-breaker and
// no "changed since". Offset pages shift when tasks are created or finish
// between two requests, so ListCreated pages by a stable key instead:
// each page asks for the rows created at or before the oldest row of the
// page before, and drops the ones it already returned at that instant.

// maxListBody bounds one list answer; a page of 200 rows is far smaller.
const maxListBody = 64 << 20

// ListCreated returns one page of tasks created in q's window, newest
// first, and the cursor of the next. Two uses: new tasks since the newest
// seen (Since = newest - overlap, deduplicated by id by the caller), and a
// paced full reconciliation that follows Next one page at a time.
//
// Tasks that share the cursor's creation time (a bulk trigger inserts
// many in one transaction) are asked again with a larger limit rather than
// skipped by offset: exact, at the cost of bigger pages inside such a group.
func (c *Client) ListCreated(ctx context.Context, q ListQuery) (ListPage, error) {
	page, err := c.listCreated(ctx, q)
	if err != nil {
		return ListPage{}, fmt.Errorf("list tasks: %w", err)
	}
	return page, nil
}

func (c *Client) listCreated(ctx context.Context, q ListQuery) (ListPage, error) {
	limit := int64(q.Limit)
	if limit <= 0 {
		limit = c.pageSize
	}
	until := q.Until
	if !q.After.CreatedAt.IsZero() && (until.IsZero() || q.After.CreatedAt.Before(until)) {
		until = q.After.CreatedAt
	}
	ask := limit + int64(len(q.After.TaskIDs))
	p := &rest.V1WorkflowRunListParams{Since: q.Since, Limit: &ask}
	if !until.IsZero() {
		p.Until = &until
	}
	statuses := activeStatuses
	if len(q.Statuses) > 0 {
		statuses = make([]rest.V1TaskStatus, len(q.Statuses))
		for i, s := range q.Statuses {
			statuses[i] = rest.V1TaskStatus(s)
		}
	}
	p.Statuses = &statuses
	body, err := c.queryList(ctx, p)
	if err != nil {
		return ListPage{}, err
	}

	more := int64(len(body.Rows)) == ask && !body.last()
	rows := body.Rows[:0] // filtered in place: row i moves to at most i
	for i := range body.Rows {
		r := &body.Rows[i]
		if r.createdAt().Equal(q.After.CreatedAt) && slices.Contains(q.After.TaskIDs, r.id()) {
			continue // returned by an earlier page
		}
		if int64(len(rows)) == limit {
			more = true // seen rows that finished made room: keep the page to its limit
			break
		}
		rows = append(rows, *r)
	}
	var page ListPage
	if more && len(rows) > 0 {
		page.Next = nextCursor(q.After, rows)
	}
	page.Tasks = make([]durable.Task, 0, len(rows))
	kept := rows[:0]
	for i := range rows {
		if rows[i].valid() {
			page.Tasks = append(page.Tasks, taskOfRow(&rows[i]))
			kept = append(kept, rows[i])
		}
	}
	c.markDurable(ctx, kept, page.Tasks)
	return page, nil
}

// nextCursor is the key below the last row of a full page.
func nextCursor(prev ListCursor, rows []listRow) ListCursor {
	oldest := rows[len(rows)-1].createdAt()
	next := ListCursor{CreatedAt: oldest}
	if oldest.Equal(prev.CreatedAt) {
		next.TaskIDs = slices.Clone(prev.TaskIDs)
	}
	for i := range rows {
		if id := rows[i].id(); rows[i].createdAt().Equal(oldest) && id != "" && !slices.Contains(next.TaskIDs, id) {
			next.TaskIDs = append(next.TaskIDs, id)
		}
	}
	return next
}

// ListActive implements Engine on ListCreated's pages: no task is lost or
// doubled by rows shifting between pages.
func (c *Client) ListActive(ctx context.Context, since time.Time) ([]durable.Task, error) {
	var tasks []durable.Task
	var after ListCursor
	for range maxPages {
		page, err := c.listCreated(ctx, ListQuery{Since: since, After: after})
		if err != nil {
			return nil, fmt.Errorf("list active tasks: %w", err)
		}
		tasks = append(tasks, page.Tasks...)
		if page.Next.IsZero() {
			break
		}
		after = page.Next
	}
	return tasks, nil
}

// listPage asks for one offset page of active tasks; the startup check
// uses it to prove the API accepts the token.
func (c *Client) listPage(ctx context.Context, since time.Time, limit, offset int64) (*listBody, error) {
	statuses := activeStatuses
	return c.queryList(ctx, &rest.V1WorkflowRunListParams{Since: since, Statuses: &statuses, Limit: &limit, Offset: &offset})
}

// queryList sends one list request for tasks only, without payloads, and
// decodes only the fields hatchtop uses: the generated types decode every
// field of every row, which was most of an idle dashboard's CPU.
func (c *Client) queryList(ctx context.Context, p *rest.V1WorkflowRunListParams) (*listBody, error) {
	noPayloads := false
	p.OnlyTasks, p.IncludePayloads = true, &noPayloads
	resp, err := c.api.V1WorkflowRunList(ctx, c.tenant, p)
	if err := c.answered("tenant "+c.cfg.TenantID, resp, err); err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := c.decodeList(resp.Body)
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, c.fail.transport(c.cfg.APIURL, err)
	}
	return out, nil
}

// decodeList reads a list answer into a buffer kept for the next one (a
// page is read every few seconds: no need to make it garbage each time).
func (c *Client) decodeList(r io.Reader) (*listBody, error) {
	buf, _ := c.pages.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		if buf.Cap() <= 4<<20 {
			buf.Reset()
			c.pages.Put(buf)
		}
	}()
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(r, maxListBody+1)); err != nil {
		return nil, err
	}
	if buf.Len() > maxListBody {
		return nil, fmt.Errorf("a list answer over %d MiB", maxListBody>>20)
	}
	var out listBody
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		return nil, err
	}
	return &out, nil
}
