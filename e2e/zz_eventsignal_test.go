package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/durable"
)

// eventSignalSteps is how many events the test pushes, one per step of a
// wait-event-chain run, for as many pairs of delays.
const eventSignalSteps = 3

// The events list stands in for polling every event wait (model/signals.go):
// on the real engine an event pushed for an open wait is listed by
// v1-event:list, and the wait it satisfies shows satisfied in the task's
// event log. hatchtop reads a woken task at once and once more
// signalsRecheck (5 s) later, so the match must land within 5 s of the
// listing, whichever comes first.
func TestTheEventsListShowsAPushedEventAndItsWaitIsSatisfied(t *testing.T) {
	requireStack(t)
	c := dialStack(t)
	key := fmt.Sprintf("e2e:signal:%d", time.Now().UnixNano())
	id, err := restTrigger("wait-event-chain", map[string]any{"key": key, "label": "signal", "steps": eventSignalSteps})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancelRuns(t, map[string]bool{id: true}) })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	for step := 1; step <= eventSignalSteps; step++ {
		stepKey := fmt.Sprintf("%s:%d", key, step)
		// The wait must be open before its event: an unscoped wait does
		// not look back at events pushed before it.
		eventually(t, time.Minute, func() (bool, string) {
			open, err := waitsOn(ctx, c, id, stepKey)
			if err != nil {
				return false, err.Error()
			}
			return open, "the wait on " + stepKey + " is not open yet"
		})
		since := time.Now().Add(-time.Minute)
		pushed := time.Now()
		if _, err := c.PushEvent(ctx, client.Event{Key: stepKey, Payload: json.RawMessage(`{"ok":true}`)}); err != nil {
			t.Fatalf("push %s: %v", stepKey, err)
		}
		// Both conditions are polled side by side, each at its first
		// sight, so either order can be seen.
		var listed, satisfied time.Duration
		var listedAt, satisfiedAt int // the poll that saw each
		deadline := time.Now().Add(time.Minute)
		for poll := 1; listed == 0 || satisfied == 0; poll++ {
			if time.Now().After(deadline) {
				t.Fatalf("step %d: listed after %s, satisfied after %s (0: not within a minute)", step, listed, satisfied)
			}
			if listed == 0 {
				events, err := c.RecentEvents(ctx, since, 100)
				if err != nil {
					t.Fatalf("recent events: %v", err)
				}
				for _, e := range events {
					if e.Key == stepKey {
						listed, listedAt = time.Since(pushed), poll
					}
				}
			}
			if satisfied == 0 {
				open, err := waitsOn(ctx, c, id, stepKey)
				if err != nil {
					t.Fatalf("event log: %v", err)
				}
				if !open {
					satisfied, satisfiedAt = time.Since(pushed), poll
				}
			}
			time.Sleep(20 * time.Millisecond) // poll interval, not synchronisation
		}
		order := "seen by the same poll"
		switch {
		case listedAt < satisfiedAt:
			order = "listed first"
		case satisfiedAt < listedAt:
			order = "satisfied first"
		}
		t.Logf("step %d: the event was listed %s after the push, its wait satisfied %s after it (%s)",
			step, listed.Round(time.Millisecond), satisfied.Round(time.Millisecond), order)
		if satisfied-listed > 5*time.Second {
			t.Errorf("step %d: the wait was satisfied %s after its event was listed; hatchtop re-reads a woken task only 5 s after the listing",
				step, (satisfied - listed).Round(time.Millisecond))
		}
	}
}

// waitsOn reports whether a task has an open wait on key, by its event log
// read through hatchtop's client.
func waitsOn(ctx context.Context, c *client.Client, taskID, key string) (bool, error) {
	entries, err := c.EventLog(ctx, taskID)
	if err != nil {
		return false, err
	}
	for _, w := range durable.OpenWaits(entries) {
		for _, k := range w.EventKeys {
			if k == key {
				return true, nil
			}
		}
	}
	return false, nil
}
