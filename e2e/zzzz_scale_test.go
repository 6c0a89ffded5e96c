package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client"
)

// The scale test runs after every other (zzzz_): it fills the tenant with
// a few hundred active tasks, and cancels them when it ends.

const (
	scaleSleepers = 270 // labelled 1 h sleeps
	scaleWaiters  = 30  // labelled event waits
	// scaleBudget is issue 8's REST budget, 60 requests a minute at 1,000
	// active tasks, scaled to the tenant.
	scaleBudgetPer1000 = 60
	// scaleCeiling is issue 8's bound on any 60 s, start-up included
	// (the README counts 112: the request bucket's 100 and the list's 12
	// at --refresh 5s). Before issue 8 the binary made 994 in one steady
	// minute of this test.
	scaleCeiling = 120
)

// A few hundred active durable tasks on the real stack: hatchtop lists
// every one exactly once; the REST requests it makes in one steady minute
// at 200x50, counted by a reverse proxy in front of the API, stay within
// the budget scaled to the tenant, and no 60 s of the run exceeds 120;
// then, with --refresh 1m, finishes reach their rows by push.
func TestScaleEveryTaskOnceAndRequestsPerMinute(t *testing.T) {
	requireStack(t)
	tag := strconv.FormatInt(time.Now().UnixNano()%1_000_000_000, 36)
	runs := triggerScale(t, tag)
	t.Cleanup(func() { cancelRuns(t, runs) })

	// The engine's own list, straight from the API, is the truth: our
	// tasks' display names (the SDK stamps each run's; two runs may share
	// one, so they are counted).
	c := dialStack(t)
	var active int
	names := map[string]int{}
	eventually(t, 2*time.Minute, func() (bool, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		tasks, err := c.ListActive(ctx, time.Now().Add(-time.Hour))
		if err != nil {
			return false, err.Error()
		}
		clear(names)
		ours := 0
		for _, tk := range tasks {
			if runs[tk.RunID] {
				ours++
				names[tk.Name]++
			}
		}
		active = len(tasks)
		return ours == len(runs), fmt.Sprintf("the engine lists %d of our %d runs as active", ours, len(runs))
	})

	proxy := startCountingProxy(t, env.stack.APIURL)
	// Tall first, so every active row is on one screen (a filter on the
	// labels would hide the rows whose event logs have not loaded yet).
	tm := startTermEnv(t, 200, active+20, []string{"HATCHET_CLIENT_SERVER_URL=" + proxy.URL})
	hatchtopStarted := time.Now()
	var screen string
	eventually(t, 90*time.Second, func() (bool, string) {
		screen = tm.screen()
		onScreen := map[string]int{}
		for _, n := range scaleRowName.FindAllString(screen, -1) {
			onScreen[n]++
		}
		var missing, twice []string
		for n, want := range names {
			for range want - onScreen[n] {
				missing = append(missing, n)
			}
			for range onScreen[n] - want {
				twice = append(twice, n)
			}
		}
		return len(missing) == 0 && len(twice) == 0, fmt.Sprintf("of our %d tasks %d are not listed (%q) and %d listed more than once (%q); screen:\n%s",
			len(runs), len(missing), missing[:min(len(missing), 5)], len(twice), twice[:min(len(twice), 5)], screen)
	})
	labels := regexp.MustCompile(`scale `+tag+` (?:sleeper|waiter) #\d{3}`).FindAllString(screen, -1)
	t.Logf("all %d tasks listed exactly once (%d active in the tenant); %d labels loaded by then", len(runs), active, len(labels))

	// The measured minute: the list unfiltered at 200x50 (46 rows on
	// screen), once start-up has settled (settle).
	tm.tmux("resize-window", "-t", "main", "-x", "200", "-y", "50")
	// Start-up with the cursor on a sleeper (row 41 of 46; the 30 waiters
	// are the newest), which is not polled: the request budget's second
	// half goes to the screen's rows, so the screen is whole in half the
	// time. The measured minute has the cursor back on the top row, a
	// waiter, read every 2 s as the README's budget counts it.
	tm.keys("g")
	for range 40 {
		tm.keys("j")
	}
	settle(t, tm, c, tag, len(runs), true)
	tm.keys("g")
	// The --refresh 1m hatchtop of the last part settles meanwhile; its
	// requests go through its own proxy.
	fw := startFinishWatch(t)
	// A lead-in, as a measurement window: the first-sight bucket filled up
	// (5 reads) while the screen's reads held the request budget, and
	// spends it now; that is start-up's too.
	time.Sleep(15 * time.Second)
	startup := proxy.take()
	start := time.Now()
	time.Sleep(time.Minute) // a measurement window, not synchronisation
	counts := proxy.take()
	perMin := float64(total(counts)) / time.Since(start).Minutes()
	budget := scaleBudget(active)
	worst, worstAt, worstRoutes := proxy.worstMinute()
	t.Logf("REST requests of start-up (%s until settled): %d (%s)", start.Sub(hatchtopStarted).Round(time.Second), total(startup), routes(startup))
	t.Logf("REST requests in one steady minute with %d active tasks at 200x50: %.0f/min (%s); budget scaled to the tenant %.0f/min",
		active, perMin, routes(counts), budget)
	t.Logf("different paths (tasks) by route in that minute: %s", routes(proxy.distinct(start)))
	t.Logf("worst 60 s of the whole run: %d requests (%s), from %s after hatchtop started",
		worst, routes(worstRoutes), worstAt.Sub(hatchtopStarted).Round(time.Second))
	if total(counts) == 0 {
		t.Fatal("no request went through the proxy: hatchtop did not use HATCHET_CLIENT_SERVER_URL")
	}
	logReads(t, c, proxy, start, runs)
	t.Run("steady minute within the budget", func(t *testing.T) {
		// Alone this measured 55-56/min; in a full e2e run it once read
		// 72/min: 23 first reads of our sleepers that REST had flipped to
		// QUEUED for a moment, each flip queued in the changed budget
		// instead of the first sight's (fixed in model.queueChanged).
		if perMin > budget {
			t.Errorf("%.0f REST requests in the steady minute, over the budget of %.0f/min for %d active tasks (%s)", perMin, budget, active, routes(counts))
		}
	})
	if worst > scaleCeiling {
		t.Errorf("%d REST requests in the worst 60 s of the run, over the ceiling of %d", worst, scaleCeiling)
	}
	if screen := tm.screen(); !strings.Contains(header(screen), "● live") {
		t.Errorf("the list is not live after the minute:\n%s", header(screen))
	}
	tm.keys("q")

	finishesReachTheirRowsByPush(t, fw, c, tag, len(runs))
}

