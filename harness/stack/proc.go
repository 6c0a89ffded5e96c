package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is a long-lived child process running in its own process group, with
// stdout and stderr appended to a log file.
type proc struct {
	name    string
	logPath string
	stopSig syscall.Signal
	cmd     *exec.Cmd
	done    chan struct{} // closed once the process has been waited for
	err     error         // Wait's result, valid after done
}

// spawn starts cmd as proc name. The log file is opened in append mode so a
// restarted process (hatchet-lite after StartEngine) keeps one history.
// stdout, if not nil, also receives the process's stdout.
func (s *Stack) spawn(name string, cmd *exec.Cmd, stdout io.Writer) (*proc, error) {
	logPath := filepath.Join(s.LogDir, name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open %s log: %w", name, err)
	}
	s.prepare(cmd)
	cmd.Stderr = logFile
	cmd.Stdout = logFile
	if stdout != nil {
		cmd.Stdout = io.MultiWriter(logFile, stdout)
	}
	// A grandchild that keeps the stdout pipe open must not block Wait forever.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, logPath: logPath, stopSig: syscall.SIGTERM, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// prepare puts cmd in its own process group, marks its environment so
// leftovers can be found, and asks the kernel to kill it if we die first.
func (s *Stack) prepare(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, markerEnv+"="+s.Dir)
}

// exited reports whether the process has ended, without blocking.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop signals the whole process group, escalates to SIGKILL after grace,
// and always finishes by killing the group so no grandchild survives.
func (p *proc) stop(grace time.Duration) {
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, p.stopSig)
	select {
	case <-p.done:
	case <-time.After(grace):
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	<-p.done
}

// failure wraps err with the process name and the tail of its log.
func (p *proc) failure(err error) error {
	return withLogTail(p.name, p.logPath, err)
}

// withLogTail wraps err with the last lines of the log at path.
func withLogTail(name, path string, err error) error {
	return fmt.Errorf("%s: %w\n--- last lines of %s ---\n%s", name, err, path, tailFile(path, 30))
}

// run executes a short-lived command to completion, logging to name.log, and
// returns its stdout. ctx cancellation kills its whole process group.
func (s *Stack) run(ctx context.Context, name string, cmd *exec.Cmd) (string, error) {
	var out bytes.Buffer
	p, err := s.spawn(name, cmd, &out)
	if err != nil {
		return "", err
	}
	select {
	case <-p.done:
	case <-ctx.Done():
		p.stop(time.Second)
		return "", p.failure(ctx.Err())
	}
	if p.err != nil {
		return "", p.failure(p.err)
	}
	return out.String(), nil
}

// tailFile returns up to n last lines of the file at path.
func tailFile(path string, n int) string {
	const maxRead = 16 << 10
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(cannot read log: %v)", err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > maxRead {
		_, _ = f.Seek(-maxRead, io.SeekEnd)
	}
	data, _ := io.ReadAll(f)
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// lineSignal is an io.Writer that closes seen when a written line contains
// want. It lets Start wait for "worker ready" instead of sleeping.
type lineSignal struct {
	want string
	seen chan struct{}
	once sync.Once
	mu   sync.Mutex
	part []byte
}

func newLineSignal(want string) *lineSignal {
	return &lineSignal{want: want, seen: make(chan struct{})}
}

func (l *lineSignal) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.part = append(l.part, b...)
	for {
		i := bytes.IndexByte(l.part, '\n')
		if i < 0 {
			break
		}
		if bytes.Contains(l.part[:i], []byte(l.want)) {
			l.once.Do(func() { close(l.seen) })
		}
		l.part = l.part[i+1:]
	}
	if len(l.part) > 64<<10 {
		l.part = nil // a huge unterminated line cannot be the marker
	}
	return len(b), nil
}

// waitFor polls check every interval until it returns true, the process p
// exits, or ctx ends. check errors are kept to explain a timeout.
func waitFor(ctx context.Context, p *proc, interval time.Duration, check func(context.Context) (bool, error)) error {
	var last error
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		ok, err := check(ctx)
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-p.done:
			return fmt.Errorf("exited before it was ready: %v", p.err)
		case <-ctx.Done():
			return errors.Join(ctx.Err(), last)
		case <-tick.C:
		}
	}
}
