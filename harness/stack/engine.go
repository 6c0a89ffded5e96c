package stack

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// findBinaries runs harness/engine/build.sh, which builds hatchet-lite,
// hatchet-admin and hatchet-migrate once into a cache and prints its path.
func (s *Stack) findBinaries(ctx context.Context) error {
	out, err := s.run(ctx, "build", exec.Command(filepath.Join(s.repoRoot, "harness", "engine", "build.sh")))
	if err != nil {
		return err
	}
	s.binDir = lastLine(out)
	if _, err := os.Stat(filepath.Join(s.binDir, "hatchet-lite")); err != nil {
		return fmt.Errorf("build.sh printed %q, which holds no hatchet-lite: %w", s.binDir, err)
	}
	return nil
}

func (s *Stack) engineCommand(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(s.binDir, name), args...)
	cmd.Dir = s.Dir
	cmd.Env = append(os.Environ(), s.engineEnv()...)
	return cmd
}

// engineEnv is the configuration shared by hatchet-admin and hatchet-lite:
// plaintext gRPC on loopback (or TLS, see tlsEnv), our own ports, Postgres
// as the message queue.
func (s *Stack) engineEnv() []string {
	grpc := fmt.Sprintf("localhost:%d", s.ports.grpc)
	if s.opts.TLS != "" {
		grpc = s.GRPCAddr
	}
	return append([]string{
		"DATABASE_URL=" + s.databaseURL(),
		"SERVER_GRPC_BIND_ADDRESS=127.0.0.1",
		"SERVER_GRPC_PORT=" + strconv.Itoa(s.ports.grpc),
		"SERVER_GRPC_BROADCAST_ADDRESS=" + grpc,
		"SERVER_INTERNAL_CLIENT_INTERNAL_GRPC_BROADCAST_ADDRESS=" + grpc,
		"SERVER_URL=" + s.APIURL,
		"SERVER_PORT=" + strconv.Itoa(s.ports.server),
		"SERVER_HEALTHCHECK_PORT=" + strconv.Itoa(s.ports.healthcheck),
		"SERVER_AUTH_COOKIE_DOMAIN=localhost",
		"SERVER_AUTH_COOKIE_INSECURE=t",
		"SERVER_AUTH_SET_EMAIL_VERIFIED=t",
		"SERVER_MSGQUEUE_KIND=postgres",
	}, s.tlsEnv()...)
}

// tlsEnv turns gRPC TLS on. quickstart writes the certificate paths into
// the config; its server certificate names 127.0.0.1 but not localhost,
// so a TLS stack broadcasts 127.0.0.1, which the engine's own internal
// client verifies too. With mtls the internal client presents the
// cluster certificate, as it inherits the server's TLS settings.
func (s *Stack) tlsEnv() []string {
	if s.opts.TLS == "" {
		return []string{"SERVER_GRPC_INSECURE=t"}
	}
	return []string{"SERVER_GRPC_INSECURE=f", "SERVER_TLS_STRATEGY=" + s.opts.TLS}
}

func (s *Stack) certDir() string { return filepath.Join(s.Dir, "certs") }

// SwitchTLS restarts hatchet-lite of a stack started with Options.TLS
// under another strategy ("tls" or "mtls"), on the same certificates,
// ports, database and token: one engine restart instead of a second stack.
func (s *Stack) SwitchTLS(ctx context.Context, mode string) error {
	if s.opts.TLS == "" || (mode != "tls" && mode != "mtls") {
		return fmt.Errorf("stack: switch TLS to %q: the stack must have started with TLS, and the mode be tls or mtls", mode)
	}
	s.StopEngine()
	s.opts.TLS = mode
	return s.StartEngine(ctx)
}

func (s *Stack) configDir() string { return filepath.Join(s.Dir, "config") }

func (s *Stack) migrate(ctx context.Context) error {
	_, err := s.run(ctx, "migrate", s.engineCommand("hatchet-migrate"))
	return err
}

// quickstart generates the engine config and keys and seeds the tenant;
// for a TLS stack also a CA and server and client certificates (openssl).
func (s *Stack) quickstart(ctx context.Context) error {
	args := []string{"quickstart", "--generated-config-dir", s.configDir(), "--overwrite=false"}
	if s.opts.TLS == "" {
		args = append(args, "--skip", "certs")
	} else {
		args = append(args, "--cert-dir", s.certDir())
		s.GRPCAddr = fmt.Sprintf("127.0.0.1:%d", s.ports.grpc)
		s.CAFile = filepath.Join(s.certDir(), "ca.cert")
		s.ClientCertFile = filepath.Join(s.certDir(), "client-worker.pem")
		s.ClientKeyFile = filepath.Join(s.certDir(), "client-worker.key")
		s.ServerName = "cluster"
	}
	_, err := s.run(ctx, "quickstart", s.engineCommand("hatchet-admin", args...))
	return err
}