// logReads logs whose event logs hatchtop read from since on, by task:
// name, status, whether it is one of ours, and how many reads.
func logReads(t *testing.T, c *client.Client, proxy *countingProxy, since time.Time, ours map[string]bool) {
	t.Helper()
	reads := map[string]int{}
	proxy.mu.Lock()
	for i, path := range proxy.paths {
		if !proxy.times[i].Before(since) && restRoute("", path) == "event-log" {
			reads[path[strings.LastIndex(path, "/")+1:]]++
		}
	}
	proxy.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tasks, err := c.ListActive(ctx, time.Now().Add(-time.Hour))
	if err != nil {
		t.Logf("event-log reads by task: %v", err)
		return
	}
	byID := map[string]string{}
	for _, tk := range tasks {
		byID[tk.ID] = fmt.Sprintf("%s %s evicted=%v ours=%v", tk.Name, tk.Status, tk.Evicted, ours[tk.RunID])
	}
	var parts []string
	for id, n := range reads {
		what, ok := byID[id]
		if !ok {
			what = "no longer active"
		}
		parts = append(parts, fmt.Sprintf("%s (%s) %d", id, what, n))
	}
	slices.Sort(parts)
	t.Logf("event-log reads by task from the minute's start: %s", strings.Join(parts, "; "))
}

// scaleBudget is the README's budget scaled to a tenant of active tasks:
// 60 a minute up to 1,000 (it does not shrink below: the selected row, the
// list and the events list cost the same in a small tenant), growing
// linearly to 1.1x that at 10,000, and no more beyond.
func scaleBudget(active int) float64 {
	grow := min(max(active-1000, 0), 9000)
	return scaleBudgetPer1000 * (1 + 0.1*float64(grow)/9000)
}

