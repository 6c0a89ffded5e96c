// Package settings reads hatchtop's own optional config file
// (~/.config/hatchtop/config.yaml): read-only mode, the timeout warning
// threshold and key rebindings. The engine's configuration is client's.
package settings

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/hatchtop/hatchtop/keymap"
)

// Settings are the config file's values; zero values mean "not set".
type Settings struct {
	Path        string // the file read, "" when there was none
	ReadOnly    bool
	TimeoutWarn time.Duration
	Finished    time.Duration // how long finished tasks stay listed
	Keys        keymap.KeyMap
	// Notify is `notify:`: true, or substrings of a label or event key
	// (NotifyFilter, comma-separated, "" for every event wait).
	Notify       bool
	NotifyFilter string
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
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return s, fmt.Errorf("%s: cannot read the config file (%v)", printable(path), err)
	}
	return Parse(path, data)
}

// known are the settings of the file, in the order errors list them.
var known = []string{"read_only", "timeout_warning", "finished", "keys", "notify"}

// Parse reads the config file's content. Every error is one line naming
// the file and the setting: "PATH: timeout_warning: "x" is not a positive
// duration (like 1m or 90s)".
func Parse(path string, data []byte) (Settings, error) {
	s := Settings{Path: path, Keys: keymap.Default()}
	fail := func(setting, format string, args ...any) (Settings, error) {
		if setting == "" {
			return s, fmt.Errorf("%s: %s", printable(path), fmt.Sprintf(format, args...))
		}
		return s, fmt.Errorf("%s: %s: %s", printable(path), printable(setting), fmt.Sprintf(format, args...))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fail("", "not valid YAML (%s)", oneLine(err))
	}
	if len(doc.Content) == 0 { // an empty file sets nothing
		return s, nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		if top.Tag == "!!null" {
			return s, nil
		}
		return fail("", "line %d: want settings as `name: value` lines", top.Line)
	}
	var keys *yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		name, value := top.Content[i].Value, top.Content[i+1]
		if seen[name] {
			return fail(name, "set twice (line %d)", top.Content[i].Line)
		}
		seen[name] = true
		switch name {
		case "read_only":
			var b bool
			if value.Kind != yaml.ScalarNode || value.Decode(&b) != nil {
				return fail(name, "%s is not true or false", quoted(value))
			}
			s.ReadOnly = b
		case "timeout_warning":
			d, err := time.ParseDuration(value.Value)
			if value.Kind != yaml.ScalarNode || err != nil || d <= 0 {
				return fail(name, "%s is not a positive duration (like 1m or 90s)", quoted(value))
			}
			s.TimeoutWarn = d
		case "notify":
			on, filter, ok := notifySetting(value)
			if !ok {
				return fail(name, "%s is not true, false, a substring or a list of substrings of a wait's label or event key", quoted(value))
			}
			s.Notify, s.NotifyFilter = on, filter
		case "finished":
			d, err := time.ParseDuration(value.Value)
			if value.Kind != yaml.ScalarNode || err != nil || d <= 0 {
				return fail(name, "%s is not a positive duration (like 10m or 1h)", quoted(value))
			}
			s.Finished = d
		case "keys":
			if value.Kind != yaml.MappingNode && value.Tag != "!!null" {
				return fail(name, "give bindings as `name: key` or `name: [key, key]` lines")
			}
			keys = value
		default:
			return fail(name, "unknown setting (known: %s)", strings.Join(known, ", "))
		}
	}
	if keys == nil {
		return s, nil
	}
	bindings := map[string]yaml.Node{}
	for i := 0; i+1 < len(keys.Content); i += 2 {
		bindings[keys.Content[i].Value] = *keys.Content[i+1]
	}
	for _, name := range sortedNames(bindings) {
		node := bindings[name]
		setting := "keys." + name
		var list []string
		if err := node.Decode(&list); err != nil {
			var one string
			if node.Kind != yaml.ScalarNode || node.Decode(&one) != nil {
				return fail(setting, "give a key or a list of keys")
			}
			list = []string{one}
		}
		for i, k := range list {
			if k == "space" {
				list[i] = " "
			}
		}
		km, err := s.Keys.Rebind(name, list)
		if err != nil {
			return fail(setting, "%s", oneLine(err))
		}
		s.Keys = km
	}
	return s, nil
}

// notifySetting reads `notify:`: a boolean, one substring, or a list.
func notifySetting(n *yaml.Node) (on bool, filter string, ok bool) {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!bool":
		return on, "", n.Decode(&on) == nil
	case n.Kind == yaml.ScalarNode:
		s := strings.TrimSpace(n.Value)
		return true, s, s != "" && !strings.Contains(s, ",")
	case n.Kind == yaml.SequenceNode:
		var list []string
		if n.Decode(&list) != nil || len(list) == 0 {
			return false, "", false
		}
		for _, s := range list {
			if strings.TrimSpace(s) == "" || strings.Contains(s, ",") {
				return false, "", false
			}
		}
		return true, strings.Join(list, ","), true
	}
	return false, "", false
}

// printable quotes a name from the file that would break the error's one
// line or reach the terminal as a control.
func printable(s string) string {
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// quoted shows a value as the user wrote it.
func quoted(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return fmt.Sprintf("the value on line %d", n.Line)
}

// oneLine joins a multi-line error (yaml's lists one problem a line) and
// drops the library's own prefix.
func oneLine(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	return strings.Join(strings.Fields(msg), " ")
}

func sortedNames(m map[string]yaml.Node) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
