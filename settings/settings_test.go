package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	s, err := Parse("c.yaml", []byte("read_only: true\ntimeout_warning: 2m\nkeys:\n  cancel: x\n  mark: [space, m]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !s.ReadOnly || s.TimeoutWarn != 2*time.Minute {
		t.Errorf("settings %+v", s)
	}
	if k := s.Keys.List.Cancel.Keys(); len(k) != 1 || k[0] != "x" {
		t.Errorf("cancel keys %v", k)
	}
	if k := s.Keys.List.Mark.Keys(); len(k) != 2 || k[0] != " " || k[1] != "m" {
		t.Errorf("mark keys %q", k)
	}
}

func TestParseErrorsNameTheSetting(t *testing.T) {
	cases := map[string]string{
		"timeout_warning: soon\n":   "timeout_warning",
		"keys:\n  cancel: q\n":      `"quit"`,
		"keys:\n  nope: x\n":        "unknown key binding",
		"colour: red\n":             "colour",
		"keys:\n  cancel: {a: b}\n": "keys.cancel",
		"read_only: [\n":            "c.yaml",
	}
	for in, want := range cases {
		_, err := Parse("c.yaml", []byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to mention %q", in, err, want)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if s, err := Load(filepath.Join(dir, "missing.yaml"), false); err != nil || s.ReadOnly {
		t.Errorf("a missing default file: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml"), true); err == nil {
		t.Error("a missing named file is no error")
	}
	p := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p, true); err != nil {
		t.Errorf("empty file: %v", err)
	}
	if got := DefaultPath(func(string) string { return "" }, "/home/u"); got != "/home/u/.config/hatchtop/config.yaml" {
		t.Errorf("default path %s", got)
	}
}
