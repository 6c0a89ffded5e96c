package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// trigger starts a run of one of the worker's tasks for one test.
func trigger(t *testing.T, task string, input map[string]any) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id, err := env.stack.Trigger(ctx, task, input)
	if err != nil {
		t.Fatalf("trigger %s: %v", task, err)
	}
	return id
}

// waitOpenWait waits until a task's durable log holds an open wait, so a
// push can satisfy it. (REST may read such a task as QUEUED, so its
// status says less than its log.)
func waitOpenWait(t *testing.T, taskID string) {
	t.Helper()
	eventually(t, 60*time.Second, func() (bool, string) {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/stable/tenants/%s/durable-tasks/%s", env.stack.APIURL, env.stack.TenantID, taskID), nil)
		req.Header.Set("Authorization", "Bearer "+env.stack.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false, err.Error()
		}
		defer resp.Body.Close()
		var entries []struct {
			IsSatisfied bool `json:"isSatisfied"`
		}
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&entries) != nil {
			return false, fmt.Sprintf("event log not readable yet (HTTP %d)", resp.StatusCode)
		}
		for _, e := range entries {
			if !e.IsSatisfied {
				return true, ""
			}
		}
		return false, fmt.Sprintf("no open wait among %d entries", len(entries))
	})
}

// pushEvent sends an unscoped event, as a worker's wait expects it.
func pushEvent(t *testing.T, key string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := env.stack.PushEvent(ctx, key, map[string]any{"ok": true}); err != nil {
		t.Fatalf("push %s: %v", key, err)
	}
}

// restGet decodes a GET of the engine's REST API, as ground truth
// independent of hatchtop's client.
func restGet(t *testing.T, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, env.stack.APIURL+path, nil)
	req.Header.Set("Authorization", "Bearer "+env.stack.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("decode %s (HTTP %d): %v", path, resp.StatusCode, err)
	}
}

// restTask is a task's status as the REST API reports it.
type restTask struct {
	Status    string `json:"status"`
	IsEvicted bool   `json:"isEvicted"`
}

func taskStatus(t *testing.T, id string) restTask {
	t.Helper()
	var rt restTask
	restGet(t, "/api/v1/stable/tasks/"+id, &rt)
	return rt
}

// taskEventTypes lists a task's lifecycle event types, oldest first.
func taskEventTypes(t *testing.T, id string) []string {
	t.Helper()
	var out struct {
		Rows []struct {
			EventType string `json:"eventType"`
		} `json:"rows"`
	}
	restGet(t, "/api/v1/stable/tasks/"+id+"/task-events?limit=200", &out)
	types := make([]string, 0, len(out.Rows))
	for i := len(out.Rows) - 1; i >= 0; i-- {
		types = append(types, out.Rows[i].EventType)
	}
	return types
}

// openRow filters the list down to text and opens its detail.
func (tm *term) openRow(text string) {
	tm.t.Helper()
	tm.filterTo(text)
	tm.keys("Enter")
	tm.waitScreen(10*time.Second, "the detail", func(s string) bool { return strings.Contains(s, "1 overview") })
}

// streamLine is "chunk 3 at 1795412307773" as stream-fast writes it.
var streamLine = regexp.MustCompile(`chunk (\d+) at (\d{13})`)

// The put_stream output of a running task reaches the stream pane, every
// chunk; the test prints the measured delays (a figure, not an assertion:
// a loaded machine stretches them).
func TestStreamPaneFollowsPutStream(t *testing.T) {
	requireStack(t)
	tm := startTerm(t, 160, 40, "--refresh", "1s")
	tm.waitScreen(30*time.Second, "the list", func(s string) bool { return strings.Contains(s, "● live") })
	// The worker waits before its first chunk so the feed is open by then:
	// the engine keeps no chunks for late subscribers.
	trigger(t, "stream-fast", map[string]any{"chunks": 24, "intervalMs": 250, "delayMs": 6000, "sleep": "10m", "label": "streamed then resting"})
	tm.openRow("stream-fast")
	tm.keys("3")
	seen := map[int]time.Duration{}
	deadline := time.Now().Add(45 * time.Second)
	for len(seen) < 24 && time.Now().Before(deadline) {
		screen := tm.screen()
		now := time.Now()
		for _, m := range streamLine.FindAllStringSubmatch(screen, -1) {
			n, _ := strconv.Atoi(m[1])
			ms, _ := strconv.ParseInt(m[2], 10, 64)
			if _, ok := seen[n]; !ok {
				seen[n] = now.Sub(time.UnixMilli(ms))
			}
		}
		time.Sleep(40 * time.Millisecond) // sampling the screen, not synchronising
	}
	if len(seen) < 24 {
		t.Fatalf("saw %d of 24 chunks; screen:\n%s", len(seen), tm.screen())
	}
	var delays []time.Duration
	for _, d := range seen {
		delays = append(delays, d)
	}
	slices.Sort(delays)
	median, worst := delays[len(delays)/2], delays[len(delays)-1]
	t.Logf("put_stream → screen over %d chunks: median %s, max %s (screen sampled every ~40ms)", len(delays), median.Round(time.Millisecond), worst.Round(time.Millisecond))
	if s := tm.screen(); !strings.Contains(s, "complete from the first chunk") {
		t.Errorf("the pane does not say it saw the stream from its start:\n%s", s)
	}
	// ctx.log lines of the same task, with their level.
	tm.keys("4")
	tm.waitScreen(15*time.Second, "the task's log lines", func(s string) bool {
		return strings.Contains(s, "INFO") && strings.Contains(s, "log 1 at ")
	})
}

