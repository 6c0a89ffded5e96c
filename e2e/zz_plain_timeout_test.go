package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// timeoutCell is the TIMEOUT of a row without a wait: attempt, time to
// timeout, elapsed at the end of the line.
var timeoutCell = regexp.MustCompile(`\s(\d+(?:/\d+)?)\s+((?:\d+h)?(?:\d+m)?(?:\d+s)?)\s+\S+\s*$`)

func timeoutOf(row string) (time.Duration, bool) {
	m := timeoutCell.FindStringSubmatch(row)
	if m == nil || m[2] == "" {
		return 0, false
	}
	d, err := time.ParseDuration(m[2])
	return d, err == nil
}

// A plain (non-durable) running task shows its time to timeout in the
// list, as the detail does, and the refreshed one after `t`.
func TestPlainTaskTimeoutInTheList(t *testing.T) {
	requireStack(t)
	trigger(t, "plain-wait", map[string]any{"seconds": 200})
	tm := startTerm(t, 160, 30, "--refresh", "1s")
	tm.filterTo("plain-wait")
	var before time.Duration
	tm.waitScreen(30*time.Second, "the plain task's TIMEOUT", func(s string) bool {
		d, ok := timeoutOf(rowWith(s, "plain-wait"))
		before = d
		return ok && d > 3*time.Minute && d <= 5*time.Minute
	})
	tm.keys("Enter")
	tm.waitScreen(20*time.Second, "the detail's time to timeout", func(s string) bool {
		return regexp.MustCompile(`time to timeout\s+in [34]m`).MatchString(s)
	})
	tm.keys("Escape")
	tm.waitScreen(5*time.Second, "the list again", func(s string) bool { return strings.Contains(s, "TIMEOUT") })
	tm.keys("t")
	tm.waitScreen(10*time.Second, "the prompt", func(s string) bool { return strings.Contains(s, "Refresh timeout") && strings.Contains(s, "5m") })
	tm.keys("Enter")
	tm.confirm("adds 5m")
	tm.waitScreen(30*time.Second, "the refreshed TIMEOUT in the list", func(s string) bool {
		d, ok := timeoutOf(rowWith(s, "plain-wait"))
		return ok && d > before+4*time.Minute
	})
}
