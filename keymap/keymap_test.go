package keymap

import (
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
)

// Every binding has keys and help, and no key is bound twice in a scope.
func TestBindingsAreUniqueAndDocumented(t *testing.T) {
	km := Default()
	scopes := map[string][][]key.Binding{
		"list":    km.List.FullHelp(),
		"detail":  km.Detail.FullHelp(),
		"inbox":   km.Inbox.FullHelp(),
		"workers": km.Workers.FullHelp(),
		"filter":  km.Filter.FullHelp(),
		"form":    km.Form.FullHelp(),
		"confirm": km.Confirm.FullHelp(),
		"pager":   km.Pager.FullHelp(),
		"global":  km.Global.FullHelp(),
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

func TestRebind(t *testing.T) {
	km, err := Default().Rebind("cancel", []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	if got := km.List.Cancel.Keys(); len(got) != 1 || got[0] != "x" || km.Detail.Cancel.Help().Key != "x" {
		t.Errorf("cancel not rebound in every scope: %v / %q", got, km.Detail.Cancel.Help().Key)
	}
	if Default().List.Cancel.Keys()[0] != "c" {
		t.Error("Rebind changed the defaults")
	}
	if _, err := Default().Rebind("cancel", []string{"q"}); err == nil || !strings.Contains(err.Error(), `"quit"`) {
		t.Errorf("a clash with quit: %v", err)
	}
	if _, err := Default().Rebind("nope", []string{"x"}); err == nil || !strings.Contains(err.Error(), "unknown key binding") {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := Default().Rebind("cancel", nil); err == nil {
		t.Error("no keys accepted")
	}
}

func TestDefaultsDoNotConflict(t *testing.T) {
	if err := Default().Conflicts(); err != nil {
		t.Errorf("defaults conflict: %v", err)
	}
}

// ctrl+c quits whatever quit is rebound to: it is the one global key.
func TestRebindingQuitKeepsCtrlC(t *testing.T) {
	km, err := Default().Rebind("quit", []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	if k := km.Global.Quit.Keys(); len(k) != 1 || k[0] != "ctrl+c" {
		t.Errorf("global quit %v", k)
	}
	if km.Pager.Quit.Keys()[0] != "x" || km.Inbox.Quit.Keys()[0] != "x" {
		t.Error("quit not rebound on every page")
	}
}

// The workers key rebinds like the others, and not onto a key the list
// already uses.
func TestRebindWorkers(t *testing.T) {
	km, err := Default().Rebind("workers", []string{"V"})
	if err != nil || !slicesEqual(km.List.Workers.Keys(), []string{"V"}) {
		t.Fatalf("rebind: %v, %v", km.List.Workers.Keys(), err)
	}
	if _, err := Default().Rebind("workers", []string{"w"}); err == nil || !strings.Contains(err.Error(), "waits inbox") {
		t.Errorf("W onto the inbox's w: %v", err)
	}
	km, err = Default().Rebind("next_task", []string{"n"})
	if err != nil || !slicesEqual(km.Workers.NextTask.Keys(), []string{"n"}) {
		t.Errorf("next_task in the workers: %v, %v", km.Workers.NextTask.Keys(), err)
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }
