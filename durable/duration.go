package durable

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// FormatDuration renders a duration compactly for a narrow column:
// "45s", "2m", "2m30s", "1h5m", "3d4h". Sub-second values round to "0s"
// unless they are under a second and non-zero ("350ms").
func FormatDuration(d time.Duration) string {
	if d < 0 {
		return "-" + FormatDuration(-d)
	}
	if d > 0 && d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	s := int64(d / time.Second)
	days, s := s/86400, s%86400
	hours, s := s/3600, s%3600
	mins, secs := s/60, s%60
	units := []struct {
		n    int64
		unit string
	}{{days, "d"}, {hours, "h"}, {mins, "m"}, {secs, "s"}}
	// The largest unit and the one below it are enough to read at a glance.
	for i, u := range units {
		if u.n == 0 {
			continue
		}
		out := strconv.FormatInt(u.n, 10) + u.unit
		if i+1 < len(units) && units[i+1].n > 0 {
			out += strconv.FormatInt(units[i+1].n, 10) + units[i+1].unit
		}
		return out
	}
	return "0s"
}

// Countdown renders the remaining time of a wait: "1m59s", or "overdue 3s"
// once the deadline has passed.
func Countdown(w Wait, now time.Time) string {
	if w.Deadline.IsZero() {
		return ""
	}
	if w.Overdue(now) {
		return "overdue " + FormatDuration(now.Sub(w.Deadline).Truncate(time.Second))
	}
	// Round up so a countdown never shows 0s while still running.
	r := w.Remaining(now)
	return FormatDuration((r + time.Second - 1).Truncate(time.Second))
}

// incrementPattern is the engine's own rule for a timeout increment:
// decimal numbers each with a unit of ms, s, m or h ("30s", "1h30m", "1.5h").
var incrementPattern = regexp.MustCompile(`^(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ms|s|m|h))+$`)

// ParseIncrement validates a timeout increment typed by a person the way
// the engine will, so a bad one is refused before anything is sent.
func ParseIncrement(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return 0, errors.New("type a duration such as 5m, 90s or 1h30m")
	case strings.HasPrefix(s, "-"):
		return 0, fmt.Errorf("%q is negative: a timeout can only be pushed further out", s)
	case !incrementPattern.MatchString(s):
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return 0, fmt.Errorf("%q has no unit: add ms, s, m or h", s)
		}
		return 0, fmt.Errorf("%q is not a duration: use numbers with ms, s, m or h (5m, 90s, 1h30m)", s)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: %w", s, err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q adds nothing: use a positive duration", s)
	}
	return d, nil
}
