package model

import (
	"testing"

	"github.com/hatchtop/hatchtop/keymap"
)

// Every row of the table is whole: a key, a way to open, a confirmation,
// a call, an answer, a busy line; and each key opens its own row.
func TestEveryActionRowIsWhole(t *testing.T) {
	km := keymap.Default()
	seen := map[actionKind]bool{}
	for _, a := range actions {
		if seen[a.kind] {
			t.Errorf("%s: two rows", a.kind)
		}
		seen[a.kind] = true
		if a.binding == nil || a.open == nil || a.confirm == nil || a.send == nil || a.answered == nil || a.busy == nil {
			t.Errorf("%s: a row lacks a part", a.kind)
			continue
		}
		b := *a.binding(&km.Detail.Actions, &km.Detail.Branch)
		if len(b.Keys()) == 0 {
			t.Errorf("%s: no key", a.kind)
		}
		for _, other := range actions {
			if other.kind != a.kind && other.binding(&km.Detail.Actions, &km.Detail.Branch).Keys()[0] == b.Keys()[0] {
				t.Errorf("%s and %s share %q", a.kind, other.kind, b.Keys()[0])
			}
		}
	}
	for _, k := range []actionKind{actPush, actCancel, actTimeout, actRestore, actReplay, actBranch} {
		if !seen[k] {
			t.Errorf("no row for %s", k)
		}
	}
}