// settle waits until the header counts every active task of the tenant
// and every one of our rows on screen (at least 40 of the 46: the newest)
// is labelled, and with whole also has its attempt out of the maximum and
// its time to timeout loaded: start-up is over. A screen only labelled
// still has the rows' lifecycle events and configurations to read (46
// requests; the rows' logs go first), which is not the steady state.
func settle(t *testing.T, tm *term, c *client.Client, tag string, ours int, whole bool) {
	t.Helper()
	began := time.Now()
	eventually(t, 5*time.Minute, func() (bool, string) {
		s := tm.screen()
		rows, labelled, complete := labelledRows(s, tag)
		if !strings.Contains(header(s), "● live") || rows < 40 || labelled != rows || (whole && complete != rows) {
			return false, fmt.Sprintf("of our %d rows on screen %d labelled, %d whole; screen:\n%s", rows, labelled, complete, s)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		tasks, err := c.ListActive(ctx, time.Now().Add(-time.Hour))
		if err != nil {
			return false, err.Error()
		}
		n := activeOn(s)
		return n == len(tasks) && n >= ours, fmt.Sprintf("the header counts %d active, the engine %d (ours %d)", n, len(tasks), ours)
	})
	t.Logf("settled %s after the screen was asked for", time.Since(began).Round(time.Second))
}

var (
	scaleRowName = regexp.MustCompile(`\b(?:sleep-labelled|wait-event-labelled)-\d+\b`)
	// A whole row ends in its attempt out of the maximum, its time to
	// timeout and its elapsed time.
	wholeRowTail = regexp.MustCompile(`\s\d+/\d+\s+(?:⚠ )?\d\S*\s+\S+\s*$`)
)

// labelledRows counts the rows on screen that are our tasks, those of them
// that show their label, and those that are whole (wholeRowTail too).
func labelledRows(screen, tag string) (rows, labelled, whole int) {
	for _, l := range strings.Split(screen, "\n") {
		if scaleRowName.MatchString(l) {
			rows++
			if strings.Contains(l, "scale "+tag+" ") {
				labelled++
				if wholeRowTail.MatchString(l) {
					whole++
				}
			}
		}
	}
	return rows, labelled, whole
}

// startTermEnv is startTerm with extra environment variables, which win
// over the stack's.
func startTermEnv(t *testing.T, width, height int, extraEnv []string, args ...string) *term {
	t.Helper()
	tm := &term{t: t, socket: fmt.Sprintf("hatchtop-e2e-scale-%d", time.Now().UnixNano())}
	cmdline := []string{"env", "-i"}
	cmdline = append(cmdline, append(append(cleanEnv(), env.stack.Env()...), extraEnv...)...)
	cmdline = append(cmdline, "TERM=xterm-256color", env.bin)
	cmdline = append(cmdline, args...)
	tm.tmux(append([]string{"new-session", "-d", "-s", "main", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height)}, quoteAll(cmdline)...)...)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

// triggerScale starts the sleepers and waiters over REST, a few at a time
// (one trigger script per run would take minutes), and returns their run
// ids. Task #i's label ends in its number, so the screen can tell each.
func triggerScale(t *testing.T, tag string) map[string]bool {
	t.Helper()
	type job struct {
		workflow string
		input    map[string]any
	}
	jobs := make(chan job)
	go func() {
		defer close(jobs)
		for i := range scaleSleepers + scaleWaiters {
			if i < scaleSleepers {
				jobs <- job{"sleep-labelled", map[string]any{"sleep": "1h", "label": fmt.Sprintf("scale %s sleeper #%03d", tag, i)}}
			} else {
				jobs <- job{"wait-event-labelled", map[string]any{"key": fmt.Sprintf("e2e:scale:%s:%d", tag, i),
					"label": fmt.Sprintf("scale %s waiter #%03d", tag, i)}}
			}
		}
	}()
	var (
		mu   sync.Mutex
		runs = map[string]bool{}
		errs []error
		wg   sync.WaitGroup
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				id, err := triggerREST(j.workflow, j.input)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					runs[id] = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		cancelRuns(t, runs)
		t.Fatalf("%d of %d triggers failed, first: %v", len(errs), scaleSleepers+scaleWaiters, errs[0])
	}
	return runs
}

// triggerREST is v1-workflow-run:create.
func triggerREST(workflow string, input map[string]any) (string, error) {
	var out struct {
		Run struct {
			Metadata struct {
				ID string `json:"id"`
			} `json:"metadata"`
		} `json:"run"`
	}
	err := apiCall(http.MethodPost, "/api/v1/stable/tenants/"+env.stack.TenantID+"/workflow-runs/trigger",
		map[string]any{"workflowName": workflow, "input": input}, &out)
	if err == nil && out.Run.Metadata.ID == "" {
		err = fmt.Errorf("trigger %s: no run id in the answer", workflow)
	}
	return out.Run.Metadata.ID, err
}

// cancelRuns cancels runs by id, a hundred a request, so later tests and
// the stack's shutdown are not slowed by them.
func cancelRuns(t *testing.T, runs map[string]bool) {
	t.Helper()
	var ids []string
	for id := range runs {
		ids = append(ids, id)
	}
	for len(ids) > 0 {
		n := min(100, len(ids))
		if err := apiCall(http.MethodPost, "/api/v1/stable/tenants/"+env.stack.TenantID+"/tasks/cancel",
			map[string]any{"externalIds": ids[:n]}, nil); err != nil {
			t.Errorf("cancel the scale runs: %v", err)
			return
		}
		ids = ids[n:]
	}
}

// apiCall sends one JSON request to the stack's API with the token.
func apiCall(method, path string, body, into any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, env.stack.APIURL+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+env.stack.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var msg bytes.Buffer
		msg.ReadFrom(resp.Body)
		return fmt.Errorf("%s %s: HTTP %d: %.200s", method, path, resp.StatusCode, msg.String())
	}
	if into == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(into)
}
