package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

// rowWith is the first line below the header (whose filter echoes the
// text) that contains text.
// listsKey reports whether a help screen lists the key with that
// one-word description.
func listsKey(screen, k, desc string) bool {
	for _, l := range strings.Split(screen, "\n") {
		f := strings.Fields(l)
		for i := 0; i+1 < len(f); i++ {
			if f[i] == k && f[i+1] == desc {
				return true
			}
		}
	}
	return false
}

func rowWith(screen, text string) string {
	lines := strings.Split(screen, "\n")
	if len(lines) > 2 {
		lines = lines[2:]
	}
	return lineWith(strings.Join(lines, "\n"), text)
}

// confirm waits for the confirmation dialog with want and presses enter.
func (tm *term) confirm(want string) {
	tm.t.Helper()
	tm.waitScreen(10*time.Second, "the confirmation", func(s string) bool {
		return strings.Contains(s, want) && strings.Contains(s, "enter confirms")
	})
	tm.keys("Enter")
}

// filterTo narrows the list to rows containing text.
func (tm *term) filterTo(text string) {
	tm.t.Helper()
	tm.waitScreen(60*time.Second, "a row with "+text, func(s string) bool { return strings.Contains(s, text) })
	tm.keys("/")
	tm.waitScreen(5*time.Second, "the filter prompt", func(s string) bool { return strings.Contains(s, "keep filter") })
	tm.keys(text)
	tm.keys("Enter")
	tm.waitScreen(5*time.Second, "the filter to apply", func(s string) bool { return strings.Contains(s, "filter "+text) })
}

func waitStatus(t *testing.T, id, want string, within time.Duration) {
	t.Helper()
	eventually(t, within, func() (bool, string) {
		st := taskStatus(t, id)
		return st.Status == want, fmt.Sprintf("task %s is %s (evicted %v), want %s", id, st.Status, st.IsEvicted, want)
	})
}

// e on a waiting task opens the form with the wait's key; sending it
// completes the task, and hatchtop reports the wait it woke.
func TestSendEventWithThePrefilledKey(t *testing.T) {
	requireStack(t)
	key := fmt.Sprintf("e2e:act:push:%d", time.Now().UnixNano())
	id := trigger(t, "wait-event-labelled", map[string]any{"key": key, "label": "push my key"})
	tm := startTerm(t, 160, 45, "--refresh", "1s")
	tm.filterTo("push my key")
	tm.waitScreen(20*time.Second, "the wait's key on the row", func(s string) bool { return strings.Contains(rowWith(s, "push my key"), key[len(key)-12:]) })
	tm.keys("e")
	tm.waitScreen(10*time.Second, "the form, key prefilled", func(s string) bool {
		return strings.Contains(s, "Send an event") && strings.Contains(s, key) && strings.Contains(s, "matches 1 open wait")
	})
	// Invalid JSON cannot be sent. The form opens on the payload: the key
	// is prefilled.
	tm.keys("{oops")
	tm.waitScreen(5*time.Second, "the JSON error", func(s string) bool { return strings.Contains(s, "invalid JSON") })
	tm.keys("C-s")
	tm.waitScreen(5*time.Second, "the refusal", func(s string) bool { return strings.Contains(s, "nothing was sent") })
	if st := taskStatus(t, id); st.Status == "COMPLETED" {
		t.Fatalf("an invalid payload changed the task: %s", st.Status)
	}
	for range 5 {
		tm.keys("BSpace")
	}
	tm.keys(`{"approved": true}`)
	tm.waitScreen(5*time.Second, "valid JSON", func(s string) bool { return strings.Contains(s, "│ valid JSON") })
	tm.keys("C-s")
	tm.confirm("Send event " + key)
	tm.waitScreen(20*time.Second, "the observed wake-up", func(s string) bool {
		return strings.Contains(s, "woke 1 of 1")
	})
	waitStatus(t, id, "COMPLETED", 20*time.Second)
}

