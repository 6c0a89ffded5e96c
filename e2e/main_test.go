// Package e2e runs hatchtop against a real Hatchet engine (v0.105.0 on
// Postgres 15) with a worker written with the official TypeScript SDK. It
// runs only with HATCHTOP_E2E=1 (make test sets it); the stack comes up
// once for the package.
//
// Go runs tests in file-name order. The snapshot and screen tests read the
// 120 s sleep triggered here, so they come first; the zz_ files trigger
// runs of their own and the engine restart (zzz_) comes last.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/harness/stack"
)

// env is the shared real stack, the built binary and the runs triggered
// for the tests; set once by TestMain, read-only afterwards.
var env struct {
	skip      string
	stack     *stack.Stack
	bin       string
	runs      map[string]string    // scenario -> workflow run id
	triggered map[string]time.Time // scenario -> when it was triggered
}

// The scenarios the worker runs; labels and durations are the tests' own.
const (
	longSleepLabel = "cooling down before retry"
	evilLabel      = "\x1b]0;pwned\x07\x1b[31mred label\x1b[0m"
)

type scenario struct {
	name, task string
	input      map[string]any
}

var scenarios = []scenario{
	{"long-sleep", "sleep-labelled", map[string]any{"sleep": "120s", "label": longSleepLabel}},
	{"event", "wait-event-labelled", map[string]any{"key": "e2e:payment:confirmed", "label": "awaiting payment confirmation"}},
	// The later tests (zzz_, 10 minutes and more into the run) still need
	// these waiting: their sleeps outlast the whole run.
	{"or", "wait-or-labelled", map[string]any{"key": "e2e:approval:granted", "sleep": "1h", "label": "approval or timeout"}},
	{"retry", "retry-then-sleep", map[string]any{"sleep": "1h"}},
	{"unlabelled", "sleep-unlabelled", map[string]any{"sleep": "5m"}},
	{"evil", "sleep-labelled", map[string]any{"sleep": "1h", "label": evilLabel}},
}

func TestMain(m *testing.M) {
	if os.Getenv("HATCHTOP_E2E") != "1" {
		env.skip = "real-engine tests run with HATCHTOP_E2E=1 (make test)"
		os.Exit(m.Run())
	}
	code, err := setUp(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func setUp(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "hatchtop-e2e-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	env.bin = filepath.Join(dir, "hatchtop")
	start := time.Now()
	build := exec.Command("go", "build", "-race", "-o", env.bin, "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return 0, fmt.Errorf("build hatchtop: %w", err)
	}
	fmt.Fprintf(os.Stderr, "e2e: hatchtop built in %s\n", time.Since(start).Round(time.Millisecond))

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	s, err := stack.Start(ctx, stack.Options{Worker: true})
	if err != nil {
		return 0, fmt.Errorf("start the stack: %w", err)
	}
	env.stack = s
	defer s.Stop()

	env.runs, env.triggered = map[string]string{}, map[string]time.Time{}
	for _, sc := range scenarios {
		env.triggered[sc.name] = time.Now()
		id, err := s.Trigger(ctx, sc.task, sc.input)
		if err != nil {
			return 0, fmt.Errorf("trigger %s: %w", sc.name, err)
		}
		env.runs[sc.name] = id
	}
	return m.Run(), nil
}

// requireStack skips a test when the real stack is not enabled.
func requireStack(t *testing.T) {
	t.Helper()
	if env.skip != "" {
		t.Skip(env.skip)
	}
}
