package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/harness/stack"
)

// restTaskEvents are a task's lifecycle event types as the REST API lists
// them: the ground truth the slot test compares with.
func restTaskEvents(t *testing.T, taskID string) []string {
	t.Helper()
	var out struct {
		Rows []struct {
			EventType string `json:"eventType"`
		} `json:"rows"`
	}
	restGet(t, "/api/v1/stable/tasks/"+taskID+"/task-events?limit=500&offset=0", &out)
	var types []string
	for _, r := range out.Rows {
		types = append(types, r.EventType)
	}
	return types
}

// taskOfRun is the id of the run's task named name, from the snapshot.
func taskOfRun(t *testing.T, runID, name string) string {
	t.Helper()
	var id string
	eventually(t, 60*time.Second, func() (bool, string) {
		for _, task := range snapshot(t).Tasks {
			if task.RunID == runID && strings.HasPrefix(task.Name, name) && len(task.Waits) > 0 {
				id = task.ID
				return true, ""
			}
		}
		return false, "no waiting task " + name + " of run " + runID + " in the snapshot"
	})
	return id
}

// A durable task that calls ctx.releaseSlot() and then sleeps: the engine
// writes SLOT_RELEASED among its task events, the list marks the row
// ◐ released and the detail says "slot released".
func TestSlotsReleasedSlotOnTheRealEngine(t *testing.T) {
	requireStack(t)
	label := fmt.Sprintf("slotless %d", time.Now().UnixNano())
	runID := trigger(t, "release-then-sleep", map[string]any{"sleep": "5m", "label": label})
	taskID := taskOfRun(t, runID, "release-then-sleep")
	triggered := time.Now()
	eventually(t, 30*time.Second, func() (bool, string) {
		types := restTaskEvents(t, taskID)
		for _, ty := range types {
			if ty == "SLOT_RELEASED" {
				return true, ""
			}
		}
		return false, fmt.Sprintf("no SLOT_RELEASED among %v", types)
	})
	t.Logf("the engine lists SLOT_RELEASED (events %v)", restTaskEvents(t, taskID))
	tm := startTerm(t, 200, 50)
	s := tm.waitScreen(60*time.Second, "the row marked ◐ released", func(s string) bool {
		return strings.Contains(rowWith(s, label), "◐ released")
	})
	t.Logf("row on screen %s after the wait opened: %q", time.Since(triggered).Round(time.Millisecond), rowWith(s, label))
	tm.filterTo(label)
	tm.keys("Enter")
	s = tm.waitScreen(30*time.Second, "the detail saying slot released", func(s string) bool {
		return strings.Contains(s, "running · slot released") && strings.Contains(s, "worker slot") &&
			strings.Contains(s, "runs on without holding a slot")
	})
	t.Logf("detail: %q", lineWith(s, "worker slot"))
}

// A DAG whose middle task is skipped by its skip condition: the child of
// both sees the skipped parent marked as such in its data tab.
func TestSlotsSkippedParentOnTheRealEngine(t *testing.T) {
	requireStack(t)
	label := fmt.Sprintf("after skip %d", time.Now().UnixNano())
	runID := trigger(t, "skip-parent-dag", map[string]any{"sleep": "5m", "label": label})
	taskID := taskOfRun(t, runID, "after-skip")
	var run struct {
		Tasks []struct {
			DisplayName string         `json:"displayName"`
			Status      string         `json:"status"`
			Output      map[string]any `json:"output"`
		} `json:"tasks"`
	}
	restGet(t, "/api/v1/stable/workflow-runs/"+runID, &run)
	t.Logf("the run's tasks as the engine lists them: %+v (waiting task %s)", run.Tasks, taskID)
	tm := startTerm(t, 200, 50)
	tm.filterTo(label)
	tm.keys("Enter")
	tm.waitScreen(15*time.Second, "the detail", func(s string) bool { return strings.Contains(s, "overview") })
	tm.keys("5")
	s := tm.waitScreen(30*time.Second, "the skipped parent", func(s string) bool {
		return strings.Contains(lineWith(s, "maybe"), "skipped: its skip condition was met") && strings.Contains(s, "decide")
	})
	if strings.Contains(lineWith(s, "decide"), "skipped") {
		t.Errorf("the parent that ran is marked skipped: %q", lineWith(s, "decide"))
	}
}

// An event filter with a payload on the filtered-event workflow: the run
// the scoped event triggers shows the filter's payload in its data tab.
func TestSlotsFilterPayloadOnTheRealEngine(t *testing.T) {
	requireStack(t)
	stamp := time.Now().UnixNano()
	scope := fmt.Sprintf("slots-%d", stamp)
	var wfs struct {
		Rows []struct {
			Name     string `json:"name"`
			Metadata struct {
				ID string `json:"id"`
			} `json:"metadata"`
		} `json:"rows"`
	}
	restGet(t, "/api/v1/tenants/"+env.stack.TenantID+"/workflows?limit=200", &wfs)
	wfID := ""
	for _, w := range wfs.Rows {
		if w.Name == "filtered-event" {
			wfID = w.Metadata.ID
		}
	}
	if wfID == "" {
		t.Fatalf("no filtered-event workflow among %d", len(wfs.Rows))
	}
	// The stamp as a string: the engine keeps JSON numbers as float64.
	payload := map[string]any{"tier": "gold", "stamp": fmt.Sprint(stamp)}
	if err := apiCall(http.MethodPost, "/api/v1/stable/tenants/"+env.stack.TenantID+"/filters",
		map[string]any{"workflowId": wfID, "expression": "true", "scope": scope, "payload": payload}, nil); err != nil {
		t.Fatalf("create the filter: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := env.stack.PushEvent(ctx, "slots:filtered", map[string]any{"n": 1}, stack.WithScope(scope)); err != nil {
		t.Fatalf("push: %v", err)
	}
	tm := startTerm(t, 200, 50)
	// The task's label is its default: several runs of earlier pushes may
	// share it; the stamp in the payload tells this one apart.
	tm.filterTo("triggered through a filter")
	tm.keys("Enter")
	tm.waitScreen(15*time.Second, "the detail", func(s string) bool { return strings.Contains(s, "overview") })
	tm.keys("5")
	s := tm.waitScreen(30*time.Second, "the filter payload", func(s string) bool {
		return strings.Contains(s, "filter payload") && strings.Contains(s, fmt.Sprintf("%q", fmt.Sprint(stamp))) && strings.Contains(s, `"gold"`)
	})
	t.Logf("data tab: %q", lineWith(s, fmt.Sprint(stamp)))
}

// The same, with hatchtop open before the run starts: the row is first
// seen before the release, and is marked when its events are next read.
func TestSlotsReleasedSlotSeenLiveOnTheRealEngine(t *testing.T) {
	requireStack(t)
	tm := startTerm(t, 200, 50)
	tm.waitScreen(30*time.Second, "the list", func(s string) bool { return strings.Contains(s, "STATUS") })
	label := fmt.Sprintf("slotless live %d", time.Now().UnixNano())
	triggered := time.Now()
	trigger(t, "release-then-sleep", map[string]any{"sleep": "5m", "label": label})
	s := tm.waitScreen(30*time.Second, "the row with its label", func(s string) bool { return strings.Contains(s, label) })
	t.Logf("row with its label %s after the trigger: %q", time.Since(triggered).Round(time.Millisecond), rowWith(s, label))
	s = tm.waitScreen(60*time.Second, "the row marked ◐ released", func(s string) bool {
		return strings.Contains(rowWith(s, label), "◐ released")
	})
	t.Logf("marked %s after the trigger", time.Since(triggered).Round(time.Millisecond))
}
