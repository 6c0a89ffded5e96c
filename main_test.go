package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Every bad flag or config setting ends with exactly one line and exit
// code 2; only --help prints the usage.
func TestBadFlagsAreOneLine(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("colour: red\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"--foo":                   "hatchtop: unknown flag --foo (hatchtop --help lists the flags)",
		"-x=1":                    "hatchtop: unknown flag --x (hatchtop --help lists the flags)",
		"--since soon":            `hatchtop: --since: "soon" is not a duration (like 90s, 5m or 24h)`,
		"--refresh":               "hatchtop: --refresh needs a value",
		"--read-only=maybe":       `hatchtop: --read-only: "maybe" is not true or false`,
		"---foo":                  "hatchtop: bad flag syntax: ---foo (hatchtop --help lists the flags)",
		"snapshot extra":          `hatchtop: unexpected argument "extra" (hatchtop --help lists the flags)`,
		"--json":                  "hatchtop: --json only applies to `hatchtop snapshot`",
		"--finished -1m":          "hatchtop: --finished must be positive, got -1m0s",
		"--finished soon":         `hatchtop: --finished: "soon" is not a duration (like 90s, 5m or 24h)`,
		"--config " + cfg:         "hatchtop: " + cfg + ": colour: unknown setting (known: read_only, timeout_warning, finished, keys, notify)",
		"--config " + cfg + ".no": "hatchtop: " + cfg + ".no: cannot read the config file (no such file or directory)",
	}
	for args, want := range cases {
		var out, errb bytes.Buffer
		code := run(strings.Fields(args), &out, &errb)
		if code != exitUsage || errb.String() != want+"\n" || out.Len() != 0 {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", args, code, errb.String(), want)
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"--help"}, &out, &errb); code != exitOK || !strings.HasPrefix(errb.String(), "usage: hatchtop") ||
		!strings.Contains(errb.String(), "-refresh") {
		t.Errorf("--help: exit %d, %q", code, errb.String())
	}
}

// The dashboard needs a terminal: with stdout a pipe or a file, hatchtop
// says so in one line and exits 2 before dialling anything, instead of
// drawing "starting…" into the pipe forever (issue 9). The snapshot, made
// for pipes, still goes on to connect.
func TestNoTerminalIsOneLine(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv("HATCHET_CLIENT_TOKEN", "")
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	const want = "hatchtop: stdout is not a terminal; the dashboard needs one (for a pipe or a file, use `hatchtop snapshot`)\n"
	for name, stdout := range map[string]io.Writer{"buffer": &bytes.Buffer{}, "pipe": pw} {
		for _, args := range [][]string{nil, {"--read-only", "--refresh", "2s"}} {
			var errb bytes.Buffer
			if code := run(args, stdout, &errb); code != exitUsage || errb.String() != want {
				t.Errorf("%s %q: exit %d, stderr %q; want 2 and %q", name, args, code, errb.String(), want)
			}
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"snapshot"}, &out, &errb); code != exitUsage || strings.Contains(errb.String(), "terminal") ||
		!strings.HasPrefix(errb.String(), "hatchtop: ") {
		t.Errorf("snapshot without a token: exit %d, stderr %q; want the config error, not the terminal one", code, errb.String())
	}
}

// --finished wins over the config file's finished:, which wins over the default.
func TestFinishedWindowFromTheFlagOrTheConfig(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("finished: 2h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for args, want := range map[string]time.Duration{
		"--config " + cfg:                    2 * time.Hour,
		"--config " + cfg + " --finished 1h": time.Hour,
	} {
		o, err := parseFlags(strings.Fields(args), io.Discard)
		if err != nil || o.finished != want {
			t.Errorf("%s: finished %s (%v), want %s", args, o.finished, err, want)
		}
	}
}
