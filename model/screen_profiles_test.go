package model

import (
	"errors"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/engine"
)

var offered = engine.Profiles{Path: "/home/u/.hatchet/profiles.yaml", List: []engine.Profile{
	{Name: "environment", Env: true, TenantID: "9a9a9a9a-0000-4000-8000-000000000001", APIURL: "http://localhost:8080"},
	{Name: "local", Key: "local", TenantID: "707d0855-3c4b-4f1e-9f4a-2b8e1c0d5a11", APIURL: "http://localhost:8080", Default: true},
	{Name: "prod", Key: "prod", TenantID: "5e1f0000-0000-4000-8000-00000000beef", APIURL: "https://hatchet.example.com"},
}}

// switcherModel is a model on profile "local", whose switcher offers list.
func switcherModel(t *testing.T, list engine.Profiles) Model {
	t.Helper()
	f := fake.New()
	info := f.Info()
	info.Profile = "local"
	f.SetInfo(info)
	m := newTestModel(f)
	m.profiles = func() engine.Profiles { return list }
	m.info = f.Info()
	return step(t, m, startMsg{})
}

func TestProfilesOffersTheTenantsWithTheCurrentOneSelected(t *testing.T) {
	m := switcherModel(t, offered)
	m = step(t, m, press("P"))
	s, ok := topIs[*profilesScreen](m)
	if !ok {
		t.Fatal("P did not open the switcher")
	}
	if s.cursor != 1 {
		t.Errorf("cursor on %d, want the current profile (1)", s.cursor)
	}
	if s.keys(&m).Switch.Enabled() {
		t.Error("enter should do nothing on the tenant already on show")
	}
	m = step(t, m, press("j"))
	var asked []SwitchMsg
	next, cmd := m.Update(press("enter"))
	m = next.(Model)
	for _, msg := range run(cmd) {
		if sw, ok := msg.(SwitchMsg); ok {
			asked = append(asked, sw)
		}
	}
	if len(asked) != 1 || asked[0].Profile.Key != "prod" {
		t.Fatalf("asked %+v, want a switch to prod", asked)
	}
	if view := m.View(); !strings.Contains(view, "connecting to prod…") {
		t.Errorf("no word of the switch in flight:\n%s", view)
	}
	if s.keys(&m).Switch.Enabled() {
		t.Error("a second switch while one is in flight")
	}
}

func TestAFailedSwitchSaysWhyAndStays(t *testing.T) {
	m := switcherModel(t, offered)
	m = step(t, m, press("P"))
	m = step(t, m, press("j"))
	m = step(t, m, press("enter"))
	m = step(t, m, SwitchFailedMsg{Profile: offered.List[2], Err: errors.New("the engine rejected the token")})
	want := "could not switch to prod: the engine rejected the token; still on local"
	if view := m.View(); !strings.Contains(view, want) || strings.Contains(view, "connecting to") {
		t.Errorf("want %q and no switch in flight:\n%s", want, view)
	}
	if len(m.notes) == 0 || m.notes[len(m.notes)-1].text != want {
		t.Errorf("the messages screen should keep it: %+v", m.notes)
	}
	if s, _ := topIs[*profilesScreen](m); s == nil || !s.keys(&m).Switch.Enabled() {
		t.Error("the switcher should stay open and let another switch go")
	}
}

func TestProfilesIsOffWithoutASwitcher(t *testing.T) {
	m := newTestModel(fake.New())
	if (&listScreen{}).keys(&m).Profiles.Enabled() {
		t.Error("P is on with nothing to read profiles from")
	}
	m = step(t, m, press("P"))
	if _, ok := topIs[*profilesScreen](m); ok {
		t.Error("P opened a switcher with nothing to read")
	}
}

// A profiles file is the user's, but its names reach the screen: they are
// cleaned like engine text; a file that could not be read is said.
func TestProfilesGolden(t *testing.T) {
	list := offered
	list.List = append(list.List[:3:3], engine.Profile{Name: "evil\x1b[31m\u202e", Key: "evil", TenantID: "x"})
	list.Err = errors.New("/home/u/.hatchet/profiles.yaml: profile \"broken\" has no token")
	m := switcherModel(t, list)
	m.width, m.height = 100, 14
	m = step(t, m, press("P"))
	out := m.View()
	if strings.ContainsAny(out, "\x1b\u202e") {
		t.Errorf("raw control characters on screen: %q", out)
	}
	golden.RequireEqual(t, []byte(out))
	t.Run("80", func(t *testing.T) {
		m.width, m.height = 80, 12
		out := m.View()
		belowLastColumn(t, out, 80)
		golden.RequireEqual(t, []byte(out))
	})
}
