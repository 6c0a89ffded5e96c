package stack

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every dependency of the worker with an install script has an allowScripts
// entry in package.json, so that npm 11 does not end a clean install with
// "install scripts not yet covered by allowScripts" (issue 9). A dependency
// update that brings a new one fails here, naming it.
func TestWorkerInstallScriptsAreDecided(t *testing.T) {
	dir := filepath.Join("..", "worker")
	var pkg struct {
		AllowScripts map[string]bool `json:"allowScripts"`
	}
	var lock struct {
		Packages map[string]struct {
			Version          string `json:"version"`
			HasInstallScript bool   `json:"hasInstallScript"`
		} `json:"packages"`
	}
	readJSON(t, filepath.Join(dir, "package.json"), &pkg)
	readJSON(t, filepath.Join(dir, "package-lock.json"), &lock)
	n := 0
	for path, p := range lock.Packages {
		if !p.HasInstallScript {
			continue
		}
		n++
		name := path[strings.LastIndex(path, "node_modules/")+len("node_modules/"):]
		_, byName := pkg.AllowScripts[name]
		_, byVersion := pkg.AllowScripts[name+"@"+p.Version]
		if !byName && !byVersion {
			t.Errorf("%s@%s has an install script and no allowScripts entry in harness/worker/package.json "+
				"(npm install-scripts deny %s, or approve it if the worker needs it)", name, p.Version, name)
		}
	}
	if n == 0 {
		t.Fatal("no dependency with an install script in package-lock.json: is this still the worker's lock file?")
	}
}

// A clean `npm ci` of the worker, in a copy of its directory, prints no
// warning or notice. Real-engine runs only: it fetches from the registry.
func TestWorkerCleanInstallIsQuiet(t *testing.T) {
	if os.Getenv("HATCHTOP_E2E") != "1" {
		t.Skip("installs from the npm registry: set HATCHTOP_E2E=1")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Fatal("npm is needed:", err)
	}
	dir := t.TempDir()
	for _, f := range []string{"package.json", "package-lock.json", ".npmrc"} {
		b, err := os.ReadFile(filepath.Join("..", "worker", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm ci: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "added ") {
			t.Errorf("npm ci printed more than what it added:\n%s", out)
			break
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// The demo's keep-alive (harness/worker/keepalive.ts) on a fake clock:
// every demo run that ends is replaced, once, 20 to 35 s later. The test is
// TypeScript, run by node's test runner through the worker's tsx.
func TestWorkerKeepAlive(t *testing.T) {
	dir := filepath.Join("..", "worker")
	tsx := filepath.Join(dir, "node_modules", ".bin", "tsx")
	if _, err := os.Stat(tsx); err != nil {
		if os.Getenv("HATCHTOP_E2E") == "1" {
			t.Fatalf("the worker is not installed (make worker): %v", err)
		}
		t.Skip("the worker is not installed (make worker)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join("node_modules", ".bin", "tsx"), "--test", "keepalive.test.ts")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tsx --test keepalive.test.ts: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "\n# fail 0\n") || strings.Contains(string(out), "\n# pass 0\n") {
		t.Errorf("expected passing tests and no failure:\n%s", out)
	}
}
