package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The workers screen on the real stack: the TypeScript worker by name,
// ACTIVE, with its slots and its actions as worker:list gives them, and a
// sleeping durable task under it; enter opens the task, esc comes back.
func TestWorkersScreenShowsTheWorkerAndItsTask(t *testing.T) {
	requireStack(t)
	const label = "workers screen nap"
	run := trigger(t, "sleep-labelled", map[string]any{"sleep": "300s", "label": label})
	// An event wait the worker evicts about 5 s after it starts waiting.
	parked := trigger(t, "evictable-wait", map[string]any{"key": "e2e:never:workers", "label": "workers screen parked"})
	waitOpenWait(t, run)
	t.Cleanup(func() { cancelRuns(t, map[string]bool{run: true, parked: true}) })

	// Ground truth, apart from hatchtop's client.
	var list struct {
		Rows []struct {
			Name       string   `json:"name"`
			Status     string   `json:"status"`
			Actions    []string `json:"actions"`
			SlotConfig map[string]struct {
				Limit int `json:"limit"`
			} `json:"slotConfig"`
		} `json:"rows"`
	}
	restGet(t, fmt.Sprintf("/api/v1/tenants/%s/worker", env.stack.TenantID), &list)
	var actions []string
	var slots, durableSlots int
	for _, w := range list.Rows {
		if w.Name == "hatchtop-demo" && w.Status == "ACTIVE" {
			actions, slots, durableSlots = w.Actions, w.SlotConfig["default"].Limit, w.SlotConfig["durable"].Limit
		}
	}
	if len(actions) == 0 {
		t.Fatalf("no active hatchtop-demo worker with actions in worker:list: %+v", list.Rows)
	}
	t.Logf("worker:list: hatchtop-demo, %d actions, slots %d, durable %d", len(actions), slots, durableSlots)

	tm := startTerm(t, 200, 50, "--refresh", "1s")
	tm.waitScreen(30*time.Second, "the nap on the list", func(s string) bool { return strings.Contains(s, label) })
	opened := time.Now()
	tm.keys("W")
	screen := tm.waitScreen(30*time.Second, "the worker with the nap under it", func(s string) bool {
		return strings.Contains(s, "hatchtop-demo") && strings.Contains(lineWith(s, label), "└ ") && strings.Contains(s, "actions: ")
	})
	t.Logf("the worker and its task on screen %s after W:\n%s", time.Since(opened).Round(time.Millisecond), screen)
	row := lineWith(screen, "hatchtop-demo")
	for _, want := range []string{"ACTIVE", "/" + strconv.Itoa(slots) + " ", "/" + strconv.Itoa(durableSlots) + " ", " " + strconv.Itoa(len(actions)) + " "} {
		if !strings.Contains(row, want) {
			t.Errorf("worker row lacks %q: %q", want, row)
		}
	}
	if l := lineWith(screen, "actions: "); !strings.Contains(l, actions[0]) {
		t.Errorf("actions line %q lacks %q", l, actions[0])
	}
	if l := lineWith(screen, label); !strings.Contains(l, "└ ") || !strings.Contains(l, "sleep-labelled") || !strings.Contains(l, "running") {
		t.Errorf("the nap's line under the worker: %q", l)
	}

	// Open the worker's tasks in turn (tab picks the next) until the nap's
	// detail opens; esc comes back to the workers screen each time.
	tasks := strings.Count(screen, "└ ")
	found := false
	for i := 0; i < tasks && !found; i++ {
		tm.keys("Enter")
		s := tm.waitScreen(15*time.Second, "a task's detail", func(s string) bool { return strings.Contains(s, "1 overview") })
		found = strings.Contains(s, label)
		tm.keys("Escape")
		tm.waitScreen(10*time.Second, "back on the workers screen", func(s string) bool {
			return strings.Contains(s, "workers · ") && strings.Contains(s, "hatchtop-demo")
		})
		tm.keys("Tab")
	}
	if !found {
		t.Errorf("none of the worker's %d tasks opened the nap's detail", tasks)
	}

	// The evicted task shows under the worker that has its action, as a
	// task waiting to be restored into a slot, not as one of its tasks.
	evicted := regexp.MustCompile(`◌ \d+ evicted tasks? of its actions waits? to be restored into a slot`)
	// Other tests' evicted tasks may already match the line: wait until
	// ours has left the running tasks too.
	screen = tm.waitScreen(60*time.Second, "the evicted task under the worker, not among its running tasks", func(s string) bool {
		return evicted.MatchString(s) && !strings.Contains(lineWith(s, "workers screen parked"), "└ ")
	})
	t.Logf("evicted: %q", lineWith(screen, "evicted task"))

	tm.keys("Escape")
	tm.waitScreen(10*time.Second, "back on the list", func(s string) bool {
		return !strings.Contains(s, "workers · ") && strings.Contains(s, label)
	})
}

