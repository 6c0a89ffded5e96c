package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/durable"
)

// TestRunWatchFinishesByPush watches 50 event waits and one run to cancel
// on one SubscribeToWorkflowRuns stream of hatchtop's client, completes
// the waits by pushing their events, and expects every finish exactly
// once, with no polling.
func TestRunWatchFinishesByPush(t *testing.T) {
	requireStack(t)
	const n = 50
	c := dialStack(t)
	nonce := time.Now().UnixNano()
	started := time.Now().Add(-time.Minute)
	keys := map[string]string{} // run id -> its event key
	var ids []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, n+1)
	for i := range n + 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := fmt.Sprintf("e2e:runwatch:%d:%d", nonce, i)
			id, err := restTrigger("wait-event-labelled", map[string]any{"key": key, "label": fmt.Sprintf("runwatch #%02d", i)})
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			keys[id] = key
			ids = append(ids, id)
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	cancelled := ids[n]
	waits := ids[:n]

	w := c.WatchRuns(client.FeedOptions{Logf: t.Logf})
	defer w.Close()
	w.Watch(ids...)

	// Each wait is open before its event is pushed (an event that comes
	// first is not considered by an unscoped wait).
	for _, id := range waits {
		waitOpenWait(t, id)
	}
	listedOnce(t, c, ids, started)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pushed := time.Now()
	for _, id := range waits {
		if _, err := c.PushEvent(ctx, client.Event{Key: keys[id], Payload: json.RawMessage(`{"ok":true}`)}); err != nil {
			t.Fatalf("push %s: %v", keys[id], err)
		}
	}
	if err := c.Cancel(ctx, cancelled); err != nil {
		t.Fatalf("cancel %s: %v", cancelled, err)
	}

	got := map[string]client.RunFinished{}
	var last time.Duration
	for len(got) < n+1 {
		select {
		case u := <-w.Updates():
			if u.Finished == nil {
				t.Logf("watch %s %v", u.State, u.Err)
				continue
			}
			f := *u.Finished
			if _, twice := got[f.RunID]; twice {
				t.Errorf("run %s finished twice", f.RunID)
			}
			if _, ours := keys[f.RunID]; !ours {
				t.Errorf("finish of a run never watched: %s", f.RunID)
			}
			got[f.RunID] = f
			last = time.Since(pushed)
		case <-ctx.Done():
			t.Fatalf("%d of %d finishes arrived", len(got), n+1)
		}
	}
	t.Logf("%d finishes, the last %s after the first push", len(got), last.Round(time.Millisecond))
	for _, id := range waits {
		f := got[id]
		if f.Final != durable.StatusCompleted || len(f.Tasks) != 1 || f.Tasks[0].TaskID == "" {
			t.Errorf("run %s: %+v, want COMPLETED with its one task", id, f)
		}
	}
	// A cancel is pushed as a finish whose task has neither output nor
	// error: no final status, the list tells it.
	if cf := got[cancelled]; cf.Final != "" || len(cf.Tasks) != 1 || cf.Tasks[0].Error != "" || cf.Tasks[0].Output != "" {
		t.Errorf("cancelled run finished as %q with %+v, want no status and a silent task", cf.Final, cf.Tasks)
	}
	if left := w.(*client.RunWatch).Watched(); len(left) != 0 {
		t.Errorf("%d runs still watched after their finish", len(left))
	}
	// The engine forgets an id after its finish: nothing more comes.
	select {
	case u := <-w.Updates():
		if u.Finished != nil {
			t.Errorf("a finish after all had arrived: %+v", u.Finished)
		}
	case <-time.After(3 * time.Second):
	}
}

// restTrigger starts a run over v1-workflow-run:create and returns its id.
func restTrigger(workflow string, input map[string]any) (string, error) {
	body, _ := json.Marshal(map[string]any{"workflowName": workflow, "input": input})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost,
		env.stack.APIURL+"/api/v1/stable/tenants/"+env.stack.TenantID+"/workflow-runs/trigger", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+env.stack.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("trigger %s: %w", workflow, err)
	}
	defer resp.Body.Close()
	var out struct {
		Run struct {
			Metadata struct {
				ID string `json:"id"`
			} `json:"metadata"`
		} `json:"run"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Run.Metadata.ID == "" {
		return "", fmt.Errorf("trigger %s: HTTP %d, no run id (%v)", workflow, resp.StatusCode, err)
	}
	return out.Run.Metadata.ID, nil
}

// listedOnce pages the real list by creation time and task id, seven rows
// a page (the 51 runs were triggered at once): every run comes back
// exactly once. It checks that the engine's timestamps carry the
// precision the cursor needs.
func listedOnce(t *testing.T, c *client.Client, ids []string, since time.Time) {
	t.Helper()
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	eventually(t, 60*time.Second, func() (bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		seen := map[string]int{}
		var after client.ListCursor
		pages := 0
		for ; pages < 100; pages++ {
			page, err := c.ListCreated(ctx, client.ListQuery{Since: since, Limit: 7, After: after})
			if err != nil {
				return false, err.Error()
			}
			for _, task := range page.Tasks {
				seen[task.RunID]++
			}
			if page.Next.IsZero() {
				break
			}
			after = page.Next
		}
		missing := 0
		for id := range want {
			switch seen[id] {
			case 0:
				missing++
			case 1:
			default:
				t.Errorf("run %s listed %d times", id, seen[id])
			}
		}
		return missing == 0, fmt.Sprintf("%d of %d runs not listed in %d pages", missing, len(want), pages+1)
	})
}
