package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// The label carries an OSC title sequence and colour escapes: the engine
// must hand it back byte for byte (neutralising it is the dashboard's job).
const hostileLabel = "\u001b]0;pwned\u0007\u001b[31mred label\u001b[0m"

func TestStackE2E(t *testing.T) {
	if os.Getenv("HATCHTOP_E2E") != "1" {
		t.Skip("real-engine test: set HATCHTOP_E2E=1 (needs Postgres 15, Node 20 and the engine build from harness/engine)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()

	since := time.Now().Add(-time.Minute)
	// HATCHTOP_E2E_KEEP=1 keeps the stack directory and logs for debugging.
	keep := os.Getenv("HATCHTOP_E2E_KEEP") == "1"
	s, err := Start(ctx, Options{Worker: true, Progress: testWriter{t}, KeepDir: keep})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	api := restClient{base: s.APIURL, tenant: s.TenantID, token: s.Token}

	runID, err := s.Trigger(ctx, "sleep-labelled", map[string]string{"sleep": "10m", "label": hostileLabel})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	task := waitRunning(ctx, t, api, runID, since)
	t.Logf("sleep-labelled RUNNING after %s", time.Since(t0).Round(100*time.Millisecond))
	entry := waitLabelledEntry(ctx, t, api, task.TaskExternalID)
	t.Logf("labelled entry after %s", time.Since(t0).Round(100*time.Millisecond))
	if entry.UserMessage != hostileLabel {
		t.Errorf("label = %q, want %q", entry.UserMessage, hostileLabel)
	}
	if entry.Kind != "WAIT_FOR" || len(entry.WaitData) != 1 || entry.WaitData[0].Kind != "SLEEP" ||
		entry.WaitData[0].SleepDurationMs != 600_000 {
		t.Errorf("entry = %+v, want one WAIT_FOR of a 10m SLEEP", entry)
	}

	t.Run("scoped push", func(t *testing.T) {
		runID, err := s.Trigger(ctx, "scoped-wait", map[string]string{"key": "order:shipped", "scope": "tenant-a"})
		if err != nil {
			t.Fatal(err)
		}
		task := waitRunning(ctx, t, api, runID, since)
		waitLabelledEntry(ctx, t, api, task.TaskExternalID)
		// Neither an unscoped event nor one of another scope may satisfy it.
		if err := s.PushEvent(ctx, "order:shipped", map[string]int{"n": 1}); err != nil {
			t.Fatal(err)
		}
		if err := s.PushEvent(ctx, "order:shipped", map[string]int{"n": 2}, WithScope("tenant-b")); err != nil {
			t.Fatal(err)
		}
		// A negative: for three seconds the wait must stay open. (The task
		// may be briefly requeued meanwhile; its wait is what matters.)
		path := fmt.Sprintf("/api/v1/stable/tenants/%s/durable-tasks/%s", api.tenant, task.TaskExternalID)
		for held := time.Now().Add(3 * time.Second); time.Now().Before(held); {
			var entries []struct {
				IsSatisfied bool `json:"isSatisfied"`
			}
			if err := api.get(ctx, path, &entries); err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 || entries[0].IsSatisfied {
				t.Fatalf("after pushes with the wrong scope the wait is %+v, want one open wait", entries)
			}
			if d := getTask(ctx, t, api, task.TaskExternalID); d.Status == "COMPLETED" {
				t.Fatal("a push with the wrong scope completed the task")
			}
			time.Sleep(250 * time.Millisecond) // sampling a window, not synchronising
		}
		if err := s.PushEvent(ctx, "order:shipped", map[string]int{"n": 3}, WithScope("tenant-a")); err != nil {
			t.Fatal(err)
		}
		waitTask(ctx, t, api, task.TaskExternalID, "COMPLETED", func(d taskDetail) bool { return d.Status == "COMPLETED" })
	})

	t.Run("eviction", func(t *testing.T) {
		runID, err := s.Trigger(ctx, "evictable-wait", map[string]string{"key": "evict:stack-test"})
		if err != nil {
			t.Fatal(err)
		}
		task := waitRunning(ctx, t, api, runID, since)
		t0 := time.Now()
		waitTask(ctx, t, api, task.TaskExternalID, "evicted", func(d taskDetail) bool { return d.IsEvicted })
		t.Logf("evicted %s after it was seen RUNNING", time.Since(t0).Round(100*time.Millisecond))
		if err := s.PushEvent(ctx, "evict:stack-test", map[string]bool{"wake": true}); err != nil {
			t.Fatal(err)
		}
		waitTask(ctx, t, api, task.TaskExternalID, "COMPLETED", func(d taskDetail) bool { return d.Status == "COMPLETED" })
	})

	t.Run("engine restart", func(t *testing.T) {
		t0 := time.Now()
		s.StopEngine()
		t.Logf("engine stopped in %s", time.Since(t0).Round(100*time.Millisecond))
		if err := s.StartEngine(ctx); err != nil {
			t.Fatal(err)
		}
		t0 = time.Now()
		// The worker must reconnect on its own to pick up a new run.
		runID, err := s.Trigger(ctx, "sleep-unlabelled", map[string]string{"sleep": "10m"})
		if err != nil {
			t.Fatal(err)
		}
		// hatchet-lite exits on SIGTERM without releasing its scheduler
		// partition, so the new engine schedules nothing until the old
		// partition's heartbeat is a minute old: expect about 60s here.
		waitRunning(ctx, t, api, runID, since)
		t.Logf("new run RUNNING %s after the restart", time.Since(t0).Round(100*time.Millisecond))
		var first struct{ Status string }
		if err := api.get(ctx, "/api/v1/stable/tasks/"+task.TaskExternalID, &first); err == nil {
			t.Logf("the run that slept across the restart is %s", first.Status)
		}
	})

	t0 = time.Now()
	if err := s.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	t.Logf("stopped in %s", time.Since(t0).Round(100*time.Millisecond))
	if left := s.Leftovers(); len(left) > 0 {
		t.Errorf("processes left after Stop: %v", left)
	}
	if _, err := os.Stat(s.Dir); !keep && !os.IsNotExist(err) {
		t.Errorf("stack dir %s still exists (%v)", s.Dir, err)
	}
}

// taskSummary and logEntry hold the fields of the REST rows the test reads.
type taskSummary struct {
	Status                string `json:"status"`
	TaskExternalID        string `json:"taskExternalId"`
	WorkflowRunExternalID string `json:"workflowRunExternalId"`
}

type logEntry struct {
	Kind        string `json:"kind"`
	UserMessage string `json:"userMessage"`
	WaitData    []struct {
		Kind            string `json:"kind"`
		SleepDurationMs int64  `json:"sleepDurationMs"`
	} `json:"waitData"`
}

// taskDetail holds the fields of GET /api/v1/stable/tasks/{id} the test reads.
type taskDetail struct {
	Status    string `json:"status"`
	IsEvicted bool   `json:"isEvicted"`
}

func getTask(ctx context.Context, t *testing.T, c restClient, taskID string) taskDetail {
	t.Helper()
	var d taskDetail
	if err := c.get(ctx, "/api/v1/stable/tasks/"+taskID, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// waitTask polls the task until ok holds.
func waitTask(ctx context.Context, t *testing.T, c restClient, taskID, what string, ok func(taskDetail) bool) {
	t.Helper()
	poll(ctx, t, "task "+taskID+" "+what, func() (bool, error) {
		var d taskDetail
		if err := c.get(ctx, "/api/v1/stable/tasks/"+taskID, &d); err != nil {
			return false, err
		}
		return ok(d), fmt.Errorf("status %s, evicted %t", d.Status, d.IsEvicted)
	})
}

type restClient struct{ base, tenant, token string }

func (c restClient) get(ctx context.Context, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// waitRunning polls the task list until the run's task is RUNNING.
func waitRunning(ctx context.Context, t *testing.T, c restClient, runID string, since time.Time) taskSummary {
	t.Helper()
	path := fmt.Sprintf("/api/v1/stable/tenants/%s/workflow-runs?only_tasks=true&since=%s",
		c.tenant, url.QueryEscape(since.UTC().Format(time.RFC3339)))
	var found taskSummary
	poll(ctx, t, "task of run "+runID+" RUNNING", func() (bool, error) {
		var list struct{ Rows []taskSummary }
		if err := c.get(ctx, path, &list); err != nil {
			return false, err
		}
		for _, row := range list.Rows {
			if row.WorkflowRunExternalID == runID || row.TaskExternalID == runID {
				found = row
				return row.Status == "RUNNING", fmt.Errorf("status %s", row.Status)
			}
		}
		return false, fmt.Errorf("run not listed among %d rows", len(list.Rows))
	})
	return found
}

// waitLabelledEntry polls the durable event log until an entry has a label.
func waitLabelledEntry(ctx context.Context, t *testing.T, c restClient, taskID string) logEntry {
	t.Helper()
	path := fmt.Sprintf("/api/v1/stable/tenants/%s/durable-tasks/%s", c.tenant, taskID)
	var found logEntry
	poll(ctx, t, "labelled entry in the event log of "+taskID, func() (bool, error) {
		var entries []logEntry
		if err := c.get(ctx, path, &entries); err != nil {
			return false, err
		}
		for _, e := range entries {
			if e.UserMessage != "" {
				found = e
				return true, nil
			}
		}
		return false, fmt.Errorf("%d entries, none labelled", len(entries))
	})
	return found
}

// poll calls check every 500ms for up to two minutes, failing the test with
// the last reason check gave.
func poll(ctx context.Context, t *testing.T, what string, check func() (bool, error)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		ok, err := check()
		if ok {
			return
		}
		last = err
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v (last: %v)", what, ctx.Err(), last)
		case <-tick.C:
		}
	}
}

// testWriter sends the stack's step timings to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}
