package stack

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// A second tenant on the running stack has its own token, which sees none
// of the first tenant's runs, and may not read the first tenant at all;
// a run triggered there stays QUEUED, as the worker serves the first
// tenant only.
func TestNewTenantE2E(t *testing.T) {
	if os.Getenv("HATCHTOP_E2E") != "1" {
		t.Skip("real-engine test: set HATCHTOP_E2E=1 (needs Postgres 15, Node 20 and the engine build from harness/engine)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	since := time.Now().Add(-time.Minute)
	s, err := Start(ctx, Options{Worker: true, Progress: testWriter{t}, KeepDir: os.Getenv("HATCHTOP_E2E_KEEP") == "1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	apiA := restClient{base: s.APIURL, tenant: s.TenantID, token: s.Token}

	runA, err := s.Trigger(ctx, "sleep-labelled", map[string]string{"sleep": "10m", "label": "tenant a nap"})
	if err != nil {
		t.Fatal(err)
	}
	waitRunning(ctx, t, apiA, runA, since)

	t0 := time.Now()
	b, err := s.NewTenant(ctx, "beta")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tenant %s (%s) made in %s", b.Name, b.ID, time.Since(t0).Round(100*time.Millisecond))
	if b.ID == s.TenantID || b.Token == s.Token {
		t.Fatalf("new tenant %+v shares the first tenant's id or token", b)
	}
	apiB := restClient{base: s.APIURL, tenant: b.ID, token: b.Token}

	if rows := listTasks(ctx, t, apiB, since); len(rows) != 0 {
		t.Errorf("the new tenant lists %d tasks before any trigger, want 0: %+v", len(rows), rows)
	}
	// Each token is refused the other tenant's list.
	for _, c := range []struct {
		who string
		api restClient
	}{
		{"B's token on tenant A", restClient{base: s.APIURL, tenant: s.TenantID, token: b.Token}},
		{"A's token on tenant B", restClient{base: s.APIURL, tenant: b.ID, token: s.Token}},
	} {
		var list struct{ Rows []taskSummary }
		err := c.api.get(ctx, tasksPath(c.api.tenant, since), &list)
		if err == nil {
			t.Errorf("%s: listed %d tasks, want a refusal", c.who, len(list.Rows))
		} else {
			t.Logf("%s: %v", c.who, err)
		}
	}

	t0 = time.Now()
	runB, err := s.TriggerAs(ctx, b.Token, "sleep-labelled", map[string]string{"sleep": "10m", "label": "tenant b nap"})
	if err != nil {
		t.Fatal(err)
	}
	var rowB taskSummary
	poll(ctx, t, "run "+runB+" QUEUED in tenant B", func() (bool, error) {
		for _, row := range listTasks(ctx, t, apiB, since) {
			if row.WorkflowRunExternalID == runB {
				rowB = row
				return row.Status == "QUEUED", fmt.Errorf("status %s", row.Status)
			}
		}
		return false, errors.New("not listed")
	})
	t.Logf("tenant B's run listed QUEUED %s after the trigger", time.Since(t0).Round(100*time.Millisecond))
	rowsB := listTasks(ctx, t, apiB, since)
	if len(rowsB) != 1 {
		t.Errorf("tenant B lists %d tasks, want only its own run: %+v", len(rowsB), rowsB)
	}
	for _, row := range listTasks(ctx, t, apiA, since) {
		if row.WorkflowRunExternalID == runB {
			t.Errorf("tenant A lists tenant B's run %s", runB)
		}
	}
	// Tenant A's worker must not take it: still QUEUED once A's worker has
	// had time to pick up anything of its own (a fresh run of A starts).
	runA2, err := s.Trigger(ctx, "sleep-labelled", map[string]string{"sleep": "10m", "label": "tenant a second nap"})
	if err != nil {
		t.Fatal(err)
	}
	waitRunning(ctx, t, apiA, runA2, since)
	if d := getTask(ctx, t, apiB, rowB.TaskExternalID); d.Status != "QUEUED" {
		t.Errorf("tenant B's run is %s with no worker of its own, want QUEUED", d.Status)
	}

	if _, err := s.NewTenant(ctx, "beta"); err == nil {
		t.Error("a second tenant named beta was made, want an error")
	} else {
		t.Logf("second beta: %v", firstLine(err.Error()))
	}
	if _, err := s.NewTenant(ctx, "Not A Slug"); err == nil {
		t.Error("a tenant named \"Not A Slug\" was made, want an error")
	}
}

func tasksPath(tenant string, since time.Time) string {
	return fmt.Sprintf("/api/v1/stable/tenants/%s/workflow-runs?only_tasks=true&since=%s",
		tenant, url.QueryEscape(since.UTC().Format(time.RFC3339)))
}

func listTasks(ctx context.Context, t *testing.T, c restClient, since time.Time) []taskSummary {
	t.Helper()
	var list struct{ Rows []taskSummary }
	if err := c.get(ctx, tasksPath(c.tenant, since), &list); err != nil {
		t.Fatal(err)
	}
	return list.Rows
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
