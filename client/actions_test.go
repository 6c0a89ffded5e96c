package client

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
	"github.com/hatchtop/hatchtop/client/pb/eventspb"
	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/preflight"
)

// sent counts the gRPC requests of like's type that reached the fake.
func (f *fakeEngine) sent(like proto.Message) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.grpcReqs {
		if r.ProtoReflect().Descriptor() == like.ProtoReflect().Descriptor() {
			n++
		}
	}
	return n
}

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

func TestTaskActionsUseREST(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	ctx := ctxTimeout(t, 5*time.Second)
	if err := c.Cancel(ctx, tid(1), tid(2)); err != nil {
		t.Fatal(err)
	}
	want := "POST /api/v1/stable/tenants/" + testTenant + `/tasks/cancel {"externalIds":["` + tid(1) + `","` + tid(2) + `"]}`
	if got := f.lastPost(); got != want {
		t.Errorf("cancel sent\n %s\nwant\n %s", got, want)
	}
	if err := c.Replay(ctx, tid(3)); err != nil {
		t.Fatal(err)
	}
	if got := f.lastPost(); !strings.Contains(got, "/tasks/replay") || !strings.Contains(got, tid(3)) {
		t.Errorf("replay sent %s", got)
	}
	branch, err := c.Branch(ctx, tid(1), 3, 1)
	if err != nil || branch != 2 {
		t.Fatalf("branch: %d, %v", branch, err)
	}
	if got := f.lastPost(); !strings.Contains(got, "/durable-tasks/branch") || !strings.Contains(got, `"nodeId":3`) || !strings.Contains(got, `"branchId":1`) {
		t.Errorf("branch sent %s", got)
	}
	if err := c.RestoreEvicted(ctx, tid(2)); err != nil {
		t.Fatal(err)
	}
	if got := f.lastPost(); got != "POST /api/v1/stable/tasks/"+tid(2)+"/restore " {
		t.Errorf("restore sent %q", got)
	}
	if err := c.Cancel(ctx, "not-a-uuid"); err == nil {
		t.Error("a bad id was sent")
	}
}

// In read-only mode no change leaves the process: the methods refuse, and
// so do the transports when called around them.
func TestReadOnlySendsNoChange(t *testing.T) {
	f := newFakeEngine(t, testToken())
	cfg, err := LoadConfig(ConfigInput{Getenv: f.env()})
	if err != nil {
		t.Fatal(err)
	}
	cfg.ReadOnly = true
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := ctxTimeout(t, 5*time.Second)
	_, e1 := c.PushEvent(ctx, Event{Key: "k"})
	_, e2 := c.RefreshTimeout(ctx, tid(1), time.Minute)
	_, e3 := c.Branch(ctx, tid(1), 1, 1)
	for _, err := range []error{e1, e2, e3, c.Cancel(ctx, tid(1)), c.Replay(ctx, tid(1)), c.RestoreEvicted(ctx, tid(1))} {
		if !errors.Is(err, ErrReadOnly) || !strings.Contains(err.Error(), "nothing was sent") {
			t.Errorf("want ErrReadOnly, got %v", err)
		}
	}
	// Behind the methods, the transports refuse too.
	_, err = c.events.Push(ctx, &eventspb.PushEventRequest{Key: "k", Payload: "{}"})
	if !errors.Is(err, ErrReadOnly) {
		t.Errorf("gRPC push through the connection: %v", err)
	}
	resp, err := c.api.V1TaskRestoreWithResponse(ctx, uuid.MustParse(tid(1)))
	if !errors.Is(err, ErrReadOnly) {
		t.Errorf("REST restore through the HTTP client: %v %v", resp, err)
	}
	f.mu.Lock()
	posts, reqs := len(f.posts), len(f.grpcReqs)
	f.mu.Unlock()
	if posts != 0 || reqs != 0 {
		t.Errorf("%d REST and %d gRPC changes reached the engine", posts, reqs)
	}
	// Reads still work.
	if _, err := c.Version(ctx); err != nil {
		t.Errorf("version in read-only mode: %v", err)
	}
	if _, err := c.ListActive(ctx, time.Now().Add(-time.Hour)); err != nil {
		t.Errorf("list in read-only mode: %v", err)
	}
}

func TestActionsRejectedToken(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil, envToken, jwt(map[string]any{"sub": testTenant}))
	ctx := ctxTimeout(t, 5*time.Second)
	_, e1 := c.RefreshTimeout(ctx, tid(1), time.Minute)
	_, e2 := c.PushEvent(ctx, Event{Key: "k"})
	for _, err := range []error{e1, e2} {
		if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), f.grpcAdr) {
			t.Errorf("want ErrUnauthorized naming the address, got %v", err)
		}
	}
	for _, err := range []error{c.Cancel(ctx, tid(1)), c.RestoreEvicted(ctx, tid(1))} {
		if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), f.api.URL) {
			t.Errorf("want ErrUnauthorized naming the address, got %v", err)
		}
	}
}

func TestTaskState(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	ctx := ctxTimeout(t, 5*time.Second)
	cases := map[string]struct {
		status  durable.Status
		evicted bool
	}{
		tid(2):  {durable.StatusRunning, true},
		tid(4):  {durable.StatusQueued, false},
		tid(10): {durable.StatusCompleted, false},
	}
	for id, want := range cases {
		got, err := c.TaskState(ctx, id)
		if err != nil || got.ID != id || got.Status != want.status || got.Evicted != want.evicted || got.Name == "" {
			t.Errorf("%s: %+v, %v; want %s evicted=%v", id, got, err, want.status, want.evicted)
		}
	}
	if _, err := c.TaskState(ctx, tid(99)); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown task: %v", err)
	}
	if f.count("task:"+tid(2)) != 1 {
		t.Errorf("v1-task:get asked %d times", f.count("task:"+tid(2)))
	}
}

// What the engine would refuse or silently mangle is refused before
// anything is sent, with the reason.
func TestPushEventRefusesWhatTheEngineWouldNotTake(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	ctx := ctxTimeout(t, 5*time.Second)
	big := `{"pad":"` + strings.Repeat("x", preflight.MaxPayload-10) + `"}`
	cases := map[string]Event{
		"control character (\\x1b at byte 3)": {Key: "pay\x1b[2Jment"},
		"contains a space":                    {Key: "a key"},
		"scope contains a control character":  {Key: "k", Scope: "s\x07"},
		"over the engine's":                   {Key: "k", Payload: []byte(`{"pad":"` + strings.Repeat("x", preflight.MaxPayload) + `"}`)},
		"the message is 4.0 MiB":              {Key: strings.Repeat("k", 64), Payload: []byte(big)},
		"\\u0000":                             {Key: "k", Payload: []byte(`{"a":"\u0000"}`)},
	}
	for want, e := range cases {
		_, err := c.PushEvent(ctx, e)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.40q: %v, want %q", e.Key, err, want)
		}
	}
	if n := f.sent(&eventspb.PushEventRequest{}); n != 0 {
		t.Errorf("%d pushes reached the engine", n)
	}
}

func TestRefreshTimeoutIsCapped(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	_, err := c.RefreshTimeout(ctxTimeout(t, 5*time.Second), tid(3), 999999*time.Hour)
	if err == nil || !strings.Contains(err.Error(), "cap of 24h") {
		t.Errorf("999999h: %v", err)
	}
	if n := f.sent(&dispatcherpb.RefreshTimeoutRequest{}); n != 0 {
		t.Errorf("%d refreshes reached the engine", n)
	}
}
