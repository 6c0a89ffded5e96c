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
	if s, err := Parse("c.yaml", []byte("finished: 1h\n")); err != nil || s.Finished != time.Hour {
		t.Errorf("finished: %v, %v", s.Finished, err)
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

// Every bad file ends with exactly one line: the file, the setting, what
// is wrong, never a Go type or a second line of the YAML library's.
func TestParseErrorsAreOneLine(t *testing.T) {
	cases := map[string]string{
		"colour: red\n":                       "c.yaml: colour: unknown setting (known: read_only, timeout_warning, finished, keys, notify)",
		"timeout_warning: soon\n":             `c.yaml: timeout_warning: "soon" is not a positive duration (like 1m or 90s)`,
		"finished: 0s\n":                      `c.yaml: finished: "0s" is not a positive duration (like 10m or 1h)`,
		"timeout_warning: -1m\n":              `c.yaml: timeout_warning: "-1m" is not a positive duration (like 1m or 90s)`,
		"timeout_warning: [1m]\n":             `c.yaml: timeout_warning: the value on line 1 is not a positive duration (like 1m or 90s)`,
		"read_only: maybe\n":                  `c.yaml: read_only: "maybe" is not true or false`,
		"read_only: true\nread_only: false\n": "c.yaml: read_only: set twice (line 2)",
		"keys: x\n":                           "c.yaml: keys: give bindings as `name: key` or `name: [key, key]` lines",
		"keys:\n  cancel: {a: b}\n":           "c.yaml: keys.cancel: give a key or a list of keys",
		"- a\n- b\n":                          "c.yaml: line 1: want settings as `name: value` lines",
		"read_only: [\n":                      "c.yaml: not valid YAML (",
		"a: 1\n  b: 2\n":                      "c.yaml: not valid YAML (",
	}
	for in, want := range cases {
		_, err := Parse("c.yaml", []byte(in))
		if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %q, want one line starting %q", in, err, want)
		}
		if err != nil && (strings.Contains(err.Error(), "settings.") || strings.Contains(err.Error(), "unmarshal")) {
			t.Errorf("%q: error names a Go type: %q", in, err)
		}
	}
	for _, in := range []string{"", "# nothing\n", "~\n", "keys:\n", "read_only: false\n"} {
		if _, err := Parse("c.yaml", []byte(in)); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestLoadNamesAnUnreadableFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "missing.yaml")
	_, err := Load(p, true)
	if err == nil || err.Error() != p+": cannot read the config file (no such file or directory)" {
		t.Errorf("error %q", err)
	}
}
