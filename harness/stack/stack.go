// Package stack runs a real Hatchet stack on loopback ports without Docker:
// Postgres, the hatchet-lite engine and API, and optionally the TypeScript
// demo worker from harness/worker. Tests and `make demo` use it to exercise
// hatchtop against the real engine.
//
// Every child runs in its own process group with its output in a log file
// under the stack's temporary directory; Stop kills them all.
package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// Options configures Start. The zero value starts the engine without worker.
type Options struct {
	// Worker also starts the TypeScript worker "hatchtop-demo".
	Worker bool
	// RepoRoot is the hatchtop checkout. Default: $HATCHTOP_REPO_ROOT, else
	// found from this package's source location.
	RepoRoot string
	// PostgresBin holds initdb and postgres. Default: $HATCHTOP_POSTGRES_BIN,
	// else /usr/lib/postgresql/15/bin.
	PostgresBin string
	// Progress receives one line per step with its duration. Default stderr.
	Progress io.Writer
	// KeepDir leaves the temporary directory (data and logs) after Stop.
	KeepDir bool
	// TLS serves gRPC over TLS with the certificates hatchet-admin
	// quickstart generates: "tls", or "mtls" to require a client
	// certificate too. "" is plaintext. The REST API stays plain HTTP.
	TLS string
}

// Stack is a running Hatchet stack.
type Stack struct {
	Token    string // tenant API token (JWT)
	TenantID string // tenant id, the token's subject
	GRPCAddr string // engine gRPC host:port; plaintext unless Options.TLS
	APIURL   string // REST base, http://localhost:PORT
	Dir      string // temporary directory holding everything below
	LogDir   string // one log file per process

	// With Options.TLS, quickstart's files: the CA, and the client
	// certificate and key it makes for workers. The server certificate is
	// valid for 127.0.0.1, ::1 and ServerName.
	CAFile, ClientCertFile, ClientKeyFile string
	ServerName                            string

	opts     Options
	repoRoot string
	binDir   string
	ports    ports

	mu       sync.Mutex // guards the procs below
	postgres *proc
	lite     *proc
	worker   *proc
	demo     *proc // KeepDemoAlive's renewals

	stopOnce sync.Once
	stopErr  error
}

// markerEnv is set in every child's environment to the stack directory so
// that leftover processes can be found even after they are re-parented.
const markerEnv = "HATCHTOP_STACK_DIR"

// Start brings the stack up. ctx bounds only the start-up: the processes keep
// running after Start returns, until Stop. On failure everything started is
// torn down, the logs are kept, and the error carries the failing log's tail.
func Start(ctx context.Context, opts Options) (*Stack, error) {
	s, err := newStack(opts)
	if err != nil {
		return nil, err
	}
	if err := s.start(ctx); err != nil {
		err = fmt.Errorf("%w\n(stack logs kept in %s)", err, s.LogDir)
		return nil, errors.Join(err, s.teardown(true))
	}
	return s, nil
}

func newStack(opts Options) (*Stack, error) {
	root, err := repoRoot(opts.RepoRoot)
	if err != nil {
		return nil, err
	}
	if opts.TLS != "" && opts.TLS != "tls" && opts.TLS != "mtls" {
		return nil, fmt.Errorf("stack: TLS %q is not one of tls, mtls", opts.TLS)
	}
	if opts.PostgresBin == "" {
		opts.PostgresBin = envOr("HATCHTOP_POSTGRES_BIN", "/usr/lib/postgresql/15/bin")
	}
	if opts.Progress == nil {
		opts.Progress = os.Stderr
	}
	dir, err := os.MkdirTemp("", "hatchtop-stack-")
	if err != nil {
		return nil, fmt.Errorf("create stack dir: %w", err)
	}
	s := &Stack{opts: opts, repoRoot: root, Dir: dir, LogDir: filepath.Join(dir, "logs")}
	if err := os.Mkdir(s.LogDir, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("create log dir: %w", err)
	}
	return s, nil
}

type step struct {
	name string
	fn   func(context.Context) error
}

