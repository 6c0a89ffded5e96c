package durable

import "time"

// Remaining is what a countdown to deadline shows at now: the time left,
// rounded up to a whole second so a countdown never reads 0s while the
// deadline is still ahead; or, once it is reached, past and the time since
// it, cut to the second. Every countdown (waits, timeouts) reads it, so one
// deadline reads the same wherever it is shown.
func Remaining(deadline, now time.Time) (d time.Duration, past bool) {
	if !now.Before(deadline) {
		return now.Sub(deadline).Truncate(time.Second), true
	}
	return CeilSecond(deadline.Sub(now)), false
}
