package client

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/engine"
)

// childrenBody is a run list of v0.105.0's shape (only_tasks=false): two
// standalone children, the later one first.
const childrenBody = `{"pagination":{"current_page":1,"num_pages":1},"rows":[
 {"metadata":{"id":"6f1c2a9e-0000-4000-8000-0000000000c2","createdAt":"2026-11-23T11:58:00Z","updatedAt":"2026-11-23T11:58:00Z"},
  "taskExternalId":"6f1c2a9e-0000-4000-8000-0000000000c2","workflowRunExternalId":"6f1c2a9e-0000-4000-8000-0000000000c2",
  "displayName":"nap","workflowName":"nap","status":"RUNNING","createdAt":"2026-11-23T11:58:00Z"},
 {"metadata":{"id":"6f1c2a9e-0000-4000-8000-0000000000c1","createdAt":"2026-11-23T11:57:00Z","updatedAt":"2026-11-23T11:57:30Z"},
  "taskExternalId":"6f1c2a9e-0000-4000-8000-0000000000c1","workflowRunExternalId":"6f1c2a9e-0000-4000-8000-0000000000c1",
  "displayName":"charge","workflowName":"charge","status":"COMPLETED","createdAt":"2026-11-23T11:57:00Z"}]}`

func TestChildrenAnswer(t *testing.T) {
	c, asked := workersServer(t, 200, "application/json", childrenBody)
	parent := "6f1c2a9e-0000-4000-8000-0000000000a1"
	got, err := c.Children(ctxTimeout(t, 5*time.Second), parent, time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/workflow-runs?", "parent_task_external_id=" + parent, "only_tasks=false", "include_payloads=false"} {
		if !strings.Contains(*asked, want) {
			t.Errorf("asked %q, lacks %q", *asked, want)
		}
	}
	if len(got) != 2 || got[0].Name != "charge" || got[1].Name != "nap" || got[1].ID != "6f1c2a9e-0000-4000-8000-0000000000c2" ||
		got[0].Status != "COMPLETED" {
		t.Errorf("got %+v, want charge then nap", got)
	}
}

func TestChildrenRefused(t *testing.T) {
	c, _ := workersServer(t, 403, "application/json", `{"errors":[{"description":"forbidden"}]}`)
	_, err := c.Children(ctxTimeout(t, 5*time.Second), "6f1c2a9e-0000-4000-8000-0000000000a1", time.Now())
	if !errors.Is(err, engine.ErrUnauthorized) {
		t.Errorf("err %v, want ErrUnauthorized", err)
	}
	if _, err := c.Children(ctxTimeout(t, 5*time.Second), "not-a-uuid", time.Now()); err == nil {
		t.Error("a malformed id was sent")
	}
}
