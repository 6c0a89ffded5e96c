package keymap

import "testing"

// The sort keys are in the list's help and rebindable by name.
func TestSortKeysAreRebindable(t *testing.T) {
	km, err := Default().Rebind("sort", []string{"o"})
	if err != nil {
		t.Fatal(err)
	}
	if got := km.List.Sort.Keys(); len(got) != 1 || got[0] != "o" || km.List.Sort.Help().Key != "o" {
		t.Errorf("sort not rebound: %v", got)
	}
	if _, err := Default().Rebind("sort_reverse", []string{"w"}); err == nil {
		t.Error("sort_reverse on w (the inbox) accepted")
	}
	found := 0
	for _, g := range Default().List.FullHelp() {
		for _, b := range g {
			if b.Help().Desc == "sort by next column" || b.Help().Desc == "reverse sort" {
				found++
			}
		}
	}
	if found != 2 {
		t.Errorf("%d sort keys in the list's help, want 2", found)
	}
}
