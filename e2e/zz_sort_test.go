package e2e

import (
	"strings"
	"testing"
	"time"
)

// Sorted by REMAINING on the real stack, three sleeps triggered longest
// first read shortest first on screen, and the other way round after S;
// the order holds while the countdowns tick.
func TestSortByRemainingOnTheRealEngine(t *testing.T) {
	requireStack(t)
	// Triggered so that newest first (the default) is neither order.
	labels := []struct {
		label, sleep string
	}{{"sortcheck long", "300s"}, {"sortcheck short", "100s"}, {"sortcheck mid", "200s"}}
	for _, l := range labels {
		trigger(t, "sleep-labelled", map[string]any{"sleep": l.sleep, "label": l.label})
	}
	tm := startTerm(t, 200, 40, "--refresh", "1s")
	tm.waitScreen(60*time.Second, "the three sleeps with their countdowns", func(s string) bool {
		for _, l := range labels {
			if _, ok := remainingOn(s, l.label); !ok {
				return false
			}
		}
		return true
	})
	tm.keys("/")
	tm.keys("-l", "sortcheck")
	tm.keys("Enter")
	for range 4 { // newest first → STATUS → TASK → WAIT → REMAINING
		tm.keys("s")
	}
	screen := tm.waitScreen(10*time.Second, "REMAINING↑ in the titles", func(s string) bool { return strings.Contains(s, "REMAINING↑") })
	checkOrder(t, screen, "sortcheck short", "sortcheck mid", "sortcheck long")

	// Countdowns tick; the rows stay.
	start := time.Now()
	screen = tm.waitScreen(10*time.Second, "the countdowns to move", func(s string) bool {
		r, ok := remainingOn(s, "sortcheck short")
		return ok && time.Since(start) > 3*time.Second && r < 100*time.Second-3*time.Second
	})
	checkOrder(t, screen, "sortcheck short", "sortcheck mid", "sortcheck long")

	tm.keys("S")
	screen = tm.waitScreen(10*time.Second, "REMAINING↓ in the titles", func(s string) bool { return strings.Contains(s, "REMAINING↓") })
	checkOrder(t, screen, "sortcheck long", "sortcheck mid", "sortcheck short")
	t.Logf("sorted by remaining, reversed:\n%s", screen)
}

// checkOrder fails unless the labels are on screen top to bottom in this
// order.
func checkOrder(t *testing.T, screen string, labels ...string) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	at := func(label string) int {
		for i, l := range lines {
			if strings.Contains(l, label) {
				return i
			}
		}
		return -1
	}
	for i := 1; i < len(labels); i++ {
		a, b := at(labels[i-1]), at(labels[i])
		if a < 0 || b < 0 || a >= b {
			t.Fatalf("%q (line %d) is not above %q (line %d):\n%s", labels[i-1], a, labels[i], b, screen)
		}
	}
}
