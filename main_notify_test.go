package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestNotifyFlagAndConfig(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	cases := []struct {
		args   []string
		on     bool
		filter string
	}{
		{nil, false, ""},
		{[]string{"--notify"}, true, ""},
		{[]string{"--notify=approv,refund:"}, true, "approv,refund:"},
		{[]string{"--notify=false"}, false, ""},
	}
	for _, c := range cases {
		o, err := parseFlags(c.args, io.Discard)
		if err != nil || o.notify.on != c.on || o.notify.filter != c.filter {
			t.Errorf("%v: %+v, %v; want %v %q", c.args, o.notify, err, c.on, c.filter)
		}
	}
	// The config file's notify: applies unless the command line says otherwise.
	cfg := filepath.Join(dir, "hatchtop", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("notify: [approv]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if o, err := parseFlags(nil, io.Discard); err != nil || !o.notify.on || o.notify.filter != "approv" {
		t.Errorf("config: %+v, %v", o.notify, err)
	}
	if o, err := parseFlags([]string{"--notify=false"}, io.Discard); err != nil || o.notify.on {
		t.Errorf("--notify=false over the config: %+v, %v", o.notify, err)
	}
	// Never without a terminal: the test's stdout is not one here.
	if a := attentionDeps(options{notify: notifyFlag{on: true}}); a != nil && !isTerminal(os.Stdout) {
		t.Errorf("notify wired to a stdout that is not a terminal")
	}
}