func (s *Stack) start(ctx context.Context) error {
	begin := time.Now()
	steps := []step{
		{"preflight", s.preflight},
		{"binaries", s.findBinaries},
		{"postgres", s.startPostgres},
		{"migrate", s.migrate},
		{"quickstart", s.quickstart},
		{"token", s.createToken},
		{"engine", s.startLite},
	}
	if s.opts.Worker {
		steps = append(steps, step{"worker", s.startWorker})
	}
	for _, st := range steps {
		t := time.Now()
		if err := st.fn(ctx); err != nil {
			return fmt.Errorf("stack: %s: %w", st.name, err)
		}
		s.report(st.name, time.Since(t))
	}
	s.report("total", time.Since(begin))
	return nil
}

func (s *Stack) report(step string, d time.Duration) {
	fmt.Fprintf(s.opts.Progress, "stack: %s %.1fs\n", step, d.Seconds())
}

// Env returns the client settings for this stack, as KEY=VALUE pairs.
func (s *Stack) Env() []string {
	env := []string{
		"HATCHET_CLIENT_TOKEN=" + s.Token,
		"HATCHET_CLIENT_HOST_PORT=" + s.GRPCAddr,
		"HATCHET_CLIENT_SERVER_URL=" + s.APIURL,
	}
	switch s.opts.TLS {
	case "":
		return append(env, "HATCHET_CLIENT_TLS_STRATEGY=none")
	case "mtls":
		env = append(env, "HATCHET_CLIENT_TLS_CERT_FILE="+s.ClientCertFile, "HATCHET_CLIENT_TLS_KEY_FILE="+s.ClientKeyFile)
	}
	return append(env, "HATCHET_CLIENT_TLS_STRATEGY="+s.opts.TLS, "HATCHET_CLIENT_TLS_ROOT_CA_FILE="+s.CAFile)
}

// Stop tears everything down: worker, engine, Postgres and the temporary
// directory. It is safe to call more than once and reports processes that
// survived.
func (s *Stack) Stop() error {
	s.stopOnce.Do(func() { s.stopErr = s.teardown(false) })
	return s.stopErr
}

// teardown stops the processes in dependency order, kills anything that
// escaped its process group, then removes the directory (but the logs when
// keepLogs, and nothing with Options.KeepDir).
func (s *Stack) teardown(keepLogs bool) error {
	// The worker's graceful exit (pause itself, evict every waiting run,
	// wait for its running tasks) is wasted on a stack about to go, and with
	// a stream running it took the whole grace: 10 s on every demo quit.
	type stopping struct {
		p     *proc
		grace time.Duration
	}
	s.mu.Lock()
	procs := []stopping{{s.demo, 2 * time.Second}, {s.worker, 2 * time.Second}, {s.lite, 10 * time.Second}, {s.postgres, 10 * time.Second}}
	s.mu.Unlock()
	for _, st := range procs {
		if st.p != nil {
			t := time.Now()
			st.p.stop(st.grace)
			s.report("stopped "+st.p.name, time.Since(t))
		}
	}
	var errs []error
	if left := s.killLeftovers(); len(left) > 0 {
		errs = append(errs, fmt.Errorf("stack: killed leftover processes %v", left))
	}
	if err := s.removeDir(keepLogs); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (s *Stack) removeDir(keepLogs bool) error {
	switch {
	case s.opts.KeepDir:
		return nil
	case !keepLogs:
		return os.RemoveAll(s.Dir)
	}
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return fmt.Errorf("stack: read %s: %w", s.Dir, err)
	}
	for _, e := range entries {
		if p := filepath.Join(s.Dir, e.Name()); p != s.LogDir {
			if err := os.RemoveAll(p); err != nil {
				return fmt.Errorf("stack: remove %s: %w", p, err)
			}
		}
	}
	return nil
}

// repoRoot resolves the hatchtop checkout that holds harness/.
func repoRoot(explicit string) (string, error) {
	root := explicit
	if root == "" {
		root = os.Getenv("HATCHTOP_REPO_ROOT")
	}
	if root == "" {
		_, file, _, ok := runtime.Caller(0)
		if !ok {
			return "", errors.New("stack: cannot locate the repository; set HATCHTOP_REPO_ROOT")
		}
		root = filepath.Join(filepath.Dir(file), "..", "..")
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("stack: repository root: %w", err)
	}
	if _, err := os.Stat(filepath.Join(root, "harness", "engine", "build.sh")); err != nil {
		return "", fmt.Errorf("stack: %s is not the hatchtop repository (set HATCHTOP_REPO_ROOT): %w", root, err)
	}
	return root, nil
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
