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

// The events list stands in for polling every event wait: on the real
// engine an event pushed for an open wait is listed by v1-event:list, and
// the wait's log shows it satisfied within the 5 s after which hatchtop
// reads a woken task once more.
func TestTheEventsListShowsAnEventOnceItsWaitIsSatisfied(t *testing.T) {
	requireStack(t)
	c := dialStack(t)
	key := fmt.Sprintf("e2e:signal:%d", time.Now().UnixNano())
	id, err := restTrigger("wait-event-labelled", map[string]any{"key": key, "label": "signal"})
	if err != nil {
		t.Fatal(err)
	}
	waitOpenWait(t, id)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	since := time.Now().Add(-time.Minute)
	pushed := time.Now()
	if _, err := c.PushEvent(ctx, client.Event{Key: key, Payload: json.RawMessage(`{"ok":true}`)}); err != nil {
		t.Fatalf("push %s: %v", key, err)
	}
	var listedAfter time.Duration
	eventually(t, time.Minute, func() (bool, string) {
		events, err := c.RecentEvents(ctx, since, 100)
		if err != nil {
			return false, err.Error()
		}
		for _, e := range events {
			if e.Key == key {
				listedAfter = time.Since(pushed)
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d recent events, none with key %s", len(events), key)
	})
	// The engine lists the event before it has matched it (tens of ms
	// after the push): hatchtop reads a woken task once more
	// signalsRecheck (5 s) later, so the match must land within that.
	var satisfiedAfter time.Duration
	eventually(t, time.Minute, func() (bool, string) {
		entries, err := c.EventLog(ctx, id)
		if err != nil {
			return false, err.Error()
		}
		for _, w := range durable.OpenWaits(entries) {
			for _, k := range w.EventKeys {
				if k == key {
					return false, "the wait is still open"
				}
			}
		}
		satisfiedAfter = time.Since(pushed)
		return true, ""
	})
	if satisfiedAfter > 5*time.Second {
		t.Errorf("the wait was satisfied %s after the push; hatchtop's recheck of a woken task comes 5 s after the event is listed", satisfiedAfter)
	}
	t.Logf("the event was listed %s after the push; its wait was satisfied %s after the push", listedAfter.Round(time.Millisecond), satisfiedAfter.Round(time.Millisecond))
}
