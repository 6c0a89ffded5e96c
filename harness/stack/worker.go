package stack

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// workerReady is the line harness/worker/worker.ts prints once registered.
const workerReady = "worker ready"

func (s *Stack) workerDir() string { return filepath.Join(s.repoRoot, "harness", "worker") }

// tsx is run directly, never through npx, so that the pid we signal is the
// worker's own and a stale worker cannot keep its slots.
func (s *Stack) scriptCommand(script string, args ...string) *exec.Cmd {
	return s.scriptCommandAs(s.Token, script, args...)
}

// scriptCommandAs is scriptCommand with another tenant's token.
func (s *Stack) scriptCommandAs(token, script string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.workerDir(), "node_modules", ".bin", "tsx"), append([]string{script}, args...)...)
	cmd.Dir = s.workerDir()
	cmd.Env = append(os.Environ(), s.EnvAs(token)...)
	return cmd
}

// quiet keeps the SDK's info logs off a script's stdout, which carries ids.
func quiet(cmd *exec.Cmd) *exec.Cmd {
	cmd.Env = append(cmd.Env, "HATCHET_CLIENT_LOG_LEVEL=WARN")
	return cmd
}

// ensureNodeModules installs the pinned worker dependencies on first use.
func (s *Stack) ensureNodeModules(ctx context.Context) error {
	if _, err := os.Stat(filepath.Join(s.workerDir(), "node_modules", ".bin", "tsx")); err == nil {
		return nil
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = s.workerDir()
	_, err := s.run(ctx, "npm-ci", cmd)
	return err
}

// startWorker runs the "hatchtop-demo" worker and waits for its ready line.
func (s *Stack) startWorker(ctx context.Context) error {
	if err := s.ensureNodeModules(ctx); err != nil {
		return err
	}
	ready := newLineSignal(workerReady)
	p, err := s.spawn("worker", s.scriptCommand("worker.ts"), ready)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.worker = p
	s.mu.Unlock()
	return waitReady(ctx, p, ready, time.Minute)
}

// waitReady waits until p prints ready's line, for at most within.
func waitReady(ctx context.Context, p *proc, ready *lineSignal, within time.Duration) error {
	timeout := time.NewTimer(within)
	defer timeout.Stop()
	select {
	case <-ready.seen:
		return nil
	case <-p.done:
		return p.failure(fmt.Errorf("exited before it was ready: %v", p.err))
	case <-timeout.C:
		return p.failure(fmt.Errorf("no %q line within %s", ready.want, within))
	case <-ctx.Done():
		return p.failure(ctx.Err())
	}
}

// Trigger starts a run of task with input (marshalled to JSON) without
// waiting for it, and returns the workflow run id.
func (s *Stack) Trigger(ctx context.Context, task string, input any) (string, error) {
	return s.trigger(ctx, s.Token, task, input)
}

func (s *Stack) trigger(ctx context.Context, token, task string, input any) (string, error) {
	payload, err := json.Marshal(input)
	if err != nil {
		return "", fmt.Errorf("stack: trigger %s: encode input: %w", task, err)
	}
	if err := s.ensureNodeModules(ctx); err != nil {
		return "", fmt.Errorf("stack: trigger %s: %w", task, err)
	}
	out, err := s.run(ctx, "trigger", quiet(s.scriptCommandAs(token, "trigger.ts", task, string(payload))))
	if err != nil {
		return "", fmt.Errorf("stack: trigger %s: %w", task, err)
	}
	return lastLine(out), nil
}

// TriggerDemo starts the demo set of runs (every task at least once) and
// returns the script's "task run-id" lines.
func (s *Stack) TriggerDemo(ctx context.Context) (string, error) {
	if err := s.ensureNodeModules(ctx); err != nil {
		return "", fmt.Errorf("stack: demo runs: %w", err)
	}
	out, err := s.run(ctx, "trigger", quiet(s.scriptCommand("trigger.ts", "demo")))
	if err != nil {
		return "", fmt.Errorf("stack: demo runs: %w", err)
	}
	return out, nil
}

// demoStarted is the line `trigger.ts demo --keep-alive` prints once the
// demo set is started.
const demoStarted = "demo runs started"

// KeepDemoAlive starts the demo set of runs, as TriggerDemo, and a process
// that replaces every demo run that ends (its sleep done, its event sent,
// or cancelled) 20 to 35 s later, so a long demo never runs empty. It
// returns once the set is started; the process runs until Stop, and logs
// each renewal to demo.log.
func (s *Stack) KeepDemoAlive(ctx context.Context) error {
	if err := s.ensureNodeModules(ctx); err != nil {
		return fmt.Errorf("stack: demo runs: %w", err)
	}
	ready := newLineSignal(demoStarted)
	p, err := s.spawn("demo", quiet(s.scriptCommand("trigger.ts", "demo", "--keep-alive")), ready)
	if err != nil {
		return fmt.Errorf("stack: demo runs: %w", err)
	}
	s.mu.Lock()
	s.demo = p
	s.mu.Unlock()
	if err := waitReady(ctx, p, ready, 2*time.Minute); err != nil {
		return fmt.Errorf("stack: demo runs: %w", err)
	}
	return nil
}

// PushOption changes how PushEvent pushes an event.
type PushOption func(*pushOptions)

type pushOptions struct{ scope string }

// WithScope pushes the event with a scope. A wait registered with a scope
// (the scoped-wait task) is satisfied only by an event with the same scope;
// a wait without one is satisfied by any event with its key.
func WithScope(scope string) PushOption {
	return func(o *pushOptions) { o.scope = scope }
}

// PushEvent pushes a user event (over gRPC, through the SDK) with payload
// marshalled to JSON, unscoped unless WithScope is given.
func (s *Stack) PushEvent(ctx context.Context, key string, payload any, opts ...PushOption) error {
	var o pushOptions
	for _, opt := range opts {
		opt(&o)
	}
	data, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("stack: push %s: encode payload: %w", key, err)
	}
	if err := s.ensureNodeModules(ctx); err != nil {
		return fmt.Errorf("stack: push %s: %w", key, err)
	}
	args := []string{key, string(data)}
	if o.scope != "" {
		args = append(args, o.scope)
	}
	if _, err := s.run(ctx, "push", quiet(s.scriptCommand("push.ts", args...))); err != nil {
		return fmt.Errorf("stack: push %s: %w", key, err)
	}
	return nil
}
