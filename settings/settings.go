// Package settings reads hatchtop's own optional config file
// (~/.config/hatchtop/config.yaml): read-only mode, the timeout warning
// threshold and key rebindings. The engine's configuration is client's.
package settings

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hatchtop/hatchtop/keymap"
)

// Settings are the config file's values; zero values mean "not set".
type Settings struct {
	Path        string // the file read, "" when there was none
	ReadOnly    bool
	TimeoutWarn time.Duration
	Keys        keymap.KeyMap
}

// file is the YAML shape. Keys map a binding name to one key or a list.
type file struct {
	ReadOnly    bool                 `yaml:"read_only"`
	TimeoutWarn string               `yaml:"timeout_warning"`
	Keys        map[string]yaml.Node `yaml:"keys"`
}

// DefaultPath is $XDG_CONFIG_HOME/hatchtop/config.yaml, or
// ~/.config/hatchtop/config.yaml.
func DefaultPath(getenv func(string) string, home string) string {
	if x := getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "hatchtop", "config.yaml")
	}
	return filepath.Join(home, ".config", "hatchtop", "config.yaml")
}

// Load reads path. A missing file at the default path is no error
// (explicit says whether the user named the file).
func Load(path string, explicit bool) (Settings, error) {
	s := Settings{Keys: keymap.Default()}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("config file: %w", err)
	}
	return Parse(path, data)
}

// Parse reads the config file's content; every error names the file and
// the setting.
func Parse(path string, data []byte) (Settings, error) {
	s := Settings{Path: path, Keys: keymap.Default()}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) { // an empty file sets nothing
		return s, fmt.Errorf("config file %s: %w", path, err)
	}
	s.ReadOnly = f.ReadOnly
	if f.TimeoutWarn != "" {
		d, err := time.ParseDuration(f.TimeoutWarn)
		if err != nil || d <= 0 {
			return s, fmt.Errorf("config file %s: timeout_warning %q is not a positive duration (like 1m or 90s)", path, f.TimeoutWarn)
		}
		s.TimeoutWarn = d
	}
	for _, name := range sortedNames(f.Keys) {
		node := f.Keys[name]
		var keys []string
		if err := node.Decode(&keys); err != nil {
			var one string
			if err := node.Decode(&one); err != nil {
				return s, fmt.Errorf("config file %s: keys.%s: give a key or a list of keys", path, name)
			}
			keys = []string{one}
		}
		for i, k := range keys {
			if k == "space" {
				keys[i] = " "
			}
		}
		km, err := s.Keys.Rebind(name, keys)
		if err != nil {
			return s, fmt.Errorf("config file %s: %w", path, err)
		}
		s.Keys = km
	}
	return s, nil
}

func sortedNames(m map[string]yaml.Node) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
