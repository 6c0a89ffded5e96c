package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
	"github.com/hatchtop/hatchtop/client/pb/eventspb"
	"github.com/hatchtop/hatchtop/client/pb/v1pb"
)

// The calls below change the engine's state. They are not part of Engine:
// the dashboard reads through Engine and acts through *Client.

// RefreshTimeout pushes a task's deadline out by `by` (whole milliseconds,
// at least 1ms) and returns the new deadline. The engine debounces calls
// for one task within 500 ms, so the answer may be the previous deadline.
func (c *Client) RefreshTimeout(ctx context.Context, taskID string, by time.Duration) (time.Time, error) {
	if by < time.Millisecond {
		return time.Time{}, fmt.Errorf("refresh timeout: the increment must be at least 1ms, got %s", by)
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

// RestoreEvicted queues an evicted durable task to run again. The engine
// accepts any task and ignores those that are not evicted.
func (c *Client) RestoreEvicted(ctx context.Context, taskID string) error {
	_, err := c.dispatch.RestoreEvictedTask(ctx, &dispatcherpb.RestoreEvictedTaskRequest{TaskRunExternalId: taskID})
	if err != nil {
		return fmt.Errorf("restore task: %w", c.fail.grpc(c.cfg.GRPCAddr, "task "+taskID, err))
	}
	return nil
}

// Event is an event to push, typically to satisfy a durable wait.
type Event struct {
	Key      string            // sent as given: a wait's key already carries the namespace
	Payload  json.RawMessage   // a JSON object; empty means {}
	Scope    string            // must equal a scoped wait's scope; "" for none
	Metadata map[string]string // additional metadata, optional
}

// PushEvent sends an event and returns the engine's id for it.
func (c *Client) PushEvent(ctx context.Context, e Event) (string, error) {
	if e.Key == "" {
		return "", errors.New("push event: no key")
	}
	payload := string(e.Payload)
	if payload == "" {
		payload = "{}"
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(payload), &obj); err != nil {
		return "", errors.New("push event: the payload is not a JSON object")
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
	resp, err := c.events.Push(ctx, req)
	if err != nil {
		return "", fmt.Errorf("push event %s: %w", e.Key, c.fail.grpc(c.cfg.GRPCAddr, "event "+e.Key, err))
	}
	return resp.GetEventId(), nil
}

// Cancel cancels tasks or whole runs by id. The engine works
// asynchronously; it returns once the request is queued.
func (c *Client) Cancel(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := c.admin.CancelTasks(ctx, &v1pb.CancelTasksRequest{ExternalIds: ids})
	if err != nil {
		return fmt.Errorf("cancel: %w", c.fail.grpc(c.cfg.GRPCAddr, "task", err))
	}
	return nil
}

// Replay runs tasks or whole runs again from the start, by id.
func (c *Client) Replay(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := c.admin.ReplayTasks(ctx, &v1pb.ReplayTasksRequest{ExternalIds: ids})
	if err != nil {
		return fmt.Errorf("replay: %w", c.fail.grpc(c.cfg.GRPCAddr, "task", err))
	}
	return nil
}

// Branch replays a durable task from one entry of its event log, in a new
// branch whose id it returns.
func (c *Client) Branch(ctx context.Context, taskID string, node, branch int64) (int64, error) {
	resp, err := c.admin.BranchDurableTask(ctx, &v1pb.BranchDurableTaskRequest{
		TaskExternalId: taskID, NodeId: node, BranchId: branch,
	})
	if err != nil {
		return 0, fmt.Errorf("branch task: %w", c.fail.grpc(c.cfg.GRPCAddr, "task "+taskID, err))
	}
	return resp.GetBranchId(), nil
}
