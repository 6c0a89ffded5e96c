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
// unless they are under a second and non-zero ("350ms"). It is total: every
// int64, math.MinInt64 included, has a rendering.
func FormatDuration(d time.Duration) string {
	if d < 0 {
		// -(d+1)+1 is |d| without overflowing at math.MinInt64.
		return "-" + formatMagnitude(uint64(-(d+1))+1)
	}
	return formatMagnitude(uint64(d))
}

// formatMagnitude renders n nanoseconds.
func formatMagnitude(n uint64) string {
	const ns = uint64(time.Second)
	if n > 0 && n < ns {
		return strconv.FormatUint(n/uint64(time.Millisecond), 10) + "ms"
	}
	s := n / ns
	days, s := s/86400, s%86400
	hours, s := s/3600, s%3600
	mins, secs := s/60, s%60
	units := []struct {
		n    uint64
		unit string
	}{{days, "d"}, {hours, "h"}, {mins, "m"}, {secs, "s"}}
	// The largest unit and the one below it are enough to read at a glance.
	for i, u := range units {
		if u.n == 0 {
			continue
		}
		out := strconv.FormatUint(u.n, 10) + u.unit
		if i+1 < len(units) && units[i+1].n > 0 {
			out += strconv.FormatUint(units[i+1].n, 10) + units[i+1].unit
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
	d, past := Remaining(w.Deadline, now)
	if past {
		return "overdue " + FormatDuration(d)
	}
	return FormatDuration(d)
}

// CountdownText renders time left until a deadline still ahead by the rule
// Remaining keeps, for callers that hold a duration rather than a deadline.
func CountdownText(left time.Duration) string {
	if left <= 0 {
		return "0s"
	}
	return FormatDuration(max(left.Truncate(time.Second), time.Second))
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
