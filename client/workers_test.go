package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/engine"
)

// workersBody is a worker:list answer of v0.105.0's shape: one TS worker
// with both slot types, one with no slot config and no heartbeat.
const workersBody = `{"pagination":{"current_page":1,"next_page":1,"num_pages":1},"rows":[
 {"metadata":{"id":"6f1c2a9e-0000-4000-8000-000000000001","createdAt":"2026-11-23T11:00:00Z","updatedAt":"2026-11-23T11:59:58Z"},
  "name":"hatchtop-e2e","type":"SELFHOSTED","status":"ACTIVE","lastHeartbeatAt":"2026-11-23T11:59:58Z",
  "actions":["wf:sleep","wf:wait"],
  "slotConfig":{"default":{"available":3,"limit":5},"durable":{"available":999,"limit":1000}}},
 {"metadata":{"id":"6f1c2a9e-0000-4000-8000-000000000002","createdAt":"2026-11-23T11:00:00Z","updatedAt":"2026-11-23T11:00:00Z"},
  "name":"old","type":"SELFHOSTED","status":"INACTIVE","slotConfig":{"default":{"limit":2}}}]}`

func workersServer(t *testing.T, code int, contentType, body string) (*Client, *string) {
	t.Helper()
	var asked string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = r.Method + " " + r.URL.Path + "?" + r.URL.RawQuery
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(code)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return dialFake(t, newFakeEngine(t, testToken()), nil, envServerURL, srv.URL), &asked
}

func TestWorkersAnswer(t *testing.T) {
	c, asked := workersServer(t, 200, "application/json", workersBody)
	got, err := c.Workers(ctxTimeout(t, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(*asked, "GET /api/v1/tenants/"+c.tenant.String()+"/worker?") || !strings.Contains(*asked, "limit=200") {
		t.Errorf("asked %q", *asked)
	}
	if len(got) != 2 {
		t.Fatalf("got %d workers, want 2: %+v", len(got), got)
	}
	w := got[0]
	if w.Name != "hatchtop-e2e" || w.Status != "ACTIVE" || w.ID != "6f1c2a9e-0000-4000-8000-000000000001" ||
		!w.LastHeartbeatAt.Equal(time.Date(2026, 11, 23, 11, 59, 58, 0, time.UTC)) || len(w.Actions) != 2 {
		t.Errorf("worker 0: %+v", w)
	}
	if s := w.Slots[engine.SlotDefault]; s.Limit != 5 || s.Used() != 2 {
		t.Errorf("default slots %+v, used %d", s, s.Used())
	}
	if s := w.Slots[engine.SlotDurable]; s.Limit != 1000 || s.Used() != 1 {
		t.Errorf("durable slots %+v", s)
	}
	old := got[1]
	if !old.LastHeartbeatAt.IsZero() || old.Actions != nil || old.Slots[engine.SlotDefault].Used() != -1 {
		t.Errorf("worker 1: %+v", old)
	}
}

// A refusal is one line naming what was refused; garbage is an error,
// never a half-read list.
func TestWorkersRefusedOrGarbage(t *testing.T) {
	cases := []struct {
		name, contentType, body string
		code                    int
		want                    string
		sentinel                error
	}{
		{"forbidden", "application/json", `{"errors":[{"description":"forbidden"}]}`, 403, "rejected the token (HTTP 403: forbidden)", ErrUnauthorized},
		{"not found", "text/plain", "404 page not found", 404, "the workers not found", ErrNotFound},
		{"server error", "application/json", `{"errors":[{"description":"could not list worker slot config"}]}`, 500,
			"HTTP 500: could not list worker slot config", nil},
		{"garbage", "application/json", `{"rows": "many"}`, 200, "JSON we cannot read", nil},
		{"html", "text/html", `<html>web ui</html>`, 200, "not JSON", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := workersServer(t, tc.code, tc.contentType, tc.body)
			got, err := c.Workers(ctxTimeout(t, 5*time.Second))
			if err == nil || got != nil {
				t.Fatalf("got %v, %v; want an error", got, err)
			}
			if !strings.HasPrefix(err.Error(), "list workers: ") || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q, want one line with %q", err, tc.want)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("%v is not %v", err, tc.sentinel)
			}
			assertNoToken(t, err, testToken())
		})
	}
}

// The worker list is a read: read-only mode lets it through.
func TestWorkersReadOnly(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(workersBody))
	}))
	t.Cleanup(srv.Close)
	cfg, err := LoadConfig(ConfigInput{Getenv: newFakeEngine(t, testToken()).env(envServerURL, srv.URL), Home: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	cfg.ReadOnly = true
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if got, err := c.Workers(ctxTimeout(t, 5*time.Second)); err != nil || len(got) != 2 {
		t.Errorf("read-only worker list: %d workers, %v", len(got), err)
	}
}
