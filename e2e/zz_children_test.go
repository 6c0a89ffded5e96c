package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A durable task that spawns a child on the real stack: its detail lists
// the child with its status, its own wait label and countdown, and the
// parent's wait on it; enter opens the child, which names its parent, p
// comes back; the child's finish shows as completed and the wait as done.
func TestChildrenOfADurableTask(t *testing.T) {
	requireStack(t)
	tag := fmt.Sprintf("kid%d", time.Now().UnixNano()%1e6)
	label := "children e2e nap " + tag
	parent := trigger(t, "spawn-child", map[string]any{"sleep": "75s", "label": label})
	t.Cleanup(func() { cancelRuns(t, map[string]bool{parent: true}) })

	// Ground truth, apart from hatchtop's client: the parent's RUN entry
	// and the run list by parent task.
	var child string
	eventually(t, 60*time.Second, func() (bool, string) {
		var list struct {
			Rows []struct {
				Metadata struct {
					ID string `json:"id"`
				} `json:"metadata"`
				DisplayName string `json:"displayName"`
				Status      string `json:"status"`
			} `json:"rows"`
		}
		q := url.Values{"since": {time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}, "only_tasks": {"false"},
			"parent_task_external_id": {parent}}
		restGet(t, fmt.Sprintf("/api/v1/stable/tenants/%s/workflow-runs?%s", env.stack.TenantID, q.Encode()), &list)
		if len(list.Rows) != 1 {
			return false, fmt.Sprintf("%d children listed", len(list.Rows))
		}
		child = list.Rows[0].Metadata.ID
		t.Logf("run list by parent: %+v", list.Rows)
		return true, ""
	})
	t.Cleanup(func() { cancelRuns(t, map[string]bool{child: true}) })
	var raw []json.RawMessage
	restGet(t, fmt.Sprintf("/api/v1/stable/tenants/%s/durable-tasks/%s", env.stack.TenantID, parent), &raw)
	for _, e := range raw {
		t.Logf("parent's event log entry: %s", e)
	}
	var task struct {
		ParentTaskExternalID string `json:"parentTaskExternalId"`
	}
	restGet(t, "/api/v1/stable/tasks/"+child, &task)
	if task.ParentTaskExternalID != parent {
		t.Fatalf("the child's parentTaskExternalId is %q, want %q", task.ParentTaskExternalID, parent)
	}

	tm := startTerm(t, 200, 60, "--refresh", "1s")
	tm.waitScreen(30*time.Second, "the parent on the list", func(s string) bool { return strings.Contains(s, "spawn-child") })
	tm.keys("/")
	tm.waitScreen(5*time.Second, "the filter prompt", func(s string) bool { return strings.Contains(s, "keep filter") })
	tm.keys("spawn-child", "Enter")
	tm.waitScreen(30*time.Second, "the parent alone on the list", func(s string) bool {
		return strings.Contains(s, "spawn-child") && !strings.Contains(s, label)
	})
	opened := time.Now()
	tm.keys("Enter")
	screen := tm.waitScreen(30*time.Second, "the child in the parent's detail", func(s string) bool {
		return strings.Contains(lineWith(s, "· "+child), "sleep-labelled")
	})
	t.Logf("the child on screen %s after enter:\n%s", time.Since(opened).Round(time.Millisecond), screen)
	if l := lineWith(screen, "· "+child); !strings.Contains(l, "running") && !strings.Contains(l, "evicted") {
		t.Errorf("the child is not shown active: %q", l)
	}
	if !strings.Contains(screen, "("+child+") ") {
		t.Errorf("the open wait does not name the child:\n%s", screen)
	}
	if l := lineWith(screen, "· "+child); !strings.Contains(l, "waited on for") {
		t.Errorf("the child's line lacks the parent's wait on it: %q", l)
	}
	// Its own wait comes from its row's log, read at the list's pace for a
	// row off screen (the filter hides it).
	screen = tm.waitScreen(60*time.Second, "the child's own wait and countdown", func(s string) bool {
		return strings.Contains(lineWith(s, "· "+child), "its wait \""+label+"\"")
	})
	t.Logf("the child's line: %q", lineWith(screen, "· "+child))

	tm.keys("Enter")
	screen = tm.waitScreen(30*time.Second, "the child's detail naming its parent", func(s string) bool {
		return strings.Contains(lineWith(s, "task id"), child) && strings.Contains(lineWith(s, "parent task"), parent)
	})
	if !strings.Contains(screen, "p open parent") {
		t.Errorf("no parent key in the footer:\n%s", screen)
	}
	tm.keys("p")
	tm.waitScreen(15*time.Second, "back on the parent's detail", func(s string) bool {
		return strings.Contains(lineWith(s, "task id"), parent)
	})

	// The child's finish: the parent's RUN entry is satisfied, the
	// children are read again.
	screen = tm.waitScreen(120*time.Second, "the child completed", func(s string) bool {
		return strings.Contains(lineWith(s, "· "+child), "completed")
	})
	t.Logf("after the child's finish:\n%s", screen)
	if l := lineWith(screen, "· "+child); !strings.Contains(l, "wait done") && !strings.Contains(l, "wait over: the child finished") {
		t.Errorf("the parent's wait on the finished child: %q", l)
	}
}
