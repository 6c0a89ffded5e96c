package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/harness/stack"
)

// startTLSStack brings up an engine of its own, without worker, serving
// gRPC over TLS with the certificates hatchet-admin quickstart generates.
func startTLSStack(t *testing.T) *stack.Stack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s, err := stack.Start(ctx, stack.Options{TLS: "tls"})
	if err != nil {
		t.Fatalf("start the TLS stack: %v", err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

// strangerCert is a client certificate signed by a CA the engine does not
// trust.
func strangerCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "stranger CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "worker"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "stranger.pem"), filepath.Join(dir, "stranger.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// hatchtop verifies the engine's TLS certificate against the CA file,
// refuses a wrong server name or an unknown authority with one line, and
// presents a client certificate to an engine that requires one.
func TestTLSAndMTLSOnTheRealEngine(t *testing.T) {
	requireStack(t)
	start := time.Now()
	s := startTLSStack(t)
	t.Logf("TLS stack up in %s", time.Since(start).Round(100*time.Millisecond))
	stranger, strangerKey := strangerCert(t)

	// What is TLS and what is not: gRPC is, the REST API behind
	// LITE_RUNTIME_PORT stays plain HTTP.
	resp, err := http.Get(s.APIURL + "/api/ready")
	if err != nil || resp.StatusCode != http.StatusOK || !strings.HasPrefix(s.APIURL, "http://") {
		t.Fatalf("the REST API of a TLS stack should answer plain HTTP at %s: %v", s.APIURL, err)
	}
	resp.Body.Close()

	type tc struct {
		name string
		env  []string
		want string // "" for a snapshot that works
	}
	run := func(t *testing.T, cases []tc) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := hatchtop(t, append(s.Env(), c.env...), "snapshot", "--json")
				if c.want == "" {
					if r.code != 0 {
						t.Fatalf("snapshot exited %d: %s", r.code, r.stderr)
					}
					var sn snap
					if err := json.Unmarshal([]byte(r.stdout), &sn); err != nil || sn.Version != "v0.105.0" {
						t.Fatalf("snapshot %q (%v), want the engine's version v0.105.0", r.stdout, err)
					}
					return
				}
				lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
				if r.code != 2 || len(lines) != 1 || !strings.Contains(r.stderr, c.want) {
					t.Fatalf("exit %d, stderr %q; want exit 2 and one line saying %q", r.code, r.stderr, c.want)
				}
				if strings.Contains(r.stderr, s.Token) {
					t.Error("the token appears in the error")
				}
			})
		}
	}

	// /api/ready says the API is up; the gRPC listener may follow it.
	grpcUp := func() {
		eventually(t, 30*time.Second, func() (bool, string) {
			c, err := net.DialTimeout("tcp", s.GRPCAddr, time.Second)
			if err != nil {
				return false, "gRPC port: " + err.Error()
			}
			c.Close()
			return true, ""
		})
	}
	grpcUp()
	t.Run("tls", func(t *testing.T) {
		run(t, []tc{
			{"the CA file verifies the engine", nil, ""},
			{"explicit server name", []string{"HATCHET_CLIENT_TLS_SERVER_NAME=cluster"}, ""},
			{"wrong server name", []string{"HATCHET_CLIENT_TLS_SERVER_NAME=wrong.example"},
				"TLS handshake failed: certificate is valid for cluster, not wrong.example"},
			{"unknown authority", []string{"HATCHET_CLIENT_TLS_ROOT_CA_FILE="},
				"TLS handshake failed: certificate signed by unknown authority"},
			{"plaintext against TLS", []string{"HATCHET_CLIENT_TLS_STRATEGY=none"}, "cannot reach the engine at " + s.GRPCAddr},
		})
	})

	// The same engine, restarted to require client certificates.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	restart := time.Now()
	if err := s.SwitchTLS(ctx, "mtls"); err != nil {
		t.Fatal(err)
	}
	grpcUp()
	t.Logf("engine restarted with mtls in %s", time.Since(restart).Round(100*time.Millisecond))
	t.Run("mtls", func(t *testing.T) {
		run(t, []tc{
			{"with quickstart's client certificate", nil, ""},
			{"a client certificate under tls is presented too", []string{"HATCHET_CLIENT_TLS_STRATEGY=tls"}, ""},
			{"without a client certificate", []string{"HATCHET_CLIENT_TLS_STRATEGY=tls", "HATCHET_CLIENT_TLS_CERT_FILE=", "HATCHET_CLIENT_TLS_KEY_FILE="},
				"the engine wants a client certificate: set HATCHET_CLIENT_TLS_STRATEGY=mtls with HATCHET_CLIENT_TLS_CERT_FILE and HATCHET_CLIENT_TLS_KEY_FILE"},
			{"mtls without a certificate is refused before dialling", []string{"HATCHET_CLIENT_TLS_CERT_FILE=", "HATCHET_CLIENT_TLS_KEY_FILE="},
				"HATCHET_CLIENT_TLS_STRATEGY=mtls needs a client certificate"},
			{"a certificate the engine does not trust", []string{"HATCHET_CLIENT_TLS_CERT_FILE=" + stranger, "HATCHET_CLIENT_TLS_KEY_FILE=" + strangerKey},
				"TLS handshake failed: the engine refused the client certificate " + stranger + ": it is not signed by a CA the engine trusts"},
			{"wrong server name", []string{"HATCHET_CLIENT_TLS_SERVER_NAME=wrong.example"},
				"TLS handshake failed: certificate is valid for cluster, not wrong.example"},
		})
	})
}
