package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client"
)

const (
	// selectedSteps is how many staleness samples the test takes: one per
	// event of a wait-event-chain run but the last.
	selectedSteps = 5
	// selectedWithin is issue 8's figure: the selected row shows its new
	// wait within 2 s of the event, beyond the engine's own delay.
	selectedWithin = 2 * time.Second
	// selectedLogEvery is model/scheduler.go's: the selected row's log is
	// read every 2 s while it waits for an event.
	selectedLogEvery = 2 * time.Second
	// selectedSampling is what the measurement itself may add: the screen
	// is captured every 25 ms and a capture takes a few ms more. (The REST
	// log, sampled as often, errs the other way: the engine's delay reads
	// late, so hatchtop's share reads short.) A REST read and a frame are
	// hatchtop's own, inside the 2 s: 40 to 80 ms here.
	selectedSampling = 50 * time.Millisecond
)

// The selected row, at the top of the list, is a durable task waiting for
// an event; each pushed event moves it to its next wait, with a new
// label. The staleness (push to new label on screen) less the engine's
// delay (push to the new wait in the engine's REST event log: no reader
// can show it before) is what hatchtop adds, and it stays within 2 s.
func TestSelectedRowShowsItsNextWaitWithin2sOfTheEngine(t *testing.T) {
	requireStack(t)
	key := fmt.Sprintf("e2e:selected:%d", time.Now().UnixNano())
	label := fmt.Sprintf("selected %d", time.Now().UnixNano()%100_000)
	id, err := restTrigger("wait-event-chain", map[string]any{"key": key, "label": label, "steps": selectedSteps + 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancelRuns(t, map[string]bool{id: true}) })
	stepLabel := func(i int) string { return fmt.Sprintf("%s step %d", label, i) }

	// Behind a counting proxy, so the log tells when hatchtop read the
	// task: the staleness splits into the wait for the next read (the
	// scheduler's) and the read and the frame (the machine's).
	proxy := startCountingProxy(t, env.stack.APIURL)
	tm := startTermEnv(t, 200, 30, []string{"HATCHET_CLIENT_SERVER_URL=" + proxy.URL})
	tm.waitScreen(60*time.Second, "our task labelled at the top of the live list", func(s string) bool {
		return strings.Contains(header(s), "● live") && strings.Contains(topRow(s), stepLabel(1))
	})
	tm.keys("g") // the cursor on the top row: the selected row is ours
	c := dialStack(t)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var worst time.Duration
	for i := 1; i <= selectedSteps; i++ {
		next := stepLabel(i + 1)
		eventually(t, time.Minute, func() (bool, string) {
			open, err := restOpenWait(ctx, id, stepLabel(i))
			if err != nil {
				return false, err.Error()
			}
			return open, stepLabel(i) + " is not open in the engine's log yet"
		})
		// The engine's side is watched from the moment of the push, beside
		// the screen.
		type engineTimes struct {
			satisfied, registered time.Duration
			err                   error
		}
		engine := make(chan engineTimes, 1)
		// Each push comes at another point of hatchtop's 2 s read of the
		// selected row (0, 0.4, … 1.6 s after the screen showed the last
		// label, which follows a read): pushing right after the last label
		// showed would sample one phase only. A measurement offset, not
		// synchronisation.
		time.Sleep(time.Duration(i-1) * selectedLogEvery / selectedSteps)
		pushed := time.Now()
		if _, err := c.PushEvent(ctx, client.Event{Key: fmt.Sprintf("%s:%d", key, i), Payload: json.RawMessage(`{"ok":true}`)}); err != nil {
			t.Fatalf("push step %d: %v", i, err)
		}
		go func() {
			var et engineTimes
			for et.registered == 0 && ctx.Err() == nil {
				entries, err := restEntries(ctx, id)
				if err != nil {
					et.err = err
					break
				}
				for _, e := range entries {
					if e.UserMessage == stepLabel(i) && e.IsSatisfied && et.satisfied == 0 {
						et.satisfied = time.Since(pushed)
					}
					if e.UserMessage == next {
						et.registered = time.Since(pushed)
					}
				}
				time.Sleep(25 * time.Millisecond) // poll interval, not synchronisation
			}
			engine <- et
		}()
		var stale time.Duration
		deadline := time.Now().Add(time.Minute)
		for stale == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("step %d: the top row does not show %q a minute after the push:\n%s", i, next, tm.screen())
			}
			if strings.Contains(topRow(tm.screen()), next) {
				stale = time.Since(pushed)
				break
			}
			time.Sleep(25 * time.Millisecond) // poll interval, not synchronisation
		}
		et := <-engine
		if et.err != nil {
			t.Fatalf("step %d: the engine's event log: %v", i, et.err)
		}
		added := stale - et.registered
		worst = max(worst, added)
		read := "no read of the task seen"
		for _, at := range proxy.sentTo("/durable-tasks/"+id, nil) {
			if d := at.Sub(pushed); d >= et.registered && d <= stale {
				read = fmt.Sprintf("hatchtop read it %s after the push", d.Round(time.Millisecond))
				break
			}
		}
		t.Logf("step %d: new label on screen %s after the push; the engine satisfied the wait after %s and logged the next one after %s (%s); hatchtop added %s",
			i, stale.Round(time.Millisecond), et.satisfied.Round(time.Millisecond), et.registered.Round(time.Millisecond), read, added.Round(time.Millisecond))
		if added > selectedWithin+selectedSampling {
			t.Errorf("step %d: the selected row showed its next wait %s after the engine logged it (want within %s, plus %s of sampling)",
				i, added.Round(time.Millisecond), selectedWithin, selectedSampling)
		}
	}
	t.Logf("worst of %d: hatchtop added %s to the engine's delay", selectedSteps, worst.Round(time.Millisecond))
}

// topRow is the first row of the list: after the two header lines and the
// column titles.
func topRow(screen string) string {
	lines := strings.Split(screen, "\n")
	if len(lines) < 4 {
		return ""
	}
	return lines[3]
}

type restEntry struct {
	UserMessage string `json:"userMessage"`
	IsSatisfied bool   `json:"isSatisfied"`
}

// restEntries reads a task's durable event log straight from the API,
// returning errors rather than failing, so a goroutine can use it.
func restEntries(ctx context.Context, taskID string) ([]restEntry, error) {
	url := fmt.Sprintf("%s/api/v1/stable/tenants/%s/durable-tasks/%s", env.stack.APIURL, env.stack.TenantID, taskID)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+env.stack.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET event log: %w", err)
	}
	defer resp.Body.Close()
	var out []restEntry
	if resp.StatusCode != http.StatusOK {
		return nil, nil // not readable yet: a task just created
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("decode event log: %w", err)
	}
	return out, nil
}

// restOpenWait reports whether the wait labelled label is open in the
// engine's log.
func restOpenWait(ctx context.Context, taskID, label string) (bool, error) {
	entries, err := restEntries(ctx, taskID)
	for _, e := range entries {
		if e.UserMessage == label && !e.IsSatisfied {
			return true, err
		}
	}
	return false, err
}
