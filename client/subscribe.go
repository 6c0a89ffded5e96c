package client

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
	"github.com/hatchtop/hatchtop/durable"
)

// Subscribe follows one run's live events (Dispatcher.SubscribeToWorkflowEvents)
// and hands each to out, on the calling goroutine. opened is called once
// the stream is established, before any event. It returns nil when the
// engine ends the stream (the run finished: hangup), the context's error
// when cancelled, or an error wrapping ErrUnreachable, ErrNotFound (the
// engine gave up looking for the run) or ErrUnauthorized.
func (c *Client) Subscribe(ctx context.Context, runID string, opened func(), out func(durable.RunEvent)) error {
	stream, err := c.dispatch.SubscribeToWorkflowEvents(ctx, &dispatcherpb.SubscribeToWorkflowEventsRequest{WorkflowRunId: &runID})
	if err != nil {
		return fmt.Errorf("subscribe to run %s: %w", runID, c.fail.grpc(c.cfg.GRPCAddr, "run "+runID, err))
	}
	// The call returns once the connection is up and the request sent; the
	// engine sends no headers before the first event, and an idle run may
	// send none for a long time, so this is when the feed counts as open.
	if opened != nil {
		opened()
	}
	for {
		ev, err := stream.Recv()
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("run %s feed: %w", runID, c.fail.grpc(c.cfg.GRPCAddr, "run "+runID, err))
		}
		if re, ok := runEventOf(ev); ok {
			out(re)
		}
		if ev.GetHangup() {
			return nil
		}
	}
}

// runEventOf maps one engine event; kinds the dashboard does not use are
// dropped.
func runEventOf(ev *dispatcherpb.WorkflowEvent) (durable.RunEvent, bool) {
	re := durable.RunEvent{
		RunID:      ev.GetWorkflowRunId(),
		At:         ev.GetEventTimestamp().AsTime(),
		Payload:    ev.GetEventPayload(),
		Index:      ev.GetEventIndex(),
		RetryCount: int(ev.GetRetryCount()),
		Hangup:     ev.GetHangup(),
	}
	if ev.GetResourceType() == dispatcherpb.ResourceType_RESOURCE_TYPE_WORKFLOW_RUN {
		re.Kind = durable.RunFinished
		switch ev.GetEventType() {
		case dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_COMPLETED:
			re.Final = durable.StatusCompleted
		case dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_FAILED, dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_TIMED_OUT:
			re.Final = durable.StatusFailed
		case dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_CANCELLED:
			re.Final = durable.StatusCancelled
		default:
			return re, false
		}
		return re, true
	}
	re.TaskID = ev.GetResourceId()
	switch ev.GetEventType() {
	case dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_STARTED:
		re.Kind = durable.TaskCreated // sent at creation, despite the name
	case dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_COMPLETED:
		re.Kind = durable.TaskCompleted
	case dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_FAILED, dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_TIMED_OUT:
		re.Kind = durable.TaskFailed
	case dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_CANCELLED:
		re.Kind = durable.TaskCancelled
	case dispatcherpb.ResourceEventType_RESOURCE_EVENT_TYPE_STREAM:
		re.Kind = durable.TaskStream
	default:
		return re, false
	}
	return re, true
}
