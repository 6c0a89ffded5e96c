package e2e

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Bad configuration ends with one clear line and exit code 2, fast.
func TestBadConfiguration(t *testing.T) {
	requireStack(t)
	parts := strings.Split(env.stack.Token, ".")
	forged := parts[0] + "." + parts[1] + ".c2lnbmF0dXJlLW5vdC12YWxpZA"
	closed := closedPort(t)
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) }))
	t.Cleanup(web.Close)
	webAddr := strings.TrimPrefix(web.URL, "http://")
	notHatchet := grpcWithoutHatchet(t)
	cfgFile := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfgFile, []byte("read_only: true\ncolour: red\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badValue := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(badValue, []byte("timeout_warning: soon\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"no token", []string{"HATCHET_CLIENT_TOKEN="}, nil, "no token"},
		{"not a jwt", []string{"HATCHET_CLIENT_TOKEN=not-a-jwt"}, nil, "not a JWT"},
		{"wrong token", []string{"HATCHET_CLIENT_TOKEN=" + forged}, nil, "rejected the token"},
		{"unreachable", []string{"HATCHET_CLIENT_HOST_PORT=" + closed, "HATCHET_CLIENT_SERVER_URL=http://" + closed}, nil, closed},
		{"mtls without a certificate", []string{"HATCHET_CLIENT_TLS_STRATEGY=mtls"}, nil,
			"hatchtop: HATCHET_CLIENT_TLS_STRATEGY=mtls needs a client certificate: set HATCHET_CLIENT_TLS_CERT_FILE and HATCHET_CLIENT_TLS_KEY_FILE"},
		{"bad duration", nil, []string{"--since", "soon"}, `hatchtop: --since: "soon" is not a duration (like 90s, 5m or 24h)`},
		{"negative refresh", nil, []string{"--refresh", "-1s"}, "refresh"},
		{"unknown flag", nil, []string{"--foo"}, "hatchtop: unknown flag --foo (hatchtop --help lists the flags)"},
		{"flag without value", nil, []string{"--since"}, "hatchtop: --since needs a value"},
		{"unknown config setting", nil, []string{"--config", cfgFile},
			"hatchtop: " + cfgFile + ": colour: unknown setting (known: read_only, timeout_warning, finished, keys, notify)"},
		{"bad config value", nil, []string{"--config", badValue},
			"hatchtop: " + badValue + `: timeout_warning: "soon" is not a positive duration (like 1m or 90s)`},
		{"plain HTTP is not an engine", []string{"HATCHET_CLIENT_HOST_PORT=" + webAddr}, nil,
			"hatchtop: " + webAddr + " answered but is not a Hatchet engine (it answered HTTP/1.1, not gRPC"},
		{"gRPC without Hatchet is not an engine", []string{"HATCHET_CLIENT_HOST_PORT=" + notHatchet}, nil,
			"hatchtop: " + notHatchet + " answered but is not a Hatchet engine (gRPC Unimplemented"},
		{"the API's port is not the engine's", []string{"HATCHET_CLIENT_HOST_PORT=" + strings.TrimPrefix(env.stack.APIURL, "http://")}, nil,
			"answered but is not a Hatchet engine"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := hatchtop(t, c.env, append([]string{"snapshot"}, c.args...)...)
			if r.code != 2 {
				t.Errorf("exit code %d, want 2; stderr: %s", r.code, r.stderr)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if !strings.Contains(r.stderr, c.want) || len(lines) != 1 {
				t.Errorf("stderr %q should be one line saying %q", r.stderr, c.want)
			}
			if strings.Contains(r.stderr, env.stack.Token) || strings.Contains(r.stderr, parts[2]) {
				t.Error("the token appears in the error")
			}
			if strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("stack trace: %s", r.stderr)
			}
			if r.took > 6*time.Second {
				t.Errorf("took %s, want within 5 s", r.took)
			}
		})
	}
}

// grpcWithoutHatchet serves gRPC with only the standard health service.
func grpcWithoutHatchet(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go srv.Serve(l)
	t.Cleanup(srv.Stop)
	return l.Addr().String()
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
