package model

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/ui"
)

// filterScreen is the filter input, over the list: it owns the keyboard
// and takes the footer's place.
type filterScreen struct{}

func (*filterScreen) layer() layer { return barLayer }

func (*filterScreen) bindings(m *Model) help.KeyMap { return m.keys.Filter }

func (*filterScreen) update(m *Model, msg tea.KeyMsg) tea.Cmd {
	k := m.keys.Filter
	switch {
	case key.Matches(msg, k.Accept):
		m.filter.Blur()
		m.pop()
		return nil
	case key.Matches(msg, k.Cancel):
		m.filter.Blur()
		m.filter.SetValue("")
		m.applyFilter()
		m.pop()
		return nil
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	m.applyFilter()
	return cmd
}

func (*filterScreen) view(m *Model) string {
	return ui.InputFooter(m.filter.View(), m.help.View(m.keys.Filter), m.width) // whole hints, or none
}
