package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionLine(t *testing.T) {
	pseudo := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261202145222-0f833320274d+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0f833320274ddb3863862f761777bea30979c635"},
			{Key: "vcs.time", Value: "2026-12-02T14:52:22Z"}, {Key: "vcs.modified", Value: "true"}}}
	clean := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "false"}}}
	for _, c := range []struct {
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{pseudo, true, "hatchtop v0.0.0-20261202145222-0f833320274d+dirty commit 0f833320274ddb3863862f761777bea30979c635 (2026-12-02T14:52:22Z, modified) go1.26.8"},
		{clean, true, "hatchtop v1.2.3 commit abc go1.26.8"},
		{&debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, true, "hatchtop (devel) (no VCS commit recorded) go1.26.8"},
		{nil, false, "hatchtop (no build information)"},
	} {
		if got := versionLine(c.bi, c.ok); got != c.want {
			t.Errorf("versionLine = %q\nwant          %q", got, c.want)
		}
	}
}

// --version and `version` answer before anything is read: no token, a
// config file that would fail, flags that would fail, and stdout a pipe.
func TestVersionNeedsNothing(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv("HATCHET_CLIENT_TOKEN", "")
	bad := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(bad, []byte("colour: red\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want := versionLine(debug.ReadBuildInfo()) + "\n"
	for _, args := range [][]string{{"--version"}, {"-version"}, {"version"}, {"--config", bad, "--version"}, {"snapshot", "--version"}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != exitOK || out.String() != want || errb.Len() != 0 {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 0 and %q", args, code, out.String(), errb.String(), want)
		}
	}
	for _, args := range [][]string{{"version", "extra"}, {"--", "--version"}, {"--version=false"}} {
		if wantsVersion(args) {
			t.Errorf("%q asks for the version", args)
		}
	}
}

// The built binary prints what Go stamped into it, and exits 0 with no
// token and stdout a pipe. From a clone (a plain git checkout; Go does not
// stamp from a git worktree, whose .git is a file) built with
// -buildvcs=true, that is the clone's commit.
func TestVersionOfTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "hatchtop")
	build(t, goBin, ".", bin, os.Getenv("GOFLAGS"))
	checkBinary(t, bin, goBin, "")

	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Log("no git: the commit stamp is not checked")
		return
	}
	clone := filepath.Join(dir, "src")
	if out, err := exec.Command(gitBin, "clone", "-q", ".", clone).CombinedOutput(); err != nil {
		t.Logf("not a git checkout, the commit stamp is not checked: %v %s", err, out)
		return
	}
	head, err := exec.Command(gitBin, "-C", clone, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	stamped := filepath.Join(dir, "hatchtop-vcs")
	build(t, goBin, clone, stamped, "-buildvcs=true")
	checkBinary(t, stamped, goBin, strings.TrimSpace(string(head)))
}

func build(t *testing.T, goBin, dir, out, goflags string) {
	t.Helper()
	cmd := exec.Command(goBin, "build", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS="+goflags)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build in %s: %v\n%s", dir, err, b)
	}
}

// checkBinary runs both spellings and compares the line with what `go
// version -m` reads from the binary; commit, when given, must be stamped.
func checkBinary(t *testing.T, bin, goBin, commit string) {
	t.Helper()
	meta, err := exec.Command(goBin, "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	var modVersion, rev string
	for _, l := range strings.Split(string(meta), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) >= 3 && f[0] == "mod":
			modVersion = f[2]
		case len(f) >= 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs.revision="):
			rev = strings.TrimPrefix(f[1], "vcs.revision=")
		}
	}
	if commit != "" && rev != commit {
		t.Fatalf("%s: go version -m says revision %q, want %q", bin, rev, commit)
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		cmd := exec.Command(bin, args...)
		cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")} // no token, no config
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s %q: %v, stderr %q", bin, args, err, errb.String())
		}
		line := out.String()
		if !strings.HasPrefix(line, "hatchtop "+modVersion+" ") || strings.Count(line, "\n") != 1 || errb.Len() != 0 {
			t.Errorf("%s %q: %q (stderr %q), want one line naming %q", bin, args, line, errb.String(), modVersion)
		}
		if rev != "" && !strings.Contains(line, "commit "+rev) {
			t.Errorf("%s %q: %q lacks the commit %s", bin, args, line, rev)
		}
		t.Logf("%s %s: %s", filepath.Base(bin), strings.Join(args, " "), strings.TrimSpace(line))
	}
}
