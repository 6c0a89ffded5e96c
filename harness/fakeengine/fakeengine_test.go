package fakeengine

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func start(t *testing.T, n int) *Server {
	t.Helper()
	s, err := Start(Workload{Tasks: n, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// The real client reads the workload whole: every task once, durable,
// with its open wait (1 h sleep or event), its config and its events, and
// each REST call is counted under its route.
func TestRealClientReadsTheWorkload(t *testing.T) {
	s := start(t, 450)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := s.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if v, err := c.Version(ctx); err != nil || v != Version {
		t.Fatalf("version %q, %v", v, err)
	}
	tasks, err := c.ListActive(ctx, now.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 450 {
		t.Fatalf("listed %d tasks, want 450", len(tasks))
	}
	seen := map[string]bool{}
	for i, tk := range tasks {
		if seen[tk.ID] {
			t.Fatalf("task %s listed twice", tk.ID)
		}
		seen[tk.ID] = true
		if !tk.Durable || tk.Status != durable.StatusRunning {
			t.Fatalf("task %d: durable %v status %s", i, tk.Durable, tk.Status)
		}
		if i > 0 && tk.CreatedAt.After(tasks[i-1].CreatedAt) {
			t.Fatalf("task %d is newer than the one before", i)
		}
	}
	got := s.Counts()
	// 450 rows at the client's 200 a page; one task fetch per workflow
	// version for durability.
	if got[RouteList] != 3 || got[RouteTask] != 2 {
		t.Fatalf("counts after the list: %v", got)
	}

	var sleeper, waiter string
	for _, tk := range s.Tasks() {
		if tk.EventWait && waiter == "" {
			waiter = tk.ID
		} else if !tk.EventWait && sleeper == "" {
			sleeper = tk.ID
		}
	}
	for id, want := range map[string]durable.ConditionKind{sleeper: durable.CondSleep, waiter: durable.CondEvent} {
		entries, err := c.EventLog(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		waits := durable.OpenWaits(entries)
		if len(waits) != 1 || waits[0].Label == "" {
			t.Fatalf("%s: open waits %+v", id, waits)
		}
		if k := entries[0].Conditions[0].Kind; k != want {
			t.Fatalf("%s: wait on %s, want %s", id, k, want)
		}
		cfg, err := c.TaskConfig(ctx, id)
		if err != nil || cfg.Timeout != 24*time.Hour {
			t.Fatalf("%s: config %+v, %v", id, cfg, err)
		}
		events, err := c.TaskEvents(ctx, id)
		if err != nil || len(events) != 3 || events[0].Type != durable.EventStarted {
			t.Fatalf("%s: events %+v, %v", id, events, err)
		}
		if _, err := c.TaskDetail(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, err := c.LogLines(ctx, id, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Counts(); got[RouteEventLog] != 2 || got[RouteTaskEvents] != 4 || got[RouteLogLines] != 2 || got[GRPCVersion] != 1 {
		t.Fatalf("counts: %v", got)
	}
	if s.REST() != 3+2+2+2+2+4+2 {
		t.Fatalf("REST total %d, counts %v", s.REST(), s.Counts())
	}
	workers, err := c.Workers(ctx)
	if err != nil || len(workers) != 1 || len(workers[0].Actions) != 2 || workers[0].Slots["durable"].Limit != 1000 || s.Counts()[RouteWorkers] != 1 {
		t.Fatalf("workers %+v, %v, counts %v", workers, err, s.Counts())
	}
}

// The list serves the query's window: since and until on creation time,
// statuses, limit and offset, and the ascending order on request.
func TestListWindow(t *testing.T) {
	s := start(t, 100)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := s.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Tasks span the 40 minutes before now; the last 10 minutes hold a quarter.
	tasks, err := c.ListActive(ctx, now.Add(-10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(tasks); n < 20 || n > 30 {
		t.Fatalf("%d tasks in the last 10 minutes, want about 25", n)
	}
	for _, tk := range tasks {
		if tk.CreatedAt.Before(now.Add(-10 * time.Minute)) {
			t.Fatalf("task %s created %s is before since", tk.ID, tk.CreatedAt)
		}
	}
}

// The list's query parameters as the engine reads them: since and until
// both inclusive, statuses, workflow ids, limit and offset, newest first.
func TestListQueryParameters(t *testing.T) {
	s := start(t, 30)
	all := s.Tasks()
	get := func(q url.Values) (rows []string, pages int) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/stable/tenants/"+Tenant+"/workflow-runs?"+q.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+s.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Pagination struct {
				NumPages int `json:"num_pages"`
			} `json:"pagination"`
			Rows []struct {
				TaskExternalID string `json:"taskExternalId"`
			} `json:"rows"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatalf("HTTP %d: %v", resp.StatusCode, err)
		}
		for _, r := range body.Rows {
			rows = append(rows, r.TaskExternalID)
		}
		return rows, body.Pagination.NumPages
	}
	ts := func(tm time.Time) string { return tm.Format(time.RFC3339Nano) }
	q := url.Values{"since": {ts(all[20].CreatedAt)}, "until": {ts(all[5].CreatedAt)}, "only_tasks": {"true"},
		"statuses": {"QUEUED", "RUNNING"}, "limit": {"10"}, "offset": {"5"}}
	rows, pages := get(q)
	// Tasks 5..20 match (both ends inclusive): 16, two pages of 10; the
	// second page from offset 5 holds tasks 10..19.
	if pages != 2 || len(rows) != 10 || rows[0] != all[10].ID || rows[9] != all[19].ID {
		t.Fatalf("pages %d, rows %v", pages, rows)
	}
	q.Set("statuses", "QUEUED")
	if rows, _ := get(q); len(rows) != 0 {
		t.Fatalf("no task is queued, got %d rows", len(rows))
	}
	q = url.Values{"since": {ts(now.Add(-time.Hour))}, "workflow_ids": {waiter.id}, "limit": {"100"}}
	rows, _ = get(q)
	if len(rows) != 3 { // tasks 9, 19 and 29
		t.Fatalf("event waits: %v", rows)
	}
	if rows, _ := get(url.Values{"limit": {"1"}}); rows != nil {
		t.Fatalf("a list without since answered rows: %v", rows)
	}
}
