package e2e

import (
	"net"
	"strings"
	"testing"
	"time"
)

// Bad configuration ends with one clear line and exit code 2, fast.
func TestBadConfiguration(t *testing.T) {
	requireStack(t)
	parts := strings.Split(env.stack.Token, ".")
	forged := parts[0] + "." + parts[1] + ".c2lnbmF0dXJlLW5vdC12YWxpZA"
	closed := closedPort(t)
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
		{"mtls", []string{"HATCHET_CLIENT_TLS_STRATEGY=mtls"}, nil, "mtls"},
		{"bad duration", nil, []string{"--since", "soon"}, "since"},
		{"negative refresh", nil, []string{"--refresh", "-1s"}, "refresh"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := hatchtop(t, c.env, append([]string{"snapshot"}, c.args...)...)
			if r.code != 2 {
				t.Errorf("exit code %d, want 2; stderr: %s", r.code, r.stderr)
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if !strings.Contains(r.stderr, c.want) || (c.args == nil && len(lines) != 1) {
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
