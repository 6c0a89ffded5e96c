//go:build linux

package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/sys/unix"
)

// The notification is read from a pseudo-terminal of the test's own, not
// tmux: tmux 3.3 drops OSC 9 and 777 (it passes a BEL on as its bell), so
// the bytes hatchtop writes are read before any terminal interprets them.

// ptyTerm is hatchtop on a pseudo-terminal; every byte it writes is kept.
type ptyTerm struct {
	cmd    *exec.Cmd
	master *os.File
	mu     sync.Mutex
	out    []byte
	done   chan struct{}
}

// The start-up queries (termenv's colour probes and the cursor position)
// and an xterm's answers; unanswered, start-up would wait for them.
var ptyQueries = []struct{ ask, answer string }{
	{"\x1b]11;?", "\x1b]11;rgb:0000/0000/0000\x1b\\"},
	{"\x1b]10;?", "\x1b]10;rgb:ffff/ffff/ffff\x1b\\"},
	{"\x1b[6n", "\x1b[1;1R"},
}

func startPTY(t *testing.T, cols, rows int, extraEnv []string, args ...string) *ptyTerm {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock the pty: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	slave, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open the pty's terminal: %v", err)
	}
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: uint16(rows), Col: uint16(cols)}); err != nil {
		t.Fatalf("size the pty: %v", err)
	}
	cmd := exec.Command(env.bin, args...)
	cmd.Env = append(append(append(cleanEnv(), env.stack.Env()...), "TERM=xterm-256color"), extraEnv...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start hatchtop: %v", err)
	}
	slave.Close()
	p := &ptyTerm{cmd: cmd, master: master, done: make(chan struct{})}
	go p.read()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
		}
		_ = cmd.Wait()
		master.Close()
	})
	return p
}

// read keeps every byte and answers the start-up queries in order.
func (p *ptyTerm) read() {
	defer close(p.done)
	buf := make([]byte, 64<<10)
	scanned := 0
	for {
		n, err := p.master.Read(buf)
		if n > 0 {
			p.mu.Lock()
			p.out = append(p.out, buf[:n]...)
			for {
				next, which := -1, -1
				for i, q := range ptyQueries {
					if j := bytes.Index(p.out[scanned:], []byte(q.ask)); j >= 0 && (next < 0 || j < next) {
						next, which = j, i
					}
				}
				if next < 0 {
					break
				}
				scanned += next + len(ptyQueries[which].ask)
				_, _ = p.master.Write([]byte(ptyQueries[which].answer))
			}
			p.mu.Unlock()
		}
		if err != nil {
			return // EIO: the program exited
		}
	}
}

func (p *ptyTerm) bytes() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]byte(nil), p.out...)
}

// text is what was written with the escape sequences taken out: every
// line the renderer drew, in order.
func (p *ptyTerm) text() string { return ansi.Strip(string(p.bytes())) }

