package client

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTLS(t *testing.T) {
	f, ca := newTLSFakeEngine(t, testToken())
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		env  []string
		want string // "" for success
	}{
		{"root CA file", []string{envTLS, "tls", envRootCAFile, caFile}, ""},
		{"inline root CA", []string{envTLS, "tls", envRootCA, string(ca)}, ""},
		{"explicit server name", []string{envTLS, "tls", envRootCAFile, caFile, envServerName, "example.com"}, ""},
		{"wrong server name", []string{envTLS, "tls", envRootCAFile, caFile, envServerName, "other.example"}, "TLS handshake failed"},
		{"unknown authority", []string{envTLS, "tls"}, "TLS handshake failed"},
		{"plaintext against TLS", nil, "cannot reach the engine at " + f.grpcAdr},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := dialFake(t, f, nil, c.env...)
			err := cl.Check(ctxTimeout(t, 5*time.Second))
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("check: %v", err)
			case c.want != "" && (!errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("check: %v, want ErrUnreachable saying %q", err, c.want)
			}
		})
	}
}

func TestRootCAErrors(t *testing.T) {
	f := newFakeEngine(t, testToken())
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{
		notPEM:              "holds no PEM certificate",
		notPEM + ".missing": "read root CA: ",
	} {
		cfg, err := LoadConfig(ConfigInput{Getenv: f.env(envTLS, "tls", envRootCAFile, file)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Dial(ctxTimeout(t, time.Second), cfg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", file, err, want)
		}
	}
}