// A scoped wait is not woken by an unscoped push and is by its scope.
func TestScopedWaitNeedsItsScope(t *testing.T) {
	requireStack(t)
	key := fmt.Sprintf("e2e:act:scoped:%d", time.Now().UnixNano())
	id := trigger(t, "scoped-wait", map[string]any{"key": key, "scope": "tenant-a", "label": "scoped act"})
	tm := startTerm(t, 160, 45, "--refresh", "1s")
	tm.filterTo("scoped act")
	// ON may cut a long key in the middle; its end tells it apart.
	tm.waitScreen(20*time.Second, "the wait's key", func(s string) bool { return strings.Contains(rowWith(s, "scoped act"), key[len(key)-12:]) })
	tm.keys("e")
	tm.waitScreen(10*time.Second, "the form", func(s string) bool { return strings.Contains(s, "Send an event") && strings.Contains(s, "scope") })
	tm.keys("C-s")
	tm.confirm("no scope")
	tm.waitScreen(40*time.Second, "the unscoped push to wake nothing", func(s string) bool {
		return strings.Contains(s, "woke 0 of 1")
	})
	if st := taskStatus(t, id); st.Status == "COMPLETED" {
		t.Fatalf("an unscoped push ended the scoped wait: %s", st.Status)
	}
	tm.keys("e")
	tm.waitScreen(10*time.Second, "the form", func(s string) bool { return strings.Contains(s, "Send an event") })
	tm.keys("Tab") // from the payload, where the form opens, to the scope
	tm.keys("tenant-a")
	tm.keys("C-s")
	tm.confirm("scope tenant-a")
	waitStatus(t, id, "COMPLETED", 30*time.Second)
}

// Cancelling a sleeping task and an evicted one, marked together, ends
// both as cancelled.
func TestCancelSleepingAndEvicted(t *testing.T) {
	requireStack(t)
	tag := fmt.Sprintf("%d", time.Now().UnixNano()%100000)
	sleeper := trigger(t, "sleep-labelled", map[string]any{"sleep": "10m", "label": "cancel sleeper " + tag})
	evicted := trigger(t, "evictable-wait", map[string]any{"key": "e2e:never:" + tag, "label": "cancel evicted " + tag})
	eventually(t, 60*time.Second, func() (bool, string) {
		st := taskStatus(t, evicted)
		return st.IsEvicted, fmt.Sprintf("evictable task %s, evicted %v", st.Status, st.IsEvicted)
	})
	tm := startTerm(t, 160, 45, "--refresh", "1s")
	tm.filterTo(tag)
	tm.waitScreen(20*time.Second, "both rows, one evicted", func(s string) bool {
		return strings.Contains(s, "cancel sleeper") && strings.Contains(rowWith(s, "cancel evicted"), "evicted")
	})
	tm.keys("g", "Space")
	tm.waitScreen(5*time.Second, "one mark", func(s string) bool { return strings.Contains(s, "1 marked") })
	tm.keys("Space")
	tm.waitScreen(5*time.Second, "two marks", func(s string) bool { return strings.Contains(s, "2 marked") })
	tm.keys("c")
	tm.confirm("Cancel 2 tasks?")
	waitStatus(t, sleeper, "CANCELLED", 30*time.Second)
	waitStatus(t, evicted, "CANCELLED", 30*time.Second)
	tm.waitScreen(20*time.Second, "the outcome", func(s string) bool { return strings.Contains(s, "2 tasks cancelled") })
}

