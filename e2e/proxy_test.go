package e2e

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// countingProxy is a reverse proxy in front of the engine's REST API that
// counts the requests passing through it by route.
type countingProxy struct {
	URL string

	mu     sync.Mutex
	counts map[string]int
	times  []time.Time // of every request since the start, for the worst minute
	paths  []string    // of every request, beside its time
	query  []url.Values
}

func startCountingProxy(t *testing.T, target string) *countingProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{counts: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.counts[listKind(restRoute(r.Method, r.URL.Path), r.URL.Query())]++
		p.times = append(p.times, time.Now())
		p.paths = append(p.paths, r.URL.Path)
		p.query = append(p.query, r.URL.Query())
		p.mu.Unlock()
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// take returns the counts so far and starts again from zero.
func (p *countingProxy) take() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.counts
	p.counts = map[string]int{}
	return out
}

// worstMinute is the most requests any 60 s window since the start held
// (sliding, not calendar minutes), when that window began, and its
// requests by route.
func (p *countingProxy) worstMinute() (int, time.Time, map[string]int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	worst, from, lo := 0, 0, 0
	for hi, t := range p.times {
		for t.Sub(p.times[lo]) >= time.Minute {
			lo++
		}
		if n := hi - lo + 1; n > worst {
			worst, from = n, lo
		}
	}
	byRoute := map[string]int{}
	for i := from; i < from+worst; i++ {
		byRoute[listKind(restRoute("", p.paths[i]), p.query[i])]++
	}
	var at time.Time
	if worst > 0 {
		at = p.times[from]
	}
	return worst, at, byRoute
}

// sentTo is when the requests whose path ends in suffix (and whose query
// satisfies match, if given) went through.
func (p *countingProxy) sentTo(suffix string, match func(url.Values) bool) []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []time.Time
	for i, path := range p.paths {
		if strings.HasSuffix(path, suffix) && (match == nil || match(p.query[i])) {
			out = append(out, p.times[i])
		}
	}
	return out
}

// distinct counts, by route, the different paths (so tasks) asked for
// from since on.
func (p *countingProxy) distinct(since time.Time) map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	paths := map[string]map[string]bool{}
	for i, path := range p.paths {
		if p.times[i].Before(since) {
			continue
		}
		r := restRoute("", path)
		if paths[r] == nil {
			paths[r] = map[string]bool{}
		}
		paths[r][path] = true
	}
	out := map[string]int{}
	for r, ps := range paths {
		out[r] = len(ps)
	}
	return out
}

func total(counts map[string]int) int {
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}

// routes formats counts by route, sorted.
func routes(counts map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, k+" "+strconv.Itoa(counts[k]))
	}
	return strings.Join(parts, ", ")
}

// listKind tells the reconciliation's pages (1,000 rows and the ties of
// their cursor) from the screen query and the first page, on one route.
func listKind(route string, q url.Values) string {
	if n, _ := strconv.Atoi(q.Get("limit")); route == "list" && n >= 1000 {
		return "list(pass)"
	}
	return route
}

// restRoute names the REST call a request is: list, task, task-events,
// event-log, logs, run, or the method and path with ids elided.
func restRoute(method, path string) string {
	parts := strings.Split(strings.TrimPrefix(path, "/api/v1/stable/"), "/")
	switch {
	case len(parts) == 3 && parts[0] == "tenants" && parts[2] == "workflow-runs":
		return "list"
	case len(parts) == 4 && parts[0] == "tenants" && parts[2] == "durable-tasks" && parts[3] != "branch":
		return "event-log"
	case len(parts) == 2 && parts[0] == "tasks":
		return "task"
	case len(parts) == 3 && parts[0] == "tasks" && parts[2] == "task-events":
		return "task-events"
	case len(parts) == 3 && parts[0] == "tasks" && parts[2] == "logs":
		return "logs"
	case len(parts) == 2 && parts[0] == "workflow-runs":
		return "run"
	}
	for i, p := range parts {
		if len(p) == 36 && strings.Count(p, "-") == 4 {
			parts[i] = "{id}"
		}
	}
	return method + " " + strings.Join(parts, "/")
}
