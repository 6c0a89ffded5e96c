package e2e

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// term is hatchtop running in a private tmux server, read as a person
// would: by the characters on screen.
type term struct {
	t      *testing.T
	socket string
}

func startTerm(t *testing.T, width, height int, args ...string) *term {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is needed for the screen tests (apt-get install tmux)")
	}
	tm := &term{t: t, socket: fmt.Sprintf("hatchtop-e2e-%d", time.Now().UnixNano())}
	cmdline := []string{"env", "-i"}
	cmdline = append(cmdline, append(cleanEnv(), env.stack.Env()...)...)
	cmdline = append(cmdline, "TERM=xterm-256color", env.bin)
	cmdline = append(cmdline, args...)
	tm.tmux(append([]string{"new-session", "-d", "-s", "main", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height)}, quoteAll(cmdline)...)...)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

func quoteAll(args []string) []string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
	}
	return []string{b.String()}
}

func (tm *term) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (tm *term) screen() string { return tm.tmux("capture-pane", "-p", "-t", "main") }

func (tm *term) keys(keys ...string) {
	tm.tmux(append([]string{"send-keys", "-t", "main"}, keys...)...)
}

// waitScreen waits until the screen satisfies cond and returns it.
func (tm *term) waitScreen(within time.Duration, what string, cond func(string) bool) string {
	tm.t.Helper()
	var s string
	eventually(tm.t, within, func() (bool, string) {
		s = tm.screen()
		return cond(s), what + "; screen:\n" + s
	})
	return s
}

func lineWith(screen, text string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}

// The last columns of a row: remaining, attempt, the time to timeout when
// known ("23h58m", "⚠ 20s", "due"), elapsed.
var tailCells = regexp.MustCompile(`(\S+)\s+(\d+(?:/\d+)?)(?:\s+(?:⚠ )?(?:\d\S*|due))?\s+(\S+)\s*$`)

func remainingOn(screen, label string) (time.Duration, bool) {
	m := tailCells.FindStringSubmatch(lineWith(screen, label))
	if m == nil {
		return 0, false
	}
	d, err := time.ParseDuration(m[1])
	return d, err == nil
}

func TestDashboardOnTheRealEngine(t *testing.T) {
	requireStack(t)
	waitForAllWaits(t)
	tm := startTerm(t, 200, 40, "--refresh", "1s")
	screen := tm.waitScreen(30*time.Second, "labels and the retried task", func(s string) bool {
		return strings.Contains(s, longSleepLabel) && strings.Contains(s, "third time lucky") &&
			strings.Contains(s, "● live") && strings.Contains(s, "v0.105.0")
	})

	// The countdown of the 120 s sleep ticks down between two frames and
	// agrees with the deadline computed from the engine's own data.
	r1, ok := remainingOn(screen, longSleepLabel)
	t1 := time.Now()
	if !ok {
		t.Fatalf("no countdown on the long sleep's row:\n%s", lineWith(screen, longSleepLabel))
	}
	var long string
	for _, task := range snapshot(t).Tasks {
		if task.RunID == env.runs["long-sleep"] {
			long = task.ID
		}
	}
	log := restEventLog(t, long)
	deadline := log[0].InsertedAt.Add(time.Duration(log[0].WaitData[0].SleepDurationMs) * time.Millisecond)
	if off := t1.Add(r1).Sub(deadline); off < -2*time.Second || off > 2*time.Second {
		t.Errorf("screen says %s left at %s: off the REST deadline %s by %s", r1, t1.Format(time.RFC3339Nano), deadline, off)
	}
	tm.waitScreen(5*time.Second, "the countdown to decrease", func(s string) bool {
		r2, ok := remainingOn(s, longSleepLabel)
		return ok && r2 < r1
	})

	// The OR group, the attempt, the unlabelled sleep, the escape sequence.
	screen = tm.screen()
	if l := lineWith(screen, "approval or timeout"); !strings.Contains(l, "event e2e:approval:granted | sleep 1h") {
		t.Errorf("OR group not described: %q", l)
	}
	if l := lineWith(screen, "third time lucky"); !strings.Contains(l, " 3/4 ") {
		t.Errorf("retried task does not show attempt 3/4: %q", l)
	}
	if l := lineWith(screen, "sleeping 5m"); l == "" {
		t.Errorf("unlabelled sleep has no readable description:\n%s", screen)
	}
	if l := lineWith(screen, "red label"); l == "" || strings.Contains(screen, "pwned") {
		t.Errorf("escape label not shown cleanly: %q", l)
	}
	if title := strings.TrimSpace(tm.tmux("display-message", "-p", "-t", "main", "#{pane_title}")); title == "pwned" {
		t.Errorf("a label changed the terminal title to %q", title)
	}

	// Filter, help, resize to 80x24, quit.
	tm.keys("/")
	tm.waitScreen(5*time.Second, "the filter prompt", func(s string) bool { return strings.Contains(s, "keep filter") })
	tm.keys("payment", "Enter")
	tm.waitScreen(5*time.Second, "the filter to keep one row", func(s string) bool {
		return strings.Contains(s, "awaiting payment") && !strings.Contains(s, longSleepLabel)
	})
	// Keys go one at a time, as a person types them: esc and ? in one read
	// is alt+? to a terminal.
	tm.keys("Escape")
	tm.waitScreen(5*time.Second, "esc to clear the filter", func(s string) bool {
		return !strings.Contains(s, "filter payment") && strings.Contains(s, longSleepLabel)
	})
	tm.keys("?")
	tm.waitScreen(5*time.Second, "the help", func(s string) bool { return strings.Contains(s, "page down") })
	tm.keys("Escape")
	tm.tmux("resize-window", "-t", "main", "-x", "80", "-y", "24")
	screen = tm.waitScreen(5*time.Second, "the 80x24 layout", func(s string) bool {
		return strings.Contains(s, "REMAINING") && strings.Contains(s, "ATTEMPT") && strings.Contains(s, "cooling down")
	})
	for i, l := range strings.Split(strings.TrimRight(screen, "\n"), "\n") {
		if w := len([]rune(l)); w > 80 {
			t.Errorf("line %d is %d wide at 80 columns: %q", i, w, l)
		}
	}
	tm.keys("q")
	eventually(t, 5*time.Second, func() (bool, string) {
		err := exec.Command("tmux", "-L", tm.socket, "has-session", "-t", "main").Run()
		return err != nil, "hatchtop still running after q"
	})
}
