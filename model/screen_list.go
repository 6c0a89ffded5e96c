package model

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/keymap"
	"github.com/hatchtop/hatchtop/ui"
)

// listScreen is the list of active tasks, the bottom of the stack. Its
// cursor, filter and marks live in the root: the scheduler reads which
// rows are on screen.
type listScreen struct{}

func (*listScreen) layer() layer { return pageLayer }

// keys is the list's bindings as the state enables them.
func (*listScreen) keys(m *Model) keymap.List {
	k := m.keys.List
	has := len(m.shown) > 0
	m.enableActions(&k.Actions, nil) // on a finished row, only the replay (and a push)
	for _, b := range []*key.Binding{&k.Open, &k.Mark} {
		b.SetEnabled(has)
	}
	k.Clear.SetEnabled(m.filter.Value() != "" || len(m.marks) > 0)
	k.Profiles.SetEnabled(m.profiles != nil)
	_, attn := m.attentionTarget()
	k.Attention.SetEnabled(attn)
	k.Sort.SetEnabled(has)                           // no row, nothing to sort
	k.SortReverse.SetEnabled(has && m.sortMark().On) // newest first has no column to turn around
	k.Dismiss.SetEnabled(has && m.tasks[m.selectedID].finished())
	k.NextFailure.SetEnabled(m.fin.failed > 0)
	return k
}

func (s *listScreen) bindings(m *Model) help.KeyMap { return s.keys(m) }

func (s *listScreen) update(m *Model, msg tea.KeyMsg) tea.Cmd {
	k := m.keys.List
	if cmd, ok := m.pageKeys(msg, k.Help, k.Quit, k.Messages); ok {
		return cmd
	}
	switch {
	case key.Matches(msg, k.Open):
		m.openDetail()
	case key.Matches(msg, k.Inbox):
		m.push(&inboxScreen{})
		m.syncInbox(false)
	case key.Matches(msg, k.Workers):
		m.push(&workersScreen{}) // polled at once, then while on show
	case key.Matches(msg, k.Profiles):
		if m.profiles != nil {
			return m.openProfiles()
		}
	case key.Matches(msg, k.Filter):
		m.push(&filterScreen{})
		return m.filter.Focus()
	case key.Matches(msg, k.Mark):
		if len(m.shown) > 0 {
			if m.marks[m.selectedID] {
				delete(m.marks, m.selectedID)
			} else {
				m.marks[m.selectedID] = true
			}
			m.move(1)
		}
	case key.Matches(msg, k.Attention):
		m.jumpToAttention()
	case key.Matches(msg, s.keys(m).Sort):
		m.cycleSort()
	case key.Matches(msg, s.keys(m).SortReverse):
		m.reverseSort()
	case key.Matches(msg, k.Show):
		m.toggleShown()
	case key.Matches(msg, k.Dismiss):
		m.dismiss()
	case key.Matches(msg, k.NextFailure):
		m.nextFailure()
	case key.Matches(msg, k.Clear):
		m.filter.SetValue("")
		m.applyFilter()
		clear(m.marks)
	default:
		if step, ok := navStep(msg, k.Nav, m.bodyHeight()); ok {
			m.move(step)
			return nil
		}
		return m.onActionKey(msg, k.Actions, key.Binding{})
	}
	return nil
}

func (*listScreen) view(m *Model) string {
	header := ui.Header(m.headerData(), m.width, m.styles)
	return header + "\n" + ui.SortedTable(m.rows(), m.sortMark(), m.width, m.bodyHeight(), m.emptyText(), m.styles)
}
