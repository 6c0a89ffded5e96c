package client

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
	"github.com/hatchtop/hatchtop/client/pb/v1pb"
)

// testCA signs server and client certificates for the mTLS tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hatchtop test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue signs a leaf for the DNS names (server) or for a client, and
// returns it as PEM files in dir.
func (ca *testCA) issue(t *testing.T, dir, name string, client bool, dns ...string) (certFile, keyFile string, pair tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	usage := x509.ExtKeyUsageServerAuth
	if client {
		usage = x509.ExtKeyUsageClientAuth
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: dns, ExtKeyUsage: []x509.ExtKeyUsage{usage}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	pair, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, pair
}

// mtlsEngine serves the fake engine's gRPC and REST APIs over TLS with a
// certificate for engine.test only (no IP), both requiring a client
// certificate signed by ca.
func mtlsEngine(t *testing.T, f *fakeEngine, ca *testCA, server tls.Certificate) (grpcAddr, apiURL string) {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	tc := &tls.Config{Certificates: []tls.Certificate{server}, ClientCAs: pool,
		ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13}

	api := httptest.NewUnstartedServer(f.api.Config.Handler)
	api.TLS = tc.Clone()
	api.StartTLS()
	t.Cleanup(api.Close)

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(tc.Clone())),
		grpc.UnaryInterceptor(f.checkToken), grpc.StreamInterceptor(f.checkStreamToken))
	dispatcherpb.RegisterDispatcherServer(srv, &fakeDispatcher{f: f})
	v1pb.RegisterAdminServiceServer(srv, &fakeAdmin{f: f})
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return lis.Addr().String(), api.URL
}

func TestMTLS(t *testing.T) {
	f := newFakeEngine(t, testToken())
	dir := t.TempDir()
	ca, other := newTestCA(t), newTestCA(t)
	_, _, server := ca.issue(t, dir, "server", false, "engine.test")
	cert, key, _ := ca.issue(t, dir, "client", true)
	strangerCert, strangerKey, _ := other.issue(t, dir, "stranger", true)
	_, otherKey, _ := ca.issue(t, dir, "other", true)
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, ca.pem, 0o600); err != nil {
		t.Fatal(err)
	}
	grpcAddr, apiURL := mtlsEngine(t, f, ca, server)
	base := []string{envHostPort, grpcAddr, envServerURL, apiURL, envRootCAFile, caFile, envServerName, "engine.test"}
	certPEM, _ := os.ReadFile(cert)
	keyPEM, _ := os.ReadFile(key)

	cases := []struct {
		name string
		env  []string
		want string // "" for success
	}{
		{"client certificate files", []string{envTLS, "mtls", envCertFile, cert, envKeyFile, key}, ""},
		{"inline client certificate", []string{envTLS, "mtls", envCert, string(certPEM), envKey, string(keyPEM)}, ""},
		{"a certificate under tls is presented too", []string{envTLS, "tls", envCertFile, cert, envKeyFile, key}, ""},
		{"no client certificate", []string{envTLS, "tls"},
			"certificate required; the engine wants a client certificate: set HATCHET_CLIENT_TLS_STRATEGY=mtls with HATCHET_CLIENT_TLS_CERT_FILE and HATCHET_CLIENT_TLS_KEY_FILE"},
		{"certificate of another CA", []string{envTLS, "mtls", envCertFile, strangerCert, envKeyFile, strangerKey},
			"TLS handshake failed: the engine refused the client certificate " + strangerCert + ": "},
		{"wrong server name", []string{envTLS, "mtls", envCertFile, cert, envKeyFile, key, envServerName, "other.test"},
			"TLS handshake failed: certificate is valid for engine.test, not other.test"},
		// The certificate names engine.test only: without the setting,
		// neither gRPC (127.0.0.1) nor REST (its URL's host) verifies.
		{"no server name", []string{envTLS, "mtls", envCertFile, cert, envKeyFile, key, envServerName, ""},
			"TLS handshake failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := dialFake(t, f, nil, append(append([]string{}, base...), c.env...)...)
			err := cl.Check(ctxTimeout(t, 5*time.Second))
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("check: %v", err)
			case c.want != "" && (!errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("check: %v, want ErrUnreachable saying %q", err, c.want)
			case err != nil && strings.Contains(err.Error(), "\n"):
				t.Fatalf("error of several lines: %q", err)
			}
			if c.want == "" {
				// REST verified and got the client certificate as well.
				if _, err := cl.ListActive(ctxTimeout(t, 5*time.Second), time.Now().Add(-time.Hour)); err != nil {
					t.Fatalf("REST over mTLS: %v", err)
				}
			}
		})
	}

	// REST alone: gRPC passes, the API is verified under the server name.
	t.Run("REST honours the server name", func(t *testing.T) {
		cl := dialFake(t, f, nil, append(append([]string{}, base...), envTLS, "mtls", envCertFile, cert, envKeyFile, key)...)
		if _, err := cl.ListActive(ctxTimeout(t, 5*time.Second), time.Now().Add(-time.Hour)); err != nil {
			t.Fatalf("list: %v", err)
		}
		cl = dialFake(t, f, nil, append(append([]string{}, base...), envTLS, "mtls", envCertFile, cert, envKeyFile, key, envServerName, "")...)
		_, err := cl.ListActive(ctxTimeout(t, 5*time.Second), time.Now().Add(-time.Hour))
		if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), apiURL) {
			t.Fatalf("list without the server name: %v", err)
		}
	})

	t.Run("bad files end at dial, naming the file and not the key", func(t *testing.T) {
		for _, bad := range []struct {
			env  []string
			want string
		}{
			{[]string{envCertFile, cert + ".missing", envKeyFile, key}, "read client certificate: open " + cert + ".missing"},
			{[]string{envCertFile, cert, envKeyFile, key + ".missing"}, "read client key: open " + key + ".missing"},
			{[]string{envCertFile, cert, envKeyFile, otherKey}, "client certificate " + cert + " with key " + otherKey + ": private key does not match public key"},
			{[]string{envCertFile, key, envKeyFile, key}, "client certificate " + key + " with key " + key + ":"},
		} {
			cfg, err := LoadConfig(ConfigInput{Getenv: f.env(append(append([]string{}, base...), append([]string{envTLS, "mtls"}, bad.env...)...)...)})
			if err != nil {
				t.Fatal(err)
			}
			_, err = Dial(ctxTimeout(t, time.Second), cfg)
			if err == nil || !strings.Contains(err.Error(), bad.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%v: %v, want one line with %q", bad.env, err, bad.want)
			}
			if err != nil && strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("the key shows in %q", err)
			}
		}
	})
}

