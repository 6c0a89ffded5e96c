package client

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
	"github.com/hatchtop/hatchtop/client/pb/v1pb"
	"github.com/hatchtop/hatchtop/durable"
)

// Subscribe follows one run's live events (Dispatcher.SubscribeToWorkflowEvents)
// and hands each to out, on the calling goroutine. opened, when not nil,
// is called once the stream is established, before any event: an idle run
// may send nothing for hours and still be followed live.
//
// It returns nil when the run is over: the engine hung up after the run's
// final event, or closed a feed whose run had already finished (then out
// gets a RunFinished made from the run's status). It returns the context's
// error (wrapped) when cancelled, and otherwise an error wrapping
// ErrUnreachable (including a feed the engine dropped while the run goes
// on, as it does when shutting down), ErrNotFound (the engine looked for
// the run for about 10s and gave up) or ErrUnauthorized.
func (c *Client) Subscribe(ctx context.Context, runID string, opened func(), out func(durable.RunEvent)) error {
	what := "run " + runID
	stream, err := c.dispatch.SubscribeToWorkflowEvents(ctx, &dispatcherpb.SubscribeToWorkflowEventsRequest{WorkflowRunId: &runID})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("subscribe to %s: %w", what, ctx.Err())
		}
		return fmt.Errorf("subscribe to %s: %w", what, c.fail.grpc(c.cfg.GRPCAddr, what, err))
	}
	// The call returns once the request is sent; the engine sends no headers
	// before the first event, so this is when the feed counts as open.
	if opened != nil {
		opened()
	}
	for {
		ev, err := stream.Recv()
		switch {
		case ctx.Err() != nil:
			return fmt.Errorf("feed of %s: %w", what, ctx.Err())
		case errors.Is(err, io.EOF):
			return c.endedWithoutHangup(ctx, runID, out)
		case err != nil:
			return fmt.Errorf("feed of %s: %w", what, c.fail.grpc(c.cfg.GRPCAddr, what, err))
		}
		if re, ok := runEventOf(ev); ok {
			out(re)
		}
		if ev.GetHangup() {
			return nil
		}
	}
}

// endedWithoutHangup tells apart the two reasons the engine closes a feed
// cleanly without a hangup event: the run had finished before we
// subscribed, or the engine is going away (it ends every feed with an OK
// status on shutdown). The run's details (GetRunDetails) say which.
func (c *Client) endedWithoutHangup(ctx context.Context, runID string, out func(durable.RunEvent)) error {
	what := "run " + runID
	det, err := c.admin.GetRunDetails(ctx, &v1pb.GetRunDetailsRequest{ExternalId: runID})
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("feed of %s: %w", what, ctx.Err())
	case err != nil:
		return fmt.Errorf("feed of %s closed early, and its status: %w", what, c.fail.grpc(c.cfg.GRPCAddr, what, err))
	case !det.GetDone():
		return &kindError{kind: ErrUnreachable, msg: fmt.Sprintf("the engine at %s closed the feed of %s while the run goes on", c.cfg.GRPCAddr, what)}
	}
	re := durable.RunEvent{Kind: durable.RunFinished, RunID: runID, Hangup: true}
	switch det.GetStatus() {
	case v1pb.RunStatus_COMPLETED:
		re.Final = durable.StatusCompleted
	case v1pb.RunStatus_FAILED:
		re.Final = durable.StatusFailed
	case v1pb.RunStatus_CANCELLED:
		re.Final = durable.StatusCancelled
	}
	out(re)
	return nil
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
