package client

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// A switch of tenant closes the old client: a REST request still waiting
// for its answer must end then, not at its own timeout.
func TestCloseEndsTheRequestsInFlight(t *testing.T) {
	arrived, gone := make(chan struct{}), make(chan struct{})
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done() // an engine that never answers
		close(gone)
	}))
	defer api.Close()
	cfg, err := LoadConfig(ConfigInput{Getenv: envOf(envToken, testToken(), envServerURL, api.URL,
		envHostPort, closedAddr(t), envTLS, "none")})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.TaskDetail(context.Background(), tid(1)) // no deadline of its own
		done <- err
	}()
	waitClosed(t, arrived, "the request reaching the engine")
	c.Close()
	waitClosed(t, gone, "the engine seeing the request end")
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the request ended without an error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the request still waits after Close")
	}
}

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestListProfilesOffersTheEnvironmentAndEveryProfile(t *testing.T) {
	home := writeProfiles(t, "profiles.yaml", profilesYAML("prod", "Local", "prod"))
	envTok := jwt(map[string]any{"sub": envTenant, "server_url": "http://env.example:8080"})
	got := ListProfiles(ConfigInput{Getenv: envOf(envToken, envTok), Home: home})
	if got.Err != nil {
		t.Fatalf("err = %v", got.Err)
	}
	want := []Profile{
		{Name: "environment", Env: true, TenantID: envTenant, APIURL: "http://env.example:8080"},
		{Name: "Local", Key: "local", TenantID: claimTenant, APIURL: "http://Local.example:8080"},
		{Name: "prod", Key: "prod", TenantID: claimTenant, APIURL: "http://prod.example:8081", Default: true},
	}
	if len(got.List) != len(want) {
		t.Fatalf("list = %+v", got.List)
	}
	for i := range want {
		if got.List[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got.List[i], want[i])
		}
	}
}

func TestListProfilesSaysWhyTheFileGaveNone(t *testing.T) {
	envTok := jwt(map[string]any{"sub": envTenant})
	got := ListProfiles(ConfigInput{Getenv: envOf(envToken, envTok), Home: t.TempDir()})
	if got.Err == nil || !strings.Contains(got.Err.Error(), "no profiles file") {
		t.Errorf("err = %v", got.Err)
	}
	if len(got.List) != 1 || !got.List[0].Env {
		t.Errorf("the environment should stay on offer: %+v", got.List)
	}
	empty := writeProfiles(t, "profiles.yaml", "profiles: {}\n")
	if got := ListProfiles(ConfigInput{Home: empty}); got.Err == nil || len(got.List) != 0 {
		t.Errorf("an empty file: %+v", got)
	}
	broken := writeProfiles(t, "profiles.yaml", "profiles: [\n")
	if got := ListProfiles(ConfigInput{Home: broken}); got.Err == nil || !strings.Contains(got.Err.Error(), "not valid YAML") {
		t.Errorf("a broken file: %+v", got)
	}
}

// The switcher's "environment" is the variables alone, even where a
// default profile exists; and it names itself in the header.
func TestLoadConfigEnvironmentOnly(t *testing.T) {
	home := writeProfiles(t, "profiles.yaml", profilesYAML("prod", "prod"))
	env := envOf(envToken, claimsToken)
	cfg, err := LoadConfig(ConfigInput{Getenv: env, Home: home, Environment: true})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.GRPCAddr != "engine.example.com:443" || cfg.Profile != "environment" {
		t.Errorf("config = %v", cfg)
	}
	if _, err := LoadConfig(ConfigInput{Home: home, Environment: true}); err == nil || !strings.Contains(err.Error(), envToken) {
		t.Errorf("no token in the environment: %v", err)
	}
}
