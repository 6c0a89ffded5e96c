package durable

import "time"

// Remaining is what a countdown to deadline shows at now: the time left,
// cut down to the second (FormatDuration shows two units and drops the
// rest, so rounding up made a 24 h sleep read "1d" in its first frame and
// "23h59m" a second later) but never under 1s while the deadline is still
// ahead; or, once it is reached, past and the time since it, cut to the
// second. Every countdown (waits, timeouts) reads it, so one deadline reads
// the same wherever it is shown.
func Remaining(deadline, now time.Time) (d time.Duration, past bool) {
	if !now.Before(deadline) {
		return now.Sub(deadline).Truncate(time.Second), true
	}
	return max(deadline.Sub(now).Truncate(time.Second), time.Second), false
}
