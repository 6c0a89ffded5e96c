package e2e

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startShellTerm runs hatchtop under a shell in tmux, so that the pane
// outlives it: after hatchtop ends, the pane shows what the shell prints
// and its alternate-screen and cursor state are what hatchtop left behind.
func startShellTerm(t *testing.T, args ...string) *term {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is needed for the screen tests (apt-get install tmux)")
	}
	tm := &term{t: t, socket: fmt.Sprintf("hatchtop-e2e-sig-%d", time.Now().UnixNano())}
	cmdline := []string{"env", "-i"}
	cmdline = append(cmdline, append(cleanEnv(), env.stack.Env()...)...)
	cmdline = append(cmdline, "TERM=xterm-256color", "sh", "-c",
		`echo "shell before hatchtop"; "$0" "$@"; echo "hatchtop exited with $?"; exec sleep 300`, env.bin)
	cmdline = append(cmdline, args...)
	tm.tmux(append([]string{"new-session", "-d", "-s", "main", "-x", "120", "-y", "30"}, quoteAll(cmdline)...)...)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

// hatchtopPID is the pid of hatchtop, the child of the pane's shell.
func (tm *term) hatchtopPID() int {
	tm.t.Helper()
	shell := strings.TrimSpace(tm.tmux("display-message", "-p", "-t", "main", "#{pane_pid}"))
	var pid int
	eventually(tm.t, 10*time.Second, func() (bool, string) {
		out, _ := exec.Command("ps", "-o", "pid=,comm=", "--ppid", shell).Output()
		for _, l := range strings.Split(string(out), "\n") {
			f := strings.Fields(l)
			if len(f) == 2 && f[1] == "hatchtop" {
				pid, _ = strconv.Atoi(f[0])
				return true, ""
			}
		}
		return false, "no hatchtop child of the shell " + shell + ": " + string(out)
	})
	return pid
}

// On SIGTERM, SIGHUP or SIGINT from outside, hatchtop leaves the alternate
// screen and shows the cursor again before it ends: the pane is the
// shell's again, with what it printed before hatchtop still there.
func TestSignalsRestoreTheTerminal(t *testing.T) {
	requireStack(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			tm := startShellTerm(t, "--refresh", "1s")
			tm.waitScreen(30*time.Second, "the dashboard", func(s string) bool {
				return strings.Contains(s, "REMAINING") && !strings.Contains(s, "shell before hatchtop")
			})
			if on := tm.paneFlag("alternate_on"); on != "1" {
				t.Fatalf("the dashboard is not in the alternate screen (alternate_on=%s)", on)
			}
			if err := syscall.Kill(tm.hatchtopPID(), sig); err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("hatchtop exited with %d", 128+int(sig))
			screen := tm.waitScreen(10*time.Second, "the shell to report the exit", func(s string) bool {
				return strings.Contains(s, "hatchtop exited with")
			})
			if !strings.Contains(screen, want) {
				t.Errorf("want %q:\n%s", want, screen)
			}
			if !strings.Contains(screen, "shell before hatchtop") || strings.Contains(screen, "REMAINING") {
				t.Errorf("the pane is not the shell's screen again:\n%s", screen)
			}
			if on := tm.paneFlag("alternate_on"); on != "0" {
				t.Errorf("still in the alternate screen after %s (alternate_on=%s)", sig, on)
			}
			if c := tm.paneFlag("cursor_flag"); c != "1" {
				t.Errorf("cursor hidden after %s (cursor_flag=%s)", sig, c)
			}
		})
	}
}

func (tm *term) paneFlag(name string) string {
	return strings.TrimSpace(tm.tmux("display-message", "-p", "-t", "main", "#{"+name+"}"))
}