// The inline key is a secret: printing the config never shows it.
func TestConfigNeverPrintsTheKey(t *testing.T) {
	cfg, err := LoadConfig(ConfigInput{Getenv: envOf(envToken, claimsToken, envCert, "CERT-PEM", envKey, "KEY-PEM-SECRET")})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{cfg.String(), cfg.GoString()} {
		if strings.Contains(s, "KEY-PEM-SECRET") {
			t.Errorf("key printed: %s", s)
		}
	}
	if !strings.Contains(cfg.String(), "client_cert=inline") {
		t.Errorf("config %s does not say a client certificate is set", cfg)
	}
}

func TestLoadConfigProfileTLSFields(t *testing.T) {
	profile := func(extra string) string {
		return "profiles:\n  a:\n    token: " + claimsToken + "\n    tlsstrategy: mtls\n" + extra
	}
	home := writeProfiles(t, "profiles.yaml", profile("    tlscertfile: /p/c.pem\n    tlskeyfile: /p/c.key\n"+
		"    tlsrootcafile: /p/ca.pem\n    tlsservername: engine.internal\n"))
	env := envOf(envCertFile, "/e/c.pem", envKeyFile, "/e/c.key", envRootCAFile, "/e/ca.pem", envServerName, "env.internal")
	cfg, err := LoadConfig(ConfigInput{Getenv: env, Home: home, Profile: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TLS != TLSMTLS || cfg.CertFile != "/p/c.pem" || cfg.KeyFile != "/p/c.key" || cfg.RootCAFile != "/p/ca.pem" ||
		cfg.ServerName != "engine.internal" || !cfg.ServerNameSet {
		t.Errorf("the profile's fields should win: %s %+v", cfg, cfg)
	}
	// The CLI writes none of them: the environment fills in.
	home = writeProfiles(t, "profiles.yaml", profile(""))
	cfg, err = LoadConfig(ConfigInput{Getenv: env, Home: home, Profile: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CertFile != "/e/c.pem" || cfg.KeyFile != "/e/c.key" || cfg.RootCAFile != "/e/ca.pem" || cfg.ServerName != "env.internal" {
		t.Errorf("the environment should fill in: %s", cfg)
	}
}