// createToken mints the tenant API token; the tenant id is its subject.
func (s *Stack) createToken(ctx context.Context) error {
	out, err := s.run(ctx, "token", s.engineCommand("hatchet-admin", "token", "create",
		"--config", s.configDir(), "--name", "hatchtop"))
	if err != nil {
		return err
	}
	s.Token = lastLine(out)
	s.TenantID, err = tokenSubject(s.Token)
	if err != nil {
		return withLogTail("token", filepath.Join(s.LogDir, "token.log"), err)
	}
	return nil
}

// startLite runs hatchet-lite (engine, API and a static file server in one
// process) and waits until the API answers /api/ready.
func (s *Stack) startLite(ctx context.Context) error {
	static := filepath.Join(s.Dir, "static")
	if err := os.MkdirAll(static, 0o755); err != nil {
		return fmt.Errorf("create static dir: %w", err)
	}
	// hatchet-lite panics without an index.html; we never serve the UI.
	if err := os.WriteFile(filepath.Join(static, "index.html"), []byte("hatchtop stack\n"), 0o644); err != nil {
		return fmt.Errorf("write index.html: %w", err)
	}
	cmd := s.engineCommand("hatchet-lite", "--config", s.configDir())
	cmd.Env = append(cmd.Env,
		"LITE_STATIC_ASSET_DIR="+static,
		"LITE_FRONTEND_BASE_PATH=/",
		"LITE_RUNTIME_PORT="+strconv.Itoa(s.ports.api),
		"LITE_FRONTEND_PORT="+strconv.Itoa(s.ports.frontend),
	)
	p, err := s.spawn("hatchet-lite", cmd, nil)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.lite = p
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := waitFor(ctx, p, 250*time.Millisecond, s.apiReady); err != nil {
		return p.failure(err)
	}
	return nil
}

func (s *Stack) apiReady(ctx context.Context) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.APIURL+"/api/ready", nil)
	if err != nil {
		return false, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("GET /api/ready: %s", resp.Status)
	}
	return true, nil
}

// StopEngine stops hatchet-lite only (gracefully, then by force), leaving
// Postgres and the worker running, so tests can watch clients reconnect.
func (s *Stack) StopEngine() {
	s.mu.Lock()
	p := s.lite
	s.lite = nil
	s.mu.Unlock()
	if p != nil {
		p.stop(10 * time.Second)
	}
}

// StartEngine restarts hatchet-lite on the same ports after StopEngine and
// waits until its API is ready. It does nothing if the engine is running.
func (s *Stack) StartEngine(ctx context.Context) error {
	s.mu.Lock()
	running := s.lite != nil && !s.lite.exited()
	s.mu.Unlock()
	if running {
		return nil
	}
	t := time.Now()
	if err := s.startLite(ctx); err != nil {
		return fmt.Errorf("stack: restart engine: %w", err)
	}
	s.report("engine restart", time.Since(t))
	return nil
}

// PauseEngine stops hatchet-lite in its tracks (SIGSTOP): its sockets stay
// open and connections are still accepted, but nothing answers, as with
// a hung engine or a black-holed network. ResumeEngine undoes it.
func (s *Stack) PauseEngine() error { return s.signalEngine(syscall.SIGSTOP) }

// ResumeEngine lets a paused hatchet-lite go on (SIGCONT).
func (s *Stack) ResumeEngine() error { return s.signalEngine(syscall.SIGCONT) }

func (s *Stack) signalEngine(sig syscall.Signal) error {
	s.mu.Lock()
	p := s.lite
	s.mu.Unlock()
	if p == nil || p.exited() {
		return errors.New("stack: the engine is not running")
	}
	if err := syscall.Kill(-p.cmd.Process.Pid, sig); err != nil {
		return fmt.Errorf("stack: signal the engine: %w", err)
	}
	return nil
}

// EngineReady reports whether the engine's API answers /api/ready now.
func (s *Stack) EngineReady(ctx context.Context) bool {
	ok, _ := s.apiReady(ctx)
	return ok
}

// tokenSubject decodes the JWT payload, without verifying it, to read "sub".
func tokenSubject(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("token %q is not a JWT", token)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", fmt.Errorf("decode token payload: %w", err)
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", fmt.Errorf("parse token claims: %w", err)
	}
	if claims.Sub == "" {
		return "", errors.New("token has no subject (tenant id)")
	}
	return claims.Sub, nil
}

// lastLine returns the last non-blank line of out, trimmed.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
