//go:build linux

package perf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/sys/unix"

	"github.com/hatchtop/hatchtop/harness/fakeengine"
)

// The terminal every benchmark runs hatchtop in: 200×50 shows 46 rows.
const (
	termCols    = 200
	termRows    = 50
	visibleRows = termRows - 4 // title, counts, column titles, footer
)

// taskRow matches the task column of a workload row: the fake stamps the
// display names as the SDKs do, workflow name plus a number. Nothing else
// on the screen (header, column titles, footer) looks like that.
var taskRow = regexp.MustCompile(`(?:sleep|wait-event)-labelled-\d{6,}`)

// buildHatchtop builds the binary of this checkout into a temporary
// directory, as `go build` would for a user, unless -perf.bin names one.
func buildHatchtop(b *testing.B) string {
	b.Helper()
	if *prebuilt != "" {
		return *prebuilt
	}
	bin := filepath.Join(b.TempDir(), "hatchtop")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/hatchtop/hatchtop")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build hatchtop: %v\n%s", err, out)
	}
	return bin
}

// startFake serves n active durable tasks until the benchmark ends.
func startFake(b *testing.B, n int) *fakeengine.Server {
	b.Helper()
	srv, err := fakeengine.Start(fakeengine.Workload{Tasks: n})
	if err != nil {
		b.Fatalf("start the fake engine: %v", err)
	}
	b.Cleanup(srv.Close)
	return srv
}

// hatchtopEnv is the whole environment of the binary: the fake's
// HATCHET_CLIENT_* variables, an empty HOME (no config file, no profiles
// of the person running the benchmark) and an xterm, then -perf.env's.
func hatchtopEnv(b *testing.B, srv *fakeengine.Server) []string {
	b.Helper()
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + b.TempDir(), "TERM=xterm-256color", "LANG=C.UTF-8"}
	for k, v := range srv.Env() {
		env = append(env, k+"="+v)
	}
	return append(env, extraEnv...)
}

// ptyRun is hatchtop on a pseudo-terminal the benchmark owns and reads
// byte by byte, answering the terminal queries a real xterm answers (the
// background colour, the cursor position), so that start-up is neither
// delayed by an unanswered query nor sped up by a missing one.
type ptyRun struct {
	cmd    *exec.Cmd
	master *os.File
	start  time.Time

	mu       sync.Mutex
	firstRow time.Time // when a task row was first written; zero until then
	seen     chan struct{}
	done     chan struct{} // the reader has ended (the program exited)
}

// openPTY opens a pseudo-terminal pair sized cols×rows.
func openPTY(cols, rows int) (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open /dev/ptmx: %w", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("unlock the pty: %w", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("pty number: %w", err)
	}
	slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, fmt.Errorf("open the pty's terminal: %w", err)
	}
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: uint16(rows), Col: uint16(cols)}); err != nil {
		master.Close()
		slave.Close()
		return nil, nil, fmt.Errorf("size the pty: %w", err)
	}
	return master, slave, nil
}

// startPTY starts bin on a new pseudo-terminal; start is taken just before
// the fork, so everything the process does (runtime start, dial, version
// check, first page, first frame) is inside the measurement.
func startPTY(b *testing.B, bin string, env []string, args ...string) *ptyRun {
	b.Helper()
	master, slave, err := openPTY(termCols, termRows)
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	r := &ptyRun{cmd: cmd, master: master, seen: make(chan struct{}), done: make(chan struct{})}
	r.start = time.Now()
	if err := cmd.Start(); err != nil {
		master.Close()
		slave.Close()
		b.Fatalf("start hatchtop: %v", err)
	}
	slave.Close() // the child has its own; the reader sees EIO once it exits
	go r.read()
	return r
}

// The terminal queries hatchtop makes at start (termenv's colour probes,
// each followed by a cursor position query) and an xterm's answers: white
// on black, cursor home. They are answered one by one in the order asked,
// as a terminal does; an answer out of order would be read as keys.
var queries = []struct{ ask, answer []byte }{
	{[]byte("\x1b]11;?"), []byte("\x1b]11;rgb:0000/0000/0000\x1b\\")},
	{[]byte("\x1b]10;?"), []byte("\x1b]10;rgb:ffff/ffff/ffff\x1b\\")},
	{[]byte("\x1b[6n"), []byte("\x1b[1;1R")},
}

