package client

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// fuzzSignature marks the token: it must never show in an error or in a
// printed Config, whatever the other settings hold.
const fuzzSignature = "c2lnbmF0dXJlLW9mLWZ1enotdG9rZW4"

// checkLine fails unless s is one line of printable text without the token.
func checkLine(t *testing.T, what, s, token string) {
	t.Helper()
	if strings.Contains(s, fuzzSignature) || (len(token) > 8 && strings.Contains(s, token)) {
		t.Fatalf("%s holds the token: %q", what, s)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			t.Fatalf("%s holds a control character %U (or spans lines): %q", what, r, s)
		}
	}
}

// FuzzLoadConfig: whatever the environment and the CLI's profiles file
// hold, LoadConfig never panics, its errors are one printable line, and
// neither they nor the Config's String hold the token.
func FuzzLoadConfig(f *testing.F) {
	b64 := base64.RawURLEncoding.EncodeToString
	claims := `{"sub":"` + claimTenant + `","server_url":"https://e.example/","grpc_broadcast_address":"e.example:443","exp":1900000000}`
	seeds := []struct {
		payload, raw, host, url, tenant, tls, profiles, profile string
	}{
		{claims, "", "", "", "", "", "", ""},
		{claims, "", "localhost:7077", "http://localhost:8080", envTenant, "none", "", ""},
		{`{"sub":"acme"}`, "", "h", "localhost:8080", "", "ssl", "", ""},
		{`{"exp":1e300}`, "", "", "", "", "mtls", "", ""},
		{"not json", "", "", "", "", "", "", ""},
		{"", "not-a-jwt", "", "", "", "", "", ""},
		{"", "a.b!c.d", "", "", "", "", "", ""},
		{claims, "", "", "", "", "", profilesYAML("", "Local", "prod"), ""},
		{claims, "", "", "", "", "", profilesYAML("prod", "Local", "prod"), "PROD"},
		{claims, "", "", "", "", "", "profiles:\n  \"a\\nb\":\n    name: \"x\\u001b[31m\"\n", "zzz"},
		{claims, "", "", "", "", "", "profiles: [\n", "a"},
		{claims, "", "", "", "", "", "profiles:\n  a:\n    token: 12\n    tlsstrategy: mtls\n    tlscertfile: /c\n", "a"},
		{claims, "", "", "", "", "", "defaultprofile: a\nprofiles:\n  a:\n    token: x.y.z\n", ""},
	}
	for _, s := range seeds {
		f.Add(s.payload, s.raw, s.host, s.url, s.tenant, s.tls, s.profiles, s.profile)
	}
	f.Fuzz(func(t *testing.T, payload, raw, host, apiURL, tenant, tlsMode, profilesFile, profileName string) {
		token := raw
		if token == "" {
			token = b64([]byte(`{"alg":"ES256"}`)) + "." + b64([]byte(payload)) + "." + fuzzSignature
		}
		home := t.TempDir()
		if profilesFile != "" {
			// A profile's token is the same secret: put it in where asked.
			content := strings.ReplaceAll(profilesFile, "TOKEN", token)
			if err := os.MkdirAll(filepath.Join(home, ".hatchet"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(home, ".hatchet", "profiles.yaml"), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		env := envOf(envToken, token, envHostPort, host, envServerURL, apiURL, envTenantID, tenant, envTLS, tlsMode)
		if raw == "" && payload == "" {
			env = envOf(envHostPort, host, envServerURL, apiURL, envTenantID, tenant, envTLS, tlsMode)
		}
		cfg, err := LoadConfig(ConfigInput{Getenv: env, Home: home, Profile: profileName})
		if err != nil {
			checkLine(t, "error", err.Error(), token)
			return
		}
		// The config is for the debug log: the token must not show in it.
		if s := cfg.String(); strings.Contains(s, fuzzSignature) || (len(cfg.Token) > 8 && strings.Contains(s, cfg.Token.Reveal())) {
			t.Fatalf("config prints the token: %s", s)
		}
		if cfg.TenantID == "" || cfg.GRPCAddr == "" || cfg.APIURL == "" || cfg.ServerName == "" {
			t.Fatalf("accepted an incomplete config: %s", cfg)
		}
		if cfg.TLS != TLSOn && cfg.TLS != TLSMTLS && cfg.TLS != TLSNone {
			t.Fatalf("strategy %q", cfg.TLS)
		}
	})
}
