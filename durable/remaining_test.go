package durable

import (
	"math"
	"testing"
	"time"
)

func TestRemaining(t *testing.T) {
	deadline := t0.Add(2 * time.Minute)
	for _, c := range []struct {
		at   time.Time
		d    time.Duration
		past bool
	}{
		{t0, 2 * time.Minute, false},
		{t0.Add(500 * time.Millisecond), 119 * time.Second, false}, // cut down, as the format cuts
		{deadline.Add(-1), time.Second, false},
		{deadline, 0, true},
		{deadline.Add(3500 * time.Millisecond), 3 * time.Second, true}, // the time since, cut
	} {
		if d, past := Remaining(deadline, c.at); d != c.d || past != c.past {
			t.Errorf("Remaining at %s = %s, %v; want %s, %v", c.at.Sub(t0), d, past, c.d, c.past)
		}
	}
	// A deadline beyond what a Duration holds saturates, never wraps.
	if d, past := Remaining(t0.Add(math.MaxInt64), t0.Add(-time.Hour)); past || d <= 0 {
		t.Errorf("far deadline = %s, %v", d, past)
	}
}