// workersProxy is a reverse proxy in front of the engine's REST API that
// counts the worker lists and the list polls passing through, and answers
// the worker list with a 403 while refuse is set.
type workersProxy struct {
	URL string

	mu                 sync.Mutex
	workers, listPolls int
	refuse             bool
}

func startWorkersProxy(t *testing.T) *workersProxy {
	t.Helper()
	u, err := url.Parse(env.stack.APIURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &workersProxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		isWorkers := strings.HasSuffix(r.URL.Path, "/worker")
		if isWorkers {
			p.workers++
		} else if strings.HasSuffix(r.URL.Path, "/workflow-runs") {
			p.listPolls++
		}
		refuse := isWorkers && p.refuse
		p.mu.Unlock()
		if refuse {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"errors":[{"description":"this token may not list the tenant's workers"}]}`))
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

func (p *workersProxy) counts() (workers, listPolls int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.workers, p.listPolls
}

// waitPolls waits until n more list polls went through: with --refresh 1s,
// about n seconds of the program's own clock.
func (p *workersProxy) waitPolls(t *testing.T, n int) {
	t.Helper()
	_, from := p.counts()
	eventually(t, time.Duration(n)*3*time.Second, func() (bool, string) {
		_, now := p.counts()
		return now-from >= n, fmt.Sprintf("%d of %d list polls", now-from, n)
	})
}

// On the real stack, through a proxy: no worker list is asked for while
// the screen is closed, it is asked for again and again while it is open,
// and never after esc; a 403 is one clear reason on the workers screen
// while the list stays live.
func TestWorkersPolledWhileOpenAndRefusalOnTheRealEngine(t *testing.T) {
	requireStack(t)
	proxy := startWorkersProxy(t)
	tm := startTermEnv(t, 160, 30, []string{"HATCHET_CLIENT_SERVER_URL=" + proxy.URL}, "--refresh", "1s")
	tm.waitScreen(30*time.Second, "the list live", func(s string) bool { return strings.Contains(s, "● live") })
	proxy.waitPolls(t, 6)
	if n, _ := proxy.counts(); n != 0 {
		t.Fatalf("%d worker lists asked for with the screen closed", n)
	}

	opened := time.Now()
	tm.keys("W")
	tm.waitScreen(15*time.Second, "the worker", func(s string) bool { return strings.Contains(s, "hatchtop-demo") })
	eventually(t, 30*time.Second, func() (bool, string) {
		n, _ := proxy.counts()
		return n >= 3, fmt.Sprintf("%d worker lists so far", n)
	})
	n, _ := proxy.counts()
	t.Logf("%d worker lists in the %s the screen was open", n, time.Since(opened).Round(time.Second))

	proxy.mu.Lock()
	proxy.refuse = true
	proxy.mu.Unlock()
	screen := tm.waitScreen(15*time.Second, "the refusal", func(s string) bool {
		return strings.Contains(strings.Join(strings.Fields(s), " "), "this token may not list the tenant's workers")
	})
	flat := strings.Join(strings.Fields(screen), " ")
	if !strings.Contains(flat, "✘ list workers:") || !strings.Contains(flat, "HTTP 403") || !strings.Contains(flat, "asked again every 5s") {
		t.Errorf("refusal not one clear reason:\n%s", screen)
	}
	if !strings.Contains(screen, "hatchtop-demo") || !strings.Contains(screen, "list ● live") {
		t.Errorf("the last list or the list's state went with the refusal:\n%s", screen)
	}
	t.Logf("refused: %q", lineWith(screen, "✘"))

	tm.keys("Escape")
	tm.waitScreen(10*time.Second, "back on the list", func(s string) bool { return !strings.Contains(s, "workers · ") })
	closed, _ := proxy.counts()
	proxy.waitPolls(t, 12)
	if after, _ := proxy.counts(); after != closed {
		t.Errorf("%d worker lists asked for after esc", after-closed)
	}
	if s := tm.screen(); !strings.Contains(s, "● live") || strings.Contains(s, "token rejected") || strings.Contains(s, "list workers") {
		t.Errorf("the list after the refusal:\n%s", s)
	}
}
