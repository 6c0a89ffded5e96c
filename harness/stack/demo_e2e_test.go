package stack

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The demo keeps its runs coming on the real engine (issue 9): a demo run
// that ends, here an event wait whose event is sent, is replaced by a new
// run of the same task that the engine runs, and nothing is renewed that
// has not ended.
func TestDemoKeepAliveE2E(t *testing.T) {
	if os.Getenv("HATCHTOP_E2E") != "1" {
		t.Skip("real-engine test: set HATCHTOP_E2E=1 (needs Postgres 15, Node 20 and the engine build from harness/engine)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	since := time.Now().Add(-time.Minute)
	s, err := Start(ctx, Options{Worker: true, Progress: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	api := restClient{base: s.APIURL, tenant: s.TenantID, token: s.Token}

	if err := s.KeepDemoAlive(ctx); err != nil {
		t.Fatal(err)
	}
	demoLog := filepath.Join(s.LogDir, "demo.log")
	lines := readLines(t, demoLog)
	first := map[string]string{} // task → the id of its first demo run
	for _, l := range lines {
		if l == demoStarted {
			break
		}
		if f := strings.Fields(l); len(f) == 2 {
			first[f[0]] = f[1]
		}
	}
	wait := first["wait-event-labelled"]
	if len(first) < 10 || wait == "" {
		t.Fatalf("demo.log before %q names %d tasks, want every demo task:\n%s", demoStarted, len(first), strings.Join(lines, "\n"))
	}
	task := waitRunning(ctx, t, api, wait, since)
	waitLabelledEntry(ctx, t, api, task.TaskExternalID) // waiting for its event now
	t0 := time.Now()
	if err := s.PushEvent(ctx, "payment:confirmed", map[string]int{"amount": 42}); err != nil {
		t.Fatal(err)
	}

	var renewed string
	poll(ctx, t, "a renewed wait-event-labelled in demo.log", func() (bool, error) {
		for _, l := range readLines(t, demoLog) {
			if f := strings.Fields(l); len(f) == 3 && f[0] == "renewed" && f[1] == "wait-event-labelled" {
				renewed = f[2]
				return true, nil
			}
		}
		return false, nil
	})
	t.Logf("wait-event-labelled renewed %s after the event", time.Since(t0).Round(100*time.Millisecond))
	if renewed == wait {
		t.Fatalf("renewed with the old run's id %s", wait)
	}
	waitRunning(ctx, t, api, renewed, since)

	// Every renewal follows an end of the same task: nothing doubled.
	ended, renewals := map[string]int{}, map[string]int{}
	for _, l := range readLines(t, demoLog) {
		f := strings.Fields(l)
		switch {
		case len(f) == 4 && f[2] == "ended":
			ended[f[0]]++
		case len(f) == 3 && f[0] == "renewed":
			renewals[f[1]]++
			if renewals[f[1]] > ended[f[1]] {
				t.Errorf("%q: a renewal of %s without an end before it", l, f[1])
			}
		}
	}
	if ended["wait-event-labelled"] != 1 || renewals["wait-event-labelled"] != 1 {
		t.Errorf("wait-event-labelled ended %d and was renewed %d times, want once each",
			ended["wait-event-labelled"], renewals["wait-event-labelled"])
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}