func (p *ptyTerm) waitText(t *testing.T, within time.Duration, what string, cond func(string) bool) {
	t.Helper()
	eventually(t, within, func() (bool, string) {
		s := p.text()
		return cond(s), fmt.Sprintf("%s; last 2000 chars written: %q", what, tail(s, 2000))
	})
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// osc9 is the payloads of every OSC 9 written, each with whether a BEL
// came right before it.
func osc9(out []byte) (payloads []string, belled []bool) {
	for i := 0; ; {
		j := bytes.Index(out[i:], []byte("\x1b]9;"))
		if j < 0 {
			return payloads, belled
		}
		start := i + j + len("\x1b]9;")
		end := bytes.IndexByte(out[start:], '\a')
		if end < 0 {
			return payloads, belled
		}
		payloads = append(payloads, string(out[start:start+end]))
		belled = append(belled, i+j > 0 && out[i+j-1] == '\a')
		i = start + end
	}
}

// TestNotifyRingsForANewEventWait runs the real binary with --notify on
// the real stack: the event waits of the first load ring nothing, a wait
// that does not match the filter rings nothing, a new matching one rings
// once with BEL + OSC 9 naming the task and its (cleaned) label, and the
// jump key opens it.
func TestNotifyRingsForANewEventWait(t *testing.T) {
	requireStack(t)
	tag := strconv.FormatInt(time.Now().UnixNano()%1_000_000, 10)
	filter := "notify-e2e-" + tag
	// The filter holds the keys of the scenarios' event and OR waits, open
	// since before hatchtop starts: the first load, which must not ring.
	p := startPTY(t, 160, 40, []string{"VTE_VERSION=7600"}, "--notify="+filter+",e2e:payment:confirmed,approval:granted", "--refresh", "1s")

	// The first load: the scenarios' event waits are drawn (their logs read).
	p.waitText(t, 60*time.Second, "the first load's event wait on screen", func(s string) bool {
		return strings.Contains(s, "awaiting payment confirmation") && strings.Contains(s, "approval or timeout")
	})

	// A wait that does not match the filter, drawn before the matching one.
	other := "not for people " + tag
	trigger(t, "wait-event-labelled", map[string]any{"key": "e2e:other:" + tag, "label": other})
	p.waitText(t, 60*time.Second, "the non-matching wait on screen", func(s string) bool { return strings.Contains(s, other) })
	if got, _ := osc9(p.bytes()); len(got) > 0 {
		t.Fatalf("rang before any new matching wait (first load or filter): %q", got)
	}

	// The matching one: its label is hostile (an OSC 9 of its own, a BEL, a
	// right-to-left override), its key holds the filter.
	key := "e2e:" + filter
	label := "sign \x1b]9;forged\x07off \u202eplease\u202c " + tag
	triggered := time.Now()
	id := trigger(t, "wait-event-labelled", map[string]any{"key": key, "label": label})
	var got []string
	var belled []bool
	eventually(t, 60*time.Second, func() (bool, string) {
		got, belled = osc9(p.bytes())
		return len(got) > 0, "no OSC 9 written yet"
	})
	t.Logf("OSC 9 %s after the trigger: %q", time.Since(triggered).Round(time.Millisecond), got[0])
	want := "hatchtop: wait-event-labelled"
	if !strings.HasPrefix(got[0], want) || !strings.Contains(got[0], "waits: sign off please "+tag) || !strings.Contains(got[0], "(event "+key+")") {
		t.Errorf("OSC 9 %q, want it to name the task (%q), the cleaned label and the key", got[0], want)
	}
	if !belled[0] {
		t.Error("no BEL before the OSC 9")
	}
	if strings.ContainsAny(got[0], "\x1b\a\u202e\u202c") || strings.Contains(got[0], "forged") {
		t.Errorf("OSC 9 payload not cleaned: %q", got[0])
	}
	// VTE_VERSION=7600 is a terminal known to show OSC 777: it comes too.
	out := string(p.bytes())
	if i := strings.Index(out, "\x1b]777;notify;hatchtop: wait-event-labelled"); i < 0 || !strings.Contains(out[i:], ";waits: sign off please "+tag) {
		t.Errorf("no OSC 777 for a VTE terminal")
	}

	// The jump key opens its detail, whose log is read again every 2 s;
	// satisfying the wait ends the task. Through all that, no second ring.
	p.master.Write([]byte("a"))
	p.waitText(t, 30*time.Second, "the notified task's detail", func(s string) bool { return strings.Contains(s, id) })
	pushEvent(t, key)
	p.waitText(t, 60*time.Second, "the task completed in its detail", func(s string) bool {
		i := strings.LastIndex(s, id)
		return i >= 0 && strings.Contains(s[i:], "completed")
	})
	if got, _ = osc9(p.bytes()); len(got) != 1 {
		t.Fatalf("%d OSC 9 written, want 1 (first load, the non-matching wait and the repeat ring nothing): %q", len(got), got)
	}
}
