package client

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	claimTenant = "707d0855-3c4b-4f1e-9f4a-2b8e1c0d5a11"
	envTenant   = "9a9a9a9a-0000-4000-8000-000000000001"
)

// claimsToken is a token as hatchet-admin makes one, with every default.
var claimsToken = jwt(map[string]any{
	"sub": claimTenant, "server_url": "https://engine.example.com/",
	"grpc_broadcast_address": "engine.example.com:443", "exp": 1900000000,
})

func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestLoadConfigFromEnvironment(t *testing.T) {
	bare := jwt(map[string]any{"sub": claimTenant})
	cases := []struct {
		name string
		env  []string
		want Config // Token and ExpiresAt are checked separately
	}{
		{"claims give every default", []string{envToken, claimsToken},
			Config{TenantID: claimTenant, GRPCAddr: "engine.example.com:443", APIURL: "https://engine.example.com",
				TLS: TLSOn, ServerName: "engine.example.com"}},
		{"environment wins over claims", []string{envToken, claimsToken, envHostPort, "localhost:7077",
			envServerURL, "http://localhost:8080", envTenantID, envTenant, envTLS, "none"},
			Config{TenantID: envTenant, GRPCAddr: "localhost:7077", APIURL: "http://localhost:8080",
				TLS: TLSNone, ServerName: "localhost"}},
		{"environment alone with a bare token", []string{envToken, bare, envHostPort, "10.0.0.5:7070",
			envServerURL, "http://10.0.0.5:8080"},
			Config{TenantID: claimTenant, GRPCAddr: "10.0.0.5:7070", APIURL: "http://10.0.0.5:8080",
				TLS: TLSOn, ServerName: "10.0.0.5"}},
		{"namespace is lowercased with an underscore", []string{envToken, claimsToken, envNamespace, "Staging"},
			Config{TenantID: claimTenant, GRPCAddr: "engine.example.com:443", APIURL: "https://engine.example.com",
				Namespace: "staging_", TLS: TLSOn, ServerName: "engine.example.com"}},
		{"tls settings", []string{envToken, claimsToken, envTLS, "TLS", envRootCAFile, "/etc/ca.pem",
			envServerName, "internal.example"},
			Config{TenantID: claimTenant, GRPCAddr: "engine.example.com:443", APIURL: "https://engine.example.com",
				TLS: TLSOn, RootCAFile: "/etc/ca.pem", ServerName: "internal.example", ServerNameSet: true}},
		{"mtls settings", []string{envToken, claimsToken, envTLS, "mtls", envCertFile, "/etc/c.pem", envKeyFile, "/etc/c.key"},
			Config{TenantID: claimTenant, GRPCAddr: "engine.example.com:443", APIURL: "https://engine.example.com",
				TLS: TLSMTLS, CertFile: "/etc/c.pem", KeyFile: "/etc/c.key", ServerName: "engine.example.com"}},
		{"inline client certificate", []string{envToken, claimsToken, envCert, "CERT", envKey, "KEY"},
			Config{TenantID: claimTenant, GRPCAddr: "engine.example.com:443", APIURL: "https://engine.example.com",
				TLS: TLSOn, Cert: "CERT", Key: "KEY", ServerName: "engine.example.com"}},
		{"token with surrounding whitespace", []string{envToken, "  " + claimsToken + "\n"},
			Config{TenantID: claimTenant, GRPCAddr: "engine.example.com:443", APIURL: "https://engine.example.com",
				TLS: TLSOn, ServerName: "engine.example.com"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := LoadConfig(ConfigInput{Getenv: envOf(c.env...), Home: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if got.Token.Reveal() != strings.TrimSpace(envOf(c.env...)(envToken)) {
				t.Error("token not kept")
			}
			if got.MinVersion != tls.VersionTLS12 {
				t.Errorf("min version %x, want TLS 1.2", got.MinVersion)
			}
			got.Token, got.ExpiresAt, got.MinVersion = "", time.Time{}, 0
			if got != c.want {
				t.Errorf("\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestLoadConfigReadsExpiry(t *testing.T) {
	got, err := LoadConfig(ConfigInput{Getenv: envOf(envToken, claimsToken)})
	if err != nil || !got.ExpiresAt.Equal(time.Unix(1900000000, 0)) {
		t.Fatalf("expires %s, %v", got.ExpiresAt, err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		want string
	}{
		{"no token", nil, "no token: set HATCHET_CLIENT_TOKEN or use --profile"},
		{"not a jwt", []string{envToken, "not-a-jwt"}, "HATCHET_CLIENT_TOKEN is not a JWT"},
		{"payload not base64", []string{envToken, "a.b!c.d"}, "HATCHET_CLIENT_TOKEN is not a JWT (the payload is not base64url)"},
		{"payload not json", []string{envToken, "a.bm90LWpzb24.c"}, "is not a JWT (the payload is not a JSON object of claims)"},
		{"no address", []string{envToken, jwt(map[string]any{"sub": claimTenant})}, "no engine address"},
		{"no api url", []string{envToken, jwt(map[string]any{"sub": claimTenant}), envHostPort, "h:1"}, "no API address"},
		{"no tenant", []string{envToken, jwt(map[string]any{"server_url": "http://h"})}, "no tenant id"},
		{"tenant not a uuid", []string{envToken, claimsToken, envTenantID, "acme"}, `tenant id "acme"`},
		{"address without port", []string{envToken, claimsToken, envHostPort, "localhost"}, `"localhost" (from HATCHET_CLIENT_HOST_PORT or the token) is not host:port`},
		{"api url without scheme", []string{envToken, claimsToken, envServerURL, "localhost:8080"}, "is not an http(s) URL"},
		{"mtls without a certificate", []string{envToken, claimsToken, envTLS, "mtls"},
			"HATCHET_CLIENT_TLS_STRATEGY=mtls needs a client certificate: set HATCHET_CLIENT_TLS_CERT_FILE and HATCHET_CLIENT_TLS_KEY_FILE"},
		{"certificate without key", []string{envToken, claimsToken, envTLS, "mtls", envCertFile, "/c.pem"},
			"a client certificate needs its key: set HATCHET_CLIENT_TLS_KEY_FILE"},
		{"key without certificate", []string{envToken, claimsToken, envKey, "-----BEGIN PRIVATE KEY-----"},
			"a client key needs its certificate: set HATCHET_CLIENT_TLS_CERT_FILE"},
		{"bad min version", []string{envToken, claimsToken, envMinVersion, "1.1"}, `HATCHET_CLIENT_TLS_MIN_VERSION "1.1" is not 1.2 or 1.3`},
		{"unknown tls", []string{envToken, claimsToken, envTLS, "ssl"}, `HATCHET_CLIENT_TLS_STRATEGY "ssl" is not one of tls, mtls, none`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadConfig(ConfigInput{Getenv: envOf(c.env...), Home: t.TempDir()})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			if tok := envOf(c.env...)(envToken); len(tok) > 5 && strings.Contains(err.Error(), tok) {
				t.Errorf("error holds the token: %q", err)
			}
		})
	}
	_, err := LoadConfig(ConfigInput{})
	if !errors.Is(err, ErrNoToken) {
		t.Errorf("nil Getenv: %v", err)
	}
}

// profilesYAML is the file as `hatchet profile add` writes it: viper
// lowercases every key, profile names included.
func profilesYAML(defaultProfile string, names ...string) string {
	var b strings.Builder
	if defaultProfile != "" {
		fmt.Fprintf(&b, "defaultprofile: %s\n", defaultProfile)
	}
	b.WriteString("profiles:\n")
	for i, n := range names {
		tok := jwt(map[string]any{"sub": claimTenant, "server_url": fmt.Sprintf("http://%s:8080", n),
			"grpc_broadcast_address": fmt.Sprintf("%s:7077", n), "exp": 1900000000})
		fmt.Fprintf(&b, "    %s:\n        apiserverurl: http://%s.example:808%d\n        expiresat: 2030-03-17T18:20:00Z\n"+
			"        grpchostport: %s.example:707%d\n        name: %s\n        tenantid: %s\n        tlsstrategy: none\n        token: %s\n",
			strings.ToLower(n), n, i, n, i, n, claimTenant, tok)
	}
	return b.String()
}

func writeProfiles(t *testing.T, name, content string) string {
	t.Helper()
	home := t.TempDir()
	dir := filepath.Join(home, ".hatchet")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return home
}

func TestLoadConfigProfiles(t *testing.T) {
	two := profilesYAML("", "Local", "prod")
	cases := []struct {
		name    string
		file    string
		env     []string
		profile string
		want    string // the profile chosen, or "env"
		wantErr string
	}{
		{"--profile by name", two, nil, "prod", "prod", ""},
		{"--profile ignores case (viper lowercased the key)", two, nil, "LOCAL", "Local", ""},
		{"--profile wins over the environment's token", two, []string{envToken, claimsToken}, "prod", "prod", ""},
		{"only profile is used without a token", profilesYAML("", "Local"), nil, "", "Local", ""},
		{"default profile is used without a token", profilesYAML("prod", "Local", "prod"), nil, "", "prod", ""},
		{"environment token wins over the default", profilesYAML("prod", "prod"), []string{envToken, claimsToken}, "", "env", ""},
		{"several profiles, none default", two, nil, "", "", "no token: set HATCHET_CLIENT_TOKEN or use --profile (profiles: Local, prod)"},
		{"unknown profile lists the others", two, nil, "staging", "", `unknown profile "staging" (available: Local, prod)`},
		{"empty profiles file", "profiles: {}\n", nil, "x", "", `unknown profile "x"`},
		{"profile without a token", "profiles:\n  a:\n    name: a\n", nil, "a", "", `profile "a" has no token`},
		{"profile with mtls and no certificate", "profiles:\n  a:\n    token: " + claimsToken + "\n    tlsstrategy: mtls\n", nil, "a", "",
			`profile "a" tlsStrategy mtls needs a client certificate: set HATCHET_CLIENT_TLS_CERT_FILE (or profile "a" tlsCertFile) and HATCHET_CLIENT_TLS_KEY_FILE (or profile "a" tlsKeyFile)`},
		{"broken yaml", "profiles: [\n", nil, "a", "", "is not valid YAML"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			home := writeProfiles(t, "profiles.yaml", c.file)
			cfg, err := LoadConfig(ConfigInput{Getenv: envOf(c.env...), Home: home, Profile: c.profile})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.want == "env" {
				if cfg.Profile != "" || cfg.GRPCAddr != "engine.example.com:443" {
					t.Errorf("want the environment's settings, got %s", cfg)
				}
				return
			}
			i := map[string]string{"Local": "0", "prod": "1"}[c.want]
			if cfg.Profile != c.want || cfg.GRPCAddr != c.want+".example:707"+i || cfg.APIURL != "http://"+c.want+".example:808"+i ||
				cfg.TLS != TLSNone || cfg.TenantID != claimTenant || cfg.ServerName != c.want+".example" {
				t.Errorf("got %s, want profile %s", cfg, c.want)
			}
		})
	}
}

func TestLoadConfigProfileFileName(t *testing.T) {
	home := writeProfiles(t, "work.yaml", profilesYAML("", "work"))
	cfg, err := LoadConfig(ConfigInput{Getenv: envOf(envProfileFile, "work.yaml"), Home: home, Profile: "work"})
	if err != nil || cfg.Profile != "work" {
		t.Fatalf("from HATCHET_CLI_PROFILE_FILE_NAME: %s, %v", cfg, err)
	}
	if err := os.WriteFile(filepath.Join(home, ".hatchet", "config.yaml"), []byte("profileFileName: work.yaml\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, err = LoadConfig(ConfigInput{Home: home}); err != nil || cfg.Profile != "work" {
		t.Fatalf("from config.yaml: %s, %v", cfg, err)
	}
	_, err = LoadConfig(ConfigInput{Home: t.TempDir(), Profile: "work"})
	if err == nil || !strings.Contains(err.Error(), "--profile work: no profiles file at ") {
		t.Fatalf("missing file: %v", err)
	}
}

// The token must not show however a Config or Secret is printed or logged.
func TestConfigNeverPrintsTheToken(t *testing.T) {
	cfg, err := LoadConfig(ConfigInput{Getenv: envOf(envToken, claimsToken, envNamespace, "ns")})
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "cfg", cfg, "token", cfg.Token)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "cfg", cfg, "token", cfg.Token)
	js, _ := json.Marshal(cfg)
	outputs := []string{
		cfg.String(), fmt.Sprint(cfg), fmt.Sprintf("%+v %#v %s %q", cfg, cfg, cfg, cfg),
		fmt.Sprintf("%v %+v %#v %s %q %x %X %d", cfg.Token, cfg.Token, cfg.Token, cfg.Token, cfg.Token, cfg.Token, cfg.Token, cfg.Token),
		fmt.Sprintf("%+v", struct{ C Config }{cfg}), string(js), logged.String(),
	}
	sig := claimsToken[strings.LastIndexByte(claimsToken, '.')+1:]
	payload := strings.Split(claimsToken, ".")[1]
	for _, out := range outputs {
		if strings.Contains(out, sig) || strings.Contains(out, payload) {
			t.Errorf("token printed: %s", out)
		}
	}
	if !strings.Contains(cfg.String(), "namespace=ns_") || !strings.Contains(cfg.String(), "token=[redacted]") {
		t.Errorf("String() = %s", cfg)
	}
}
