package client

import (
	"errors"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
	"github.com/hatchtop/hatchtop/client/pb/eventspb"
	"github.com/hatchtop/hatchtop/client/pb/v1pb"
)

func TestRefreshTimeout(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	for by, sent := range map[time.Duration]string{
		90 * time.Second:        "90s",
		time.Hour:               "3600s",
		1500 * time.Millisecond: "1500ms",
	} {
		at, err := c.RefreshTimeout(ctxTimeout(t, 5*time.Second), tid(3), by)
		if err != nil || !at.Equal(refreshedUntil) {
			t.Fatalf("refresh by %s: %s, %v", by, at, err)
		}
		want := &dispatcherpb.RefreshTimeoutRequest{TaskRunExternalId: tid(3), IncrementTimeoutBy: sent}
		if got := f.lastRequest(); !proto.Equal(got, want) {
			t.Errorf("sent %v, want %v", got, want)
		}
	}
	if _, err := c.RefreshTimeout(ctxTimeout(t, 5*time.Second), tid(99), time.Minute); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown task: %v", err)
	}
	if _, err := c.RefreshTimeout(ctxTimeout(t, 5*time.Second), tid(3), 0); err == nil {
		t.Error("a zero increment should be refused before sending")
	}
}

func TestPushEvent(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	id, err := c.PushEvent(ctxTimeout(t, 5*time.Second), Event{
		Key: "ns_payment:confirmed", Payload: []byte(`{"amount":42}`), Scope: "order-7",
		Metadata: map[string]string{"source": "hatchtop"},
	})
	if err != nil || id != "e-1" {
		t.Fatalf("push: %q, %v", id, err)
	}
	got := f.lastRequest().(*eventspb.PushEventRequest)
	if got.Key != "ns_payment:confirmed" || got.Payload != `{"amount":42}` || got.GetScope() != "order-7" ||
		got.GetAdditionalMetadata() != `{"source":"hatchtop"}` || got.EventTimestamp == nil {
		t.Errorf("sent %v", got)
	}

	if _, err := c.PushEvent(ctxTimeout(t, 5*time.Second), Event{Key: "k"}); err != nil {
		t.Fatal(err)
	}
	got = f.lastRequest().(*eventspb.PushEventRequest)
	if got.Payload != "{}" || got.Scope != nil || got.AdditionalMetadata != nil {
		t.Errorf("defaults: sent %v", got)
	}
	for _, bad := range []Event{{Key: ""}, {Key: "k", Payload: []byte(`[1]`)}, {Key: "k", Payload: []byte(`{`)}} {
		if _, err := c.PushEvent(ctxTimeout(t, 5*time.Second), bad); err == nil {
			t.Errorf("%+v: want an error", bad)
		}
	}
}

func TestAdminActions(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	ctx := ctxTimeout(t, 5*time.Second)
	if err := c.Cancel(ctx, tid(1), tid(2)); err != nil {
		t.Fatal(err)
	}
	if want := (&v1pb.CancelTasksRequest{ExternalIds: []string{tid(1), tid(2)}}); !proto.Equal(f.lastRequest(), want) {
		t.Errorf("cancel sent %v", f.lastRequest())
	}
	if err := c.Replay(ctx, tid(3)); err != nil {
		t.Fatal(err)
	}
	if want := (&v1pb.ReplayTasksRequest{ExternalIds: []string{tid(3)}}); !proto.Equal(f.lastRequest(), want) {
		t.Errorf("replay sent %v", f.lastRequest())
	}
	branch, err := c.Branch(ctx, tid(1), 3, 1)
	if err != nil || branch != 2 {
		t.Fatalf("branch: %d, %v", branch, err)
	}
	if err := c.RestoreEvicted(ctx, tid(2)); err != nil {
		t.Fatal(err)
	}
	if want := (&dispatcherpb.RestoreEvictedTaskRequest{TaskRunExternalId: tid(2)}); !proto.Equal(f.lastRequest(), want) {
		t.Errorf("restore sent %v", f.lastRequest())
	}
}

func TestActionsRejectedToken(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil, envToken, jwt(map[string]any{"sub": testTenant}))
	ctx := ctxTimeout(t, 5*time.Second)
	_, e1 := c.RefreshTimeout(ctx, tid(1), time.Minute)
	_, e2 := c.PushEvent(ctx, Event{Key: "k"})
	for _, err := range []error{e1, e2, c.Cancel(ctx, tid(1)), c.RestoreEvicted(ctx, tid(1))} {
		if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), f.grpcAdr) {
			t.Errorf("want ErrUnauthorized naming the address, got %v", err)
		}
	}
}
