package keymap

import (
	"testing"

	"github.com/charmbracelet/bubbles/key"
)

// Every binding has keys and help, and no key is bound twice in a scope.
func TestBindingsAreUniqueAndDocumented(t *testing.T) {
	km := Default()
	scopes := map[string][][]key.Binding{
		"list":   km.List.FullHelp(),
		"filter": km.Filter.FullHelp(),
	}
	for name, groups := range scopes {
		seen := map[string]string{}
		for _, group := range groups {
			for _, b := range group {
				h := b.Help()
				if len(b.Keys()) == 0 || h.Key == "" || h.Desc == "" {
					t.Errorf("%s: binding %q lacks keys or help", name, h.Desc)
				}
				for _, k := range b.Keys() {
					if prev, ok := seen[k]; ok {
						t.Errorf("%s: key %q bound to both %q and %q", name, k, prev, h.Desc)
					}
					seen[k] = h.Desc
				}
			}
		}
	}
}

// The short help is a subset of the full help, so the footer never shows a
// key the help screen does not explain.
func TestShortHelpIsInFullHelp(t *testing.T) {
	km := Default()
	full := map[string]bool{}
	for _, g := range km.List.FullHelp() {
		for _, b := range g {
			full[b.Help().Desc] = true
		}
	}
	for _, b := range km.List.ShortHelp() {
		if !full[b.Help().Desc] {
			t.Errorf("short help %q missing from full help", b.Help().Desc)
		}
	}
}
