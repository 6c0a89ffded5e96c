package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
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

// finishPushes is how many of the scale test's waiters on screen get their
// event in finishesReachTheirRowsByPush.
const finishPushes = 10

// finishWatch is hatchtop with --refresh 1m on the scale test's tenant,
// behind a proxy of its own.
type finishWatch struct {
	tm    *term
	proxy *countingProxy
}

// startFinishWatch starts it early, so that it settles while the scale
// test measures (its requests go through its own proxy).
func startFinishWatch(t *testing.T) *finishWatch {
	t.Helper()
	proxy := startCountingProxy(t, env.stack.APIURL)
	tm := startTermEnv(t, 200, 50, []string{"HATCHET_CLIENT_SERVER_URL=" + proxy.URL}, "--refresh", "1m")
	return &finishWatch{tm: tm, proxy: proxy}
}

// finishesReachTheirRowsByPush pushes the events of the scale test's
// waiters (tagged tag) on fw's screen right after a screen query, and
// expects each row to show ✔: only a pushed finish marks a row (a poll
// would drop it), and the next poll is a minute away.
func finishesReachTheirRowsByPush(t *testing.T, fw *finishWatch, c *client.Client, tag string, ours int) {
	t.Helper()
	tm, proxy := fw.tm, fw.proxy
	settle(t, tm, c, tag, ours, false) // the labels tell the waiters' rows

	// The waiters on screen, by their row: a finished task keeps its row
	// (and place) until the next poll.
	waiter := regexp.MustCompile(`scale ` + tag + ` waiter #(\d{3})`)
	screen := tm.screen()
	lines := strings.Split(screen, "\n")
	rows := map[int]string{} // line on screen -> event key
	for i, l := range lines {
		if m := waiter.FindStringSubmatch(l); m != nil && len(rows) < finishPushes {
			n, _ := strconv.Atoi(m[1])
			rows[i] = fmt.Sprintf("e2e:scale:%s:%d", tag, n)
		}
	}
	if len(rows) == 0 {
		t.Fatalf("no waiter on screen:\n%s", screen)
	}

	// At least 20 s before the next screen query (a minute after the
	// last), so that the finishes come first. The screen query asks for
	// 200 rows and the ties of its cursor, the reconciliation for 1,000.
	screenQuery := func(q url.Values) bool { n, _ := strconv.Atoi(q.Get("limit")); return n < 1000 }
	polls := func() []time.Time { return proxy.sentTo("/tenants/"+env.stack.TenantID+"/workflow-runs", screenQuery) }
	seen := len(polls())
	if last := polls(); len(last) == 0 || time.Since(last[len(last)-1]) > 40*time.Second {
		eventually(t, 70*time.Second, func() (bool, string) {
			return len(polls()) > seen, "no list poll yet"
		})
	}
	lastPoll := polls()[len(polls())-1]

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pushed := time.Now()
	for _, key := range rows {
		if _, err := c.PushEvent(ctx, client.Event{Key: key, Payload: json.RawMessage(`{"ok":true}`)}); err != nil {
			t.Fatalf("push %s: %v", key, err)
		}
	}
	var delays []string
	marked := map[int]bool{}
	deadline := time.Now().Add(45 * time.Second)
	for len(marked) < len(rows) && time.Now().Before(deadline) {
		lines := strings.Split(tm.screen(), "\n")
		for i := range rows {
			if !marked[i] && i < len(lines) && strings.HasPrefix(strings.TrimPrefix(strings.TrimSpace(lines[i]), "> "), "✔") &&
				scaleRowName.FindString(lines[i]) == scaleRowName.FindString(strings.Split(screen, "\n")[i]) {
				marked[i] = true
				delays = append(delays, time.Since(pushed).Round(10*time.Millisecond).String())
			}
		}
		time.Sleep(50 * time.Millisecond) // poll interval, not synchronisation
	}
	after := 0
	for _, at := range polls() {
		if at.After(lastPoll) {
			after++
		}
	}
	t.Logf("--refresh 1m: %d of %d pushed finishes marked their rows ✔, after %s (the last screen query %s before the push, %d since)",
		len(marked), len(rows), strings.Join(delays, " "), pushed.Sub(lastPoll).Round(time.Second), after)
	if len(marked) < len(rows) {
		t.Errorf("%d of %d finished rows not marked ✔ within 45 s of the push:\n%s", len(rows)-len(marked), len(rows), tm.screen())
	}
}
