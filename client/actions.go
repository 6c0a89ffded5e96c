package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/hatchet-dev/hatchet/pkg/client/rest"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
	"github.com/hatchtop/hatchtop/client/pb/eventspb"
	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/preflight"
)

// TaskState is the task as the engine tells it right now (v1-task:get):
// an action's last check before it sends, so a task that finished while
// its confirmation was open is not changed.
func (c *Client) TaskState(ctx context.Context, taskID string) (durable.Task, error) {
	t, err := c.getTask(ctx, taskID)
	if err != nil {
		return durable.Task{}, fmt.Errorf("state of task %s: %w", taskID, err)
	}
	return taskOf(*t), nil
}

// The calls below change the engine's state. In read-only mode each
// refuses before anything is sent, and the transport refuses too.

// RefreshTimeout pushes a task's deadline out by `by` (whole milliseconds,
// at least 1ms) and returns the new deadline. The engine debounces calls
// for one task within 500 ms, so the answer may be the previous deadline.
func (c *Client) RefreshTimeout(ctx context.Context, taskID string, by time.Duration) (time.Time, error) {
	if err := c.mutating("refresh timeout"); err != nil {
		return time.Time{}, err
	}
	if by < time.Millisecond {
		return time.Time{}, fmt.Errorf("refresh timeout: the increment must be at least 1ms, got %s", by)
	}
	if err := preflight.Increment(by); err != nil {
		return time.Time{}, fmt.Errorf("refresh timeout: %w", err)
	}
	resp, err := c.dispatch.RefreshTimeout(ctx, &dispatcherpb.RefreshTimeoutRequest{
		TaskRunExternalId:  taskID,
		IncrementTimeoutBy: engineDuration(by),
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("refresh timeout: %w", c.fail.grpc(c.cfg.GRPCAddr, "running task "+taskID, err))
	}
	return resp.GetTimeoutAt().AsTime(), nil
}

// engineDuration renders d in the engine's grammar (units ms, s, m, h).
func engineDuration(d time.Duration) string {
	if d%time.Second == 0 {
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}

// RestoreEvicted queues an evicted durable task to run again (REST
// v1-task:restore). The engine always answers "requeued" and ignores tasks
// that are not evicted, so callers must watch for the effect.
func (c *Client) RestoreEvicted(ctx context.Context, taskID string) error {
	if err := c.mutating("restore"); err != nil {
		return err
	}
	id, err := uuid.Parse(taskID)
	if err != nil {
		return fmt.Errorf("restore: %w", c.fail.notFound(fmt.Sprintf("task %q", taskID), err))
	}
	resp, err := c.api.V1TaskRestore(ctx, id)
	if _, err := restJSON[rest.V1RestoreTaskResponse](c, "task "+taskID, resp, err); err != nil {
		return fmt.Errorf("restore task: %w", err)
	}
	return nil
}

// PushEvent sends an event and returns the engine's id for it.
func (c *Client) PushEvent(ctx context.Context, e Event) (string, error) {
	if err := c.mutating("push event"); err != nil {
		return "", err
	}
	if err := preflight.Key(e.Key); err != nil {
		return "", fmt.Errorf("push event: %w", err)
	}
	if err := preflight.Scope(e.Scope); err != nil {
		return "", fmt.Errorf("push event: %w", err)
	}
	payload := string(e.Payload)
	if payload == "" {
		payload = "{}"
	}
	if err := preflight.Payload(payload); err != nil {
		return "", fmt.Errorf("push event: payload: %w", err)
	}
	req := &eventspb.PushEventRequest{Key: e.Key, Payload: payload, EventTimestamp: timestamppb.Now()}
	if e.Scope != "" {
		req.Scope = &e.Scope
	}
	if len(e.Metadata) > 0 {
		md, err := json.Marshal(e.Metadata)
		if err != nil {
			return "", fmt.Errorf("push event: metadata: %w", err)
		}
		s := string(md)
		req.AdditionalMetadata = &s
	}
	// The engine's gRPC server drops a message over its limit without
	// saying why; refuse it here with the size.
	if n := proto.Size(req); n > preflight.MaxMessage {
		return "", fmt.Errorf("push event: the message is %s, over the engine's %s limit", preflight.Size(n), preflight.Size(preflight.MaxMessage))
	}
	resp, err := c.events.Push(ctx, req)
	if err != nil {
		return "", fmt.Errorf("push event %s: %w", e.Key, c.fail.grpc(c.cfg.GRPCAddr, "event "+e.Key, err))
	}
	return resp.GetEventId(), nil
}

// Cancel cancels tasks or whole runs by id (REST v1-task:cancel). By ids,
// not by a status filter: the filter's statuses miss evicted tasks. The
// engine works asynchronously; it returns once the request is queued.
func (c *Client) Cancel(ctx context.Context, ids ...string) error {
	if err := c.mutating("cancel"); err != nil {
		return err
	}
	uids, err := parseIDs(ids)
	if err != nil || len(uids) == 0 {
		return fmt.Errorf("cancel: %w", err)
	}
	resp, err := c.api.V1TaskCancel(ctx, c.tenant, rest.V1CancelTaskRequest{ExternalIds: &uids})
	if _, err := restJSON[rest.V1CancelledTasks](c, "task", resp, err); err != nil {
		return fmt.Errorf("cancel: %w", err)
	}
	return nil
}

// Replay runs tasks or whole runs again from the start, by id (REST
// v1-task:replay).
func (c *Client) Replay(ctx context.Context, ids ...string) error {
	if err := c.mutating("replay"); err != nil {
		return err
	}
	uids, err := parseIDs(ids)
	if err != nil || len(uids) == 0 {
		return fmt.Errorf("replay: %w", err)
	}
	resp, err := c.api.V1TaskReplay(ctx, c.tenant, rest.V1ReplayTaskRequest{ExternalIds: &uids})
	if _, err := restJSON[rest.V1ReplayedTasks](c, "task", resp, err); err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	return nil
}

// Branch replays a durable task from one entry of its event log, in a new
// branch whose id it returns (REST v1-durable-task:branch).
func (c *Client) Branch(ctx context.Context, taskID string, node, branch int64) (int64, error) {
	if err := c.mutating("branch"); err != nil {
		return 0, err
	}
	id, err := uuid.Parse(taskID)
	if err != nil {
		return 0, fmt.Errorf("branch: %w", c.fail.notFound(fmt.Sprintf("task %q", taskID), err))
	}
	resp, err := c.api.V1DurableTaskBranch(ctx, c.tenant, rest.V1DurableTaskBranchJSONRequestBody{
		TaskExternalId: id, NodeId: node, BranchId: branch,
	})
	got, err := restJSON[rest.V1BranchDurableTaskResponse](c, "task "+taskID, resp, err)
	if err != nil {
		return 0, fmt.Errorf("branch task: %w", err)
	}
	return got.BranchId, nil
}

func parseIDs(ids []string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, 0, len(ids))
	for _, s := range ids {
		id, err := uuid.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("task id %q is not a UUID", s)
		}
		out = append(out, id)
	}
	if len(out) == 0 {
		return nil, errors.New("no task given")
	}
	return out, nil
}
