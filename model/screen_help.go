package model

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/ui"
)

// helpScreen is the full help of the page below it, with the global keys.
type helpScreen struct{}

func (*helpScreen) layer() layer { return pageLayer }

func (*helpScreen) bindings(m *Model) help.KeyMap { return m.keys.Pager }

func (*helpScreen) update(m *Model, msg tea.KeyMsg) tea.Cmd {
	k := m.keys.Pager
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Close):
		m.pop()
	}
	return nil
}

func (*helpScreen) view(m *Model) string {
	h := m.help
	h.ShowAll = true
	var below screen = &listScreen{}
	for i := len(m.stack) - 2; i >= 0; i-- {
		if m.stack[i].layer() == pageLayer {
			below = m.stack[i]
			break
		}
	}
	keys := withGlobal{KeyMap: below.bindings(m), global: m.keys.Global}
	back := hint(m.keys.Pager.Close, "goes back")
	return ui.HelpScreen(h.View(keys), append(m.connNotes(m.width), m.helpNotes(below)...), back, m.width, m.height-1, m.styles)
}