// Refreshing the timeout of a task whose sleep outlasts its 30s timeout
// lets it finish; without it the engine times it out.
func TestRefreshTimeoutLetsItFinish(t *testing.T) {
	requireStack(t)
	id := trigger(t, "short-timeout-sleep", map[string]any{"sleep": "40s", "label": "refresh my timeout"})
	tm := startTerm(t, 160, 45, "--refresh", "1s")
	tm.filterTo("refresh my timeout")
	tm.waitScreen(20*time.Second, "the timeout warning", func(s string) bool { return strings.Contains(rowWith(s, "refresh my timeout"), "⚠") })
	tm.keys("t")
	tm.waitScreen(10*time.Second, "the prompt", func(s string) bool { return strings.Contains(s, "Refresh timeout") && strings.Contains(s, "5m") })
	// A unitless duration is refused before anything is sent.
	tm.keys("BSpace")
	tm.waitScreen(5*time.Second, "the unit error", func(s string) bool { return strings.Contains(s, "no unit") })
	tm.keys("m", "Enter")
	tm.confirm("adds 5m")
	tm.waitScreen(15*time.Second, "the engine's new deadline", func(s string) bool { return strings.Contains(s, "now times out at") })
	tm.waitScreen(20*time.Second, "the warning gone", func(s string) bool {
		l := rowWith(s, "refresh my timeout")
		return l != "" && !strings.Contains(l, "⚠")
	})
	// The deadline rebuilt from the engine's own events (as after a refresh
	// made by the task itself) includes the 5 minutes.
	var out struct {
		Rows []struct {
			ID        int       `json:"id"`
			EventType string    `json:"eventType"`
			Message   string    `json:"message"`
			Timestamp time.Time `json:"timestamp"`
		} `json:"rows"`
	}
	restGet(t, "/api/v1/stable/tasks/"+id+"/task-events?limit=200", &out)
	var events []durable.TaskEvent
	for _, r := range out.Rows {
		events = append(events, durable.TaskEvent{ID: r.ID, Type: r.EventType, Message: r.Message, At: r.Timestamp, RetryCount: -1})
		if r.EventType == durable.EventTimeoutRefreshed {
			t.Logf("the engine's TIMEOUT_REFRESHED message: %q", r.Message)
		}
	}
	at, ok := durable.TimeoutAt(durable.Config{Timeout: 30 * time.Second}, events)
	var started time.Time
	for _, e := range events {
		if e.Type == durable.EventStarted {
			started = e.At
		}
	}
	if !ok || at.Sub(started) < 5*time.Minute {
		t.Errorf("deadline rebuilt from the events is %s after the start, want the 30s timeout + 5m", at.Sub(started))
	}
	waitStatus(t, id, "COMPLETED", 60*time.Second)
}

// r on an evicted task restores it; hatchtop shows what it observed.
func TestRestoreEvicted(t *testing.T) {
	requireStack(t)
	tag := fmt.Sprintf("%d", time.Now().UnixNano()%100000)
	id := trigger(t, "evictable-wait", map[string]any{"key": "e2e:never:" + tag, "label": "restore me " + tag})
	eventually(t, 60*time.Second, func() (bool, string) {
		st := taskStatus(t, id)
		return st.IsEvicted, "not evicted yet"
	})
	tm := startTerm(t, 160, 45, "--refresh", "1s")
	tm.filterTo("restore me " + tag)
	tm.waitScreen(20*time.Second, "the evicted row", func(s string) bool { return strings.Contains(rowWith(s, "restore me"), "evicted") })
	tm.keys("r")
	tm.confirm("Restore")
	tm.waitScreen(30*time.Second, "the restore observed", func(s string) bool { return strings.Contains(s, "restored: no longer evicted") })
	eventually(t, 20*time.Second, func() (bool, string) {
		types := taskEventTypes(t, id)
		return slices.Contains(types, "DURABLE_RESTORING"), fmt.Sprintf("events %v", types)
	})
}