// A run's completion reaches its row by the live feed, long before the next
// poll: the list polls once a minute here.
func TestCompletionArrivesWithoutAPoll(t *testing.T) {
	requireStack(t)
	key := fmt.Sprintf("e2e:finish:%d", time.Now().UnixNano())
	id := trigger(t, "wait-event-labelled", map[string]any{"key": key, "label": "finish me by feed"})
	waitOpenWait(t, id)
	var name string
	eventually(t, 30*time.Second, func() (bool, string) {
		for _, task := range snapshot(t).Tasks {
			if task.RunID == id && len(task.Waits) > 0 {
				name = task.Name
			}
		}
		return name != "", "the run's wait not in the snapshot yet"
	})
	tm := startTerm(t, 200, 60, "--refresh", "1m")
	// TASK may be cut in the middle; its end, the SDK's stamp, tells rows apart.
	end := name[max(len(name)-12, 0):]
	tm.waitScreen(30*time.Second, "the waiting row and the feeds", func(s string) bool {
		return strings.Contains(rowWith(s, end), "finish me by feed") && strings.Contains(header(s), " streaming")
	})
	// Put the row under the cursor so its feed is the first one opened.
	tm.filterTo("finish me by feed") // its label: TASK may be cut in the middle
	pushed := time.Now()
	pushEvent(t, key)
	tm.waitScreen(20*time.Second, "the row to turn completed", func(s string) bool {
		l := rowWith(s, end)
		return strings.Contains(l, "completed") || strings.Contains(l, "✔")
	})
	t.Logf("completion on screen %s after the push, with a 1m poll interval", time.Since(pushed).Round(time.Millisecond))
}

// A labelled wait's satisfaction shows in the detail's timeline.
func TestTimelineShowsSatisfaction(t *testing.T) {
	requireStack(t)
	key := fmt.Sprintf("e2e:timeline:%d", time.Now().UnixNano())
	trigger(t, "wait-event-labelled", map[string]any{"key": key, "label": "timeline wait"})
	tm := startTerm(t, 160, 40, "--refresh", "1s")
	tm.openRow("timeline wait")
	tm.keys("2")
	tm.waitScreen(20*time.Second, "the open wait in the timeline", func(s string) bool {
		l := rowWith(s, "timeline wait")
		return slices.Contains(strings.Fields(l), "wait") && strings.Contains(l, "waiting") && strings.Contains(l, "event "+key)
	})
	pushEvent(t, key)
	tm.waitScreen(20*time.Second, "the wait satisfied in the timeline", func(s string) bool {
		return strings.Contains(rowWith(s, "timeline wait"), "satisfied")
	})
	// The overview says what the Context knows.
	tm.keys("1")
	tm.waitScreen(10*time.Second, "the overview", func(s string) bool {
		return strings.Contains(s, "run id") && strings.Contains(s, "retry count") && strings.Contains(s, "worker")
	})
}

// The detail tells every Context attribute the engine lets an outsider
// read, and the inbox groups the open waits by key.
func TestDetailAndInbox(t *testing.T) {
	requireStack(t)
	waitForWaits(t, "event", "or", "retry")
	tm := startTerm(t, 200, 50, "--refresh", "1s")
	tm.openRow("third time lucky")
	screen := tm.waitScreen(15*time.Second, "the overview of the retried task", func(s string) bool {
		return strings.Contains(s, "attempt 3/4") && strings.Contains(s, "max retries") && strings.Contains(s, "time to timeout") &&
			strings.Contains(s, "worker") && !strings.Contains(lineWith(s, "worker "), "unknown")
	})
	for _, want := range []string{"task id", "run id", "workflow id", "version id", "retry count", "priority", "metadata", "parent"} {
		if !strings.Contains(screen, want) {
			t.Errorf("overview lacks %q:\n%s", want, screen)
		}
	}
	tm.keys("5")
	tm.waitScreen(10*time.Second, "the input", func(s string) bool { return strings.Contains(s, `"sleep": "1h"`) })
	tm.keys("Escape", "")
	tm.waitScreen(5*time.Second, "the list again", func(s string) bool { return strings.Contains(s, "REMAINING") })
	tm.keys("Escape")
	tm.keys("w")
	tm.waitScreen(15*time.Second, "the inbox", func(s string) bool {
		return strings.Contains(s, "waits inbox") && strings.Contains(s, "e2e:payment:confirmed") &&
			strings.Contains(s, "e2e:approval:granted") && strings.Contains(s, "(sleeping)")
	})
}