// read drains the terminal until the program exits: a program whose
// terminal is not read blocks on its writes.
func (r *ptyRun) read() {
	defer close(r.done)
	var out []byte     // everything written up to the first row
	var pending []byte // written but not yet scanned for queries
	buf := make([]byte, 64<<10)
	found := false
	for {
		n, err := r.master.Read(buf)
		if n > 0 {
			at := time.Now()
			pending = r.answer(append(pending, buf[:n]...))
			if !found {
				out = append(out, buf[:n]...)
				if taskRow.MatchString(ansi.Strip(string(out))) {
					found, out = true, nil
					r.mu.Lock()
					r.firstRow = at
					r.mu.Unlock()
					close(r.seen)
				}
			}
		}
		if err != nil {
			return // EIO: the program has exited and closed the terminal
		}
	}
}

// answer answers the queries in b in order and returns what may still be
// the start of one (a query can straddle two reads).
func (r *ptyRun) answer(b []byte) []byte {
	for {
		next, which := -1, -1
		for i, q := range queries {
			if j := bytes.Index(b, q.ask); j >= 0 && (next < 0 || j < next) {
				next, which = j, i
			}
		}
		if next < 0 {
			break
		}
		r.master.Write(queries[which].answer)
		b = b[next+len(queries[which].ask):]
	}
	if i := bytes.LastIndexByte(b, 0x1b); i >= 0 && len(b)-i < 8 {
		return append([]byte(nil), b[i:]...)
	}
	return nil
}

// waitFirstRow waits until a task row has been written and returns how
// long after the start that was.
func (r *ptyRun) waitFirstRow(b *testing.B, within time.Duration) time.Duration {
	b.Helper()
	select {
	case <-r.seen:
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.firstRow.Sub(r.start)
	case <-r.done:
		b.Fatalf("hatchtop exited before showing a row: %v", r.cmd.Wait())
	case <-time.After(within):
		b.Fatalf("no task row on the terminal within %s", within)
	}
	return 0
}

// stop ends the program with SIGTERM, as closing a terminal would, and
// waits for it.
func (r *ptyRun) stop(b *testing.B) {
	b.Helper()
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
	err := r.cmd.Wait()
	r.master.Close()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		b.Fatalf("wait for hatchtop: %v", err)
	}
}

// tmuxRun is hatchtop in a private tmux server, read as a person would:
// by the characters on screen.
type tmuxRun struct {
	b      *testing.B
	socket string
	pid    int
}

func startTmux(b *testing.B, bin string, env []string, args ...string) *tmuxRun {
	b.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		b.Fatal("tmux is needed for the screen benchmarks (apt-get install tmux)")
	}
	tm := &tmuxRun{b: b, socket: fmt.Sprintf("hatchtop-perf-%d-%d", os.Getpid(), time.Now().UnixNano())}
	// exec twice (sh, then env) so the pane's process is hatchtop itself.
	line := "exec " + quote(append(append([]string{"env", "-i"}, env...), append([]string{bin}, args...)...))
	tm.tmux("new-session", "-d", "-s", "main", "-x", strconv.Itoa(termCols), "-y", strconv.Itoa(termRows), line)
	b.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	pid, err := strconv.Atoi(strings.TrimSpace(tm.tmux("display-message", "-p", "-t", "main", "#{pane_pid}")))
	if err != nil {
		b.Fatalf("pane pid: %v", err)
	}
	tm.pid = pid
	return tm
}

func quote(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}

func (tm *tmuxRun) tmux(args ...string) string {
	tm.b.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.b.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (tm *tmuxRun) screen() string { return tm.tmux("capture-pane", "-p", "-t", "main") }

// waitScreen polls the screen until cond holds, or fails the benchmark
// with the last screen after within.
func (tm *tmuxRun) waitScreen(within time.Duration, what string, cond func(string) bool) string {
	tm.b.Helper()
	deadline := time.Now().Add(within)
	for {
		s := tm.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.b.Fatalf("%s: not within %s; screen:\n%s", what, within, s)
		}
		// Poll pacing, not synchronisation: the condition is re-checked.
		time.Sleep(100 * time.Millisecond)
	}
}