// b on a timeline entry of an evicted task branches it and restores it:
// the new branch shows in the timeline as the engine replays it.
func TestBranchFromTimeline(t *testing.T) {
	requireStack(t)
	tag := fmt.Sprintf("%d", time.Now().UnixNano()%100000)
	id := trigger(t, "evictable-wait", map[string]any{"key": "e2e:never:" + tag, "label": "branch me " + tag})
	eventually(t, 60*time.Second, func() (bool, string) {
		return taskStatus(t, id).IsEvicted, "not evicted yet"
	})
	tm := startTerm(t, 160, 45, "--refresh", "1s")
	tm.openRow("branch me " + tag)
	tm.keys("2")
	tm.waitScreen(20*time.Second, "the timeline entry", func(s string) bool { return slices.Contains(strings.Fields(rowWith(s, "branch me")), "1") })
	tm.keys("b")
	tm.confirm("restores it")
	tm.waitScreen(30*time.Second, "the new branch in the timeline", func(s string) bool {
		return strings.Contains(s, "1, branch 2") && strings.Contains(s, "replaced by a branch")
	})
}

// R replays a finished task (the engine ignores replays of active ones):
// it runs again as a new attempt.
func TestReplayFinished(t *testing.T) {
	requireStack(t)
	key := fmt.Sprintf("e2e:replay:%d", time.Now().UnixNano())
	id := trigger(t, "wait-event-labelled", map[string]any{"key": key, "label": "replay me"})
	tm := startTerm(t, 160, 45, "--refresh", "1s")
	tm.openRow("replay me")
	// R is off while it runs: not in the help, and pressing it opens no
	// confirmation (the "?" after it would go to the dialog, not the help).
	tm.keys("R")
	tm.keys("?")
	help := tm.waitScreen(5*time.Second, "the help over the running task's detail", func(s string) bool { return strings.Contains(s, "hatchtop — keys") })
	if strings.Contains(help, "Replay replay me?") || listsKey(help, "R", "replay") {
		t.Fatalf("replay is offered for a running task:\n%s", help)
	}
	tm.keys("Escape")
	pushEvent(t, key)
	waitStatus(t, id, "COMPLETED", 30*time.Second)
	tm.waitScreen(20*time.Second, "the detail to show it completed", func(s string) bool { return strings.Contains(s, "✔ completed") })
	tm.keys("R")
	tm.confirm("Replay")
	eventually(t, 30*time.Second, func() (bool, string) {
		types := taskEventTypes(t, id)
		return slices.Contains(types, "RETRIED_BY_USER"), fmt.Sprintf("events %v", types)
	})
	waitStatus(t, id, "COMPLETED", 30*time.Second)
}

// --read-only refuses every change: the key says why, nothing is sent.
func TestReadOnly(t *testing.T) {
	requireStack(t)
	waitForWaits(t, "event", "or", "retry")
	tm := startTerm(t, 160, 45, "--refresh", "1s", "--read-only")
	tm.filterTo("awaiting payment")
	tm.waitScreen(10*time.Second, "read-only in the header", func(s string) bool { return strings.Contains(s, "read-only") })
	tm.keys("c")
	tm.waitScreen(5*time.Second, "the refusal", func(s string) bool { return strings.Contains(s, "runs read-only") })
	tm.keys("e")
	tm.waitScreen(5*time.Second, "the refusal", func(s string) bool {
		return strings.Contains(s, "send event: hatchtop runs read-only") && !strings.Contains(s, "Send an event")
	})
	tm.keys("?")
	tm.waitScreen(5*time.Second, "the help says the actions are off", func(s string) bool {
		return strings.Contains(s, "the keys that change the engine are off")
	})
	// REST may read a waiting durable task as QUEUED for a moment; either
	// way it is not cancelled or completed.
	if st := taskStatus(t, snapshotTaskID(t, "event")); st.Status != "RUNNING" && st.Status != "QUEUED" {
		t.Errorf("read-only mode changed a task: %s", st.Status)
	}
}

// snapshotTaskID is the task id of one of TestMain's scenarios.
func snapshotTaskID(t *testing.T, scenario string) string {
	t.Helper()
	for _, task := range snapshot(t).Tasks {
		if task.RunID == env.runs[scenario] {
			return task.ID
		}
	}
	t.Fatalf("scenario %s not in the snapshot", scenario)
	return ""
}
