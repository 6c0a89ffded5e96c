package model

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/keymap"
	"github.com/hatchtop/hatchtop/ui"
)

// SwitchMsg asks the root to open the profile's tenant and, once it
// answers, to put a new model on it in this one's place. The model never
// switches itself: the root (session.App) owns the connections.
type SwitchMsg struct{ Profile engine.Profile }

// SwitchFailedMsg is the root's answer when the profile's tenant could
// not be opened: the current tenant stays, and the switcher says why.
type SwitchFailedMsg struct {
	Profile engine.Profile
	Err     error
}

// profilesScreen is the profile switcher: the tenants of the CLI's
// profiles file and of the environment, read when it opens.
type profilesScreen struct {
	cursor, offset int
	list           engine.Profiles
	loaded         bool
	connecting     string // the profile a switch waits for; "" when none
}

// profilesMsg is the list read for the screen that asked.
type profilesMsg struct {
	screen *profilesScreen
	list   engine.Profiles
}

// readProfiles reads the list in a Cmd: it is a file.
func readProfiles(read func() engine.Profiles, s *profilesScreen) tea.Cmd {
	return func() tea.Msg { return profilesMsg{screen: s, list: read()} }
}

// openProfiles pushes the switcher and reads what it offers.
func (m *Model) openProfiles() tea.Cmd {
	s := &profilesScreen{}
	m.push(s)
	return readProfiles(m.profiles, s)
}

func (m *Model) onProfiles(msg profilesMsg) {
	s, _ := find[*profilesScreen](*m)
	if s != msg.screen {
		return // closed since it asked
	}
	s.list, s.loaded = msg.list, true
	s.cursor = 0
	for i, p := range s.list.List {
		if m.isCurrent(p) {
			s.cursor = i
		}
	}
	s.clamp(m)
}

// onSwitchFailed keeps the current tenant and says why, once.
func (m *Model) onSwitchFailed(msg SwitchFailedMsg) {
	if s, ok := find[*profilesScreen](*m); ok {
		s.connecting = ""
	}
	m.sayUntilNext("could not switch to "+msg.Profile.Name+": "+msg.Err.Error()+"; still on "+m.currentName(), ui.Bad)
}

// isCurrent says whether p is the tenant on show: by its profile name,
// or the environment when the model came from no profile.
func (m *Model) isCurrent(p engine.Profile) bool {
	if m.info.Profile == "" {
		return p.Env
	}
	return p.Name == m.info.Profile
}

// currentName is how the feedback names the tenant on show.
func (m *Model) currentName() string {
	if m.info.Profile != "" {
		return m.info.Profile
	}
	return engine.EnvironmentProfile
}

func (s *profilesScreen) selected() (engine.Profile, bool) {
	if len(s.list.List) == 0 {
		return engine.Profile{}, false
	}
	return s.list.List[clamp(s.cursor, 0, len(s.list.List)-1)], true
}

func (s *profilesScreen) clamp(m *Model) {
	s.cursor, s.offset = keepInView(s.cursor, s.offset, len(s.list.List), m.height-ui.ProfilesChromeHeight-1)
}

func (*profilesScreen) layer() layer { return pageLayer }

// helpNote says what a switch does, for the help over this screen.
func (*profilesScreen) helpNote() string {
	return "A switch opens the new tenant first: if its token is refused or its engine does not answer, the current tenant stays. " +
		"Once it answers, every request and feed of the old tenant ends and nothing of it is shown again."
}

func (s *profilesScreen) keys(m *Model) keymap.Profiles {
	k := m.keys.Profiles
	p, ok := s.selected()
	k.Switch.SetEnabled(ok && s.connecting == "" && !m.isCurrent(p))
	return k
}

func (s *profilesScreen) bindings(m *Model) help.KeyMap { return s.keys(m) }

func (s *profilesScreen) update(m *Model, msg tea.KeyMsg) tea.Cmd {
	k := s.keys(m)
	if cmd, ok := m.pageKeys(msg, k.Help, k.Quit, k.Messages); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Back):
		m.pop()
	case key.Matches(msg, k.Switch):
		p, _ := s.selected()
		s.connecting = p.Name
		m.toast = toast{}
		return func() tea.Msg { return SwitchMsg{Profile: p} }
	default:
		if step, ok := navStep(msg, k.Nav, m.height-ui.ProfilesChromeHeight); ok {
			s.cursor += step
			s.clamp(m)
		}
	}
	return nil
}

func (s *profilesScreen) view(m *Model) string {
	rows := make([]ui.ProfileRow, len(s.list.List))
	for i, p := range s.list.List {
		rows[i] = ui.ProfileRow{Name: p.Name, Tenant: p.TenantID, API: p.APIURL, Current: m.isCurrent(p),
			Default: p.Default, Connecting: p.Name == s.connecting, Selected: i == s.cursor}
	}
	note := ui.Count(len(rows), "profile")
	if s.list.Path != "" {
		note += " · " + s.list.Path
	}
	if s.connecting != "" {
		note += " · connecting to " + s.connecting + "…"
	}
	problem := ""
	if s.list.Err != nil {
		problem = s.list.Err.Error()
	}
	empty := "loading…"
	if s.loaded {
		empty = "nothing to switch to: no profiles file and no HATCHET_CLIENT_TOKEN"
	}
	title, n := ui.PageTitle("profiles", note, problem, m.width, m.styles)
	h := max(m.height-ui.ProfilesChromeHeight-(n-1), 2)
	return ui.Header(m.headerData(), m.width, m.styles) + "\n" + title + "\n" +
		ui.ProfilesTable(rows, s.offset, m.width, h, empty, m.styles)
}