var activeCount = regexp.MustCompile(`(\d[\d,]*) active`)

// settled is the screen of a fully loaded list of n tasks: the header
// counts all n, and every row on screen shows its wait label (the event
// logs of the rows on screen have been read).
// startSettled runs the binary in tmux against a fake engine of n tasks
// and waits, up to within, until the list is settled (settled).
func startSettled(b *testing.B, bin string, n int, within time.Duration) (*fakeengine.Server, *tmuxRun) {
	b.Helper()
	srv := startFake(b, n)
	tm := startTmux(b, bin, hatchtopEnv(b, srv))
	waitExe(b, tm.pid, bin)
	t0 := time.Now()
	tm.waitScreen(within, fmt.Sprintf("all %d tasks counted and every row labelled", n), settled(n))
	b.Logf("list settled after %s", time.Since(t0).Round(time.Millisecond))
	return srv, tm
}

func settled(n int) func(string) bool {
	return func(s string) bool {
		m := activeCount.FindStringSubmatch(s)
		if m == nil {
			return false
		}
		if got, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", "")); got != n {
			return false
		}
		rows := 0
		for _, l := range strings.Split(s, "\n") {
			if !taskRow.MatchString(l) {
				continue
			}
			rows++
			if !strings.Contains(l, "cooling down before retry") && !strings.Contains(l, "awaiting payment confirmation") {
				return false
			}
		}
		return rows >= visibleRows
	}
}

// procStat is utime+stime of pid (all threads), in clock ticks.
func procCPU(pid int) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read stat of %d: %w", pid, err)
	}
	// The command name is in parentheses and may hold spaces: fields
	// count from after the last ')'. utime and stime are fields 14, 15.
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("stat of %d: no command name", pid)
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, fmt.Errorf("stat of %d: %d fields", pid, len(f)+2)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("stat of %d: %w", pid, err)
	}
	return ut + st, nil
}

// procSwitches is the context switches of pid's threads, voluntary and
// not: how often the idle process wakes (the runtime's own work grows with
// every wake-up). Threads that exited are not counted.
func procSwitches(pid int) (int64, error) {
	dirs, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0, fmt.Errorf("threads of %d: %w", pid, err)
	}
	var n int64
	for _, d := range dirs {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/status", pid, d.Name()))
		if err != nil {
			continue // the thread exited meanwhile
		}
		for _, l := range strings.Split(string(raw), "\n") {
			if v, ok := strings.CutPrefix(l, "voluntary_ctxt_switches:"); ok {
				k, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				n += k
			} else if v, ok := strings.CutPrefix(l, "nonvoluntary_ctxt_switches:"); ok {
				k, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				n += k
			}
		}
	}
	return n, nil
}

// userHZ is the unit of /proc/<pid>/stat's times: USER_HZ, 100 on Linux
// whatever the kernel's own tick rate.
const userHZ = 100

// procMem reads VmRSS and VmHWM (peak RSS) of pid, in MB (10⁶ bytes).
func procMem(pid int) (rss, hwm float64, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read status of %d: %w", pid, err)
	}
	kb := func(key string) (float64, error) {
		for _, l := range strings.Split(string(raw), "\n") {
			if v, ok := strings.CutPrefix(l, key+":"); ok {
				n, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
				if err != nil {
					return 0, fmt.Errorf("status of %d: %s: %w", pid, key, err)
				}
				return n * 1024 / 1e6, nil
			}
		}
		return 0, fmt.Errorf("status of %d: no %s", pid, key)
	}
	rss, err1 := kb("VmRSS")
	hwm, err2 := kb("VmHWM")
	return rss, hwm, errors.Join(err1, err2)
}

// waitExe waits until pid runs bin (the pane's shell execs into env, env
// into hatchtop), and fails the benchmark if it does not within 5 s.
func waitExe(b *testing.B, pid int, bin string) {
	b.Helper()
	want, err := filepath.Abs(bin)
	if err != nil {
		b.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		if err == nil && got == want {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("pid %d runs %q, not %s (%v)", pid, got, want, err)
		}
		time.Sleep(10 * time.Millisecond) // poll pacing; the condition is re-checked
	}
}
