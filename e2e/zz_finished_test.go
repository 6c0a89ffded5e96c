package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Finished tasks stay in the list (issue 10): with a poll a minute apart,
// a run completed by a pushed event stays ✔, a run that fails stays ✘ with
// its error's first line and the header counts it, and the detail of the
// completed task shows its output.
func TestFinishedTasksStayListed(t *testing.T) {
	requireStack(t)
	stamp := time.Now().UnixNano()
	okKey, failKey := fmt.Sprintf("e2e:fin-ok:%d", stamp), fmt.Sprintf("e2e:fin-fail:%d", stamp)
	okID := trigger(t, "wait-event-labelled", map[string]any{"key": okKey, "label": "finish and stay"})
	failID := trigger(t, "wait-then-fail", map[string]any{"key": failKey, "label": fmt.Sprintf("rejected %d", stamp)})
	// Its execution timeout is 30 s; it sleeps 45 s: the engine times it out.
	slowID := trigger(t, "short-timeout-sleep", map[string]any{"sleep": "45s", "label": fmt.Sprintf("too slow %d", stamp)})
	waitOpenWait(t, okID)
	waitOpenWait(t, failID)
	names := map[string]string{}
	eventually(t, 30*time.Second, func() (bool, string) {
		for _, task := range snapshot(t).Tasks {
			if (task.RunID == okID || task.RunID == failID) && len(task.Waits) > 0 {
				names[task.RunID] = task.Name
			}
		}
		return len(names) == 2, "the runs' waits not in the snapshot yet"
	})
	tm := startTerm(t, 200, 50, "--refresh", "1m")
	// TASK may be cut in the middle; its end, the SDK's stamp, tells rows apart.
	okEnd, failEnd := nameEnd(names[okID]), nameEnd(names[failID])
	tm.waitScreen(30*time.Second, "both waiting rows", func(s string) bool {
		return strings.Contains(rowWith(s, okEnd), "finish and stay") && strings.Contains(rowWith(s, failEnd), fmt.Sprintf("rejected %d", stamp))
	})
	pushed := time.Now()
	pushEvent(t, okKey)
	pushEvent(t, failKey)
	s := tm.waitScreen(30*time.Second, "✔ and ✘ with the error's first line", func(s string) bool {
		f := rowWith(s, failEnd)
		return strings.Contains(rowWith(s, okEnd), "✔") && strings.Contains(f, "✘") &&
			strings.Contains(f, fmt.Sprintf("rejected %d: card declined", stamp))
	})
	t.Logf("both finishes on screen %s after the pushes, with a 1m poll interval", time.Since(pushed).Round(time.Millisecond))
	if strings.Contains(rowWith(s, failEnd), "second line") {
		t.Errorf("the error's second line is on the row: %q", rowWith(s, failEnd))
	}
	if !strings.Contains(strings.SplitN(s, "\n", 3)[1], "✘ failed 1") {
		t.Errorf("the header does not count the failure:\n%s", s)
	}
	// Still there well after the finish (the old list dropped them at the
	// next screen query; the reconciliation runs every 3 s at first).
	deadline := time.Now().Add(8 * time.Second)
	for time.Now().Before(deadline) {
		s = tm.screen()
		if !strings.Contains(rowWith(s, okEnd), "✔") || !strings.Contains(rowWith(s, failEnd), "✘") {
			t.Fatalf("a finished row left the list:\n%s", s)
		}
		time.Sleep(500 * time.Millisecond) // sampling the screen, not waiting for a condition
	}
	// The engine's timeout reads ⏱ (the task started ~30 s before now, at most).
	var slowEnd string
	for _, task := range snapshot(t).Tasks {
		if task.RunID == slowID {
			slowEnd = nameEnd(task.Name)
		}
	}
	if slowEnd != "" {
		s = tm.waitScreen(60*time.Second, "the timed-out row", func(s string) bool {
			return strings.Contains(rowWith(s, slowEnd), "⏱ timed out")
		})
		t.Logf("timed-out row: %s", strings.Join(strings.Fields(rowWith(s, slowEnd)), " "))
	} else {
		t.Log("the short-timeout task was not in the snapshot (already timed out?): ⏱ not checked")
	}
	// The detail of the completed task: its output.
	tm.filterTo(names[okID])
	tm.keys("Enter")
	tm.waitScreen(15*time.Second, "the detail", func(s string) bool { return strings.Contains(s, "overview") })
	tm.keys("5")
	tm.waitScreen(15*time.Second, "the completed task's output", func(s string) bool {
		return strings.Contains(s, "output") && strings.Contains(s, `"ok"`)
	})
}

func nameEnd(name string) string { return name[max(len(name)-12, 0):] }
