package model

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/ui"
)

// inboxState is the waits inbox: its cursor over the groups.
type inboxState struct {
	cursor int
	offset int
	key    string // the selected group's key, kept across refreshes
}

// inboxGroups groups the open waits of every active durable task whose
// log has been fetched. It is recomputed from the tasks when needed.
func (m Model) inboxGroups() []durable.InboxGroup {
	var waiters []durable.Waiter
	for _, id := range m.order {
		st := m.tasks[id]
		if !st.task.Status.Active() {
			continue
		}
		for _, w := range st.waits {
			waiters = append(waiters, durable.Waiter{TaskID: id, TaskName: st.task.Name, Wait: w})
		}
	}
	return durable.Inbox(waiters)
}

// inboxFreshness says how much of the tenant the inbox has seen and how
// old the oldest log behind it is.
func (m Model) inboxFreshness() string {
	durables, fetched := 0, 0
	var oldest time.Time
	for _, st := range m.tasks {
		if !st.task.Durable || !st.task.Status.Active() {
			continue
		}
		durables++
		if !st.logAt.IsZero() {
			fetched++
			if oldest.IsZero() || st.logAt.Before(oldest) {
				oldest = st.logAt
			}
		}
	}
	s := "logs of " + strconv.Itoa(fetched) + " of " + strconv.Itoa(durables) + " durable tasks"
	if !oldest.IsZero() {
		s += ", oldest " + durable.FormatDuration(m.now.Sub(oldest).Truncate(time.Second)) + " ago"
	}
	return s
}

// selectedGroup is the inbox's selected group, if any.
func (m Model) selectedGroup() (durable.InboxGroup, bool) {
	groups := m.inboxGroups()
	if len(groups) == 0 {
		return durable.InboxGroup{}, false
	}
	return groups[clamp(m.inbox.cursor, 0, len(groups)-1)], true
}

// syncInbox keeps the cursor on the selected key as groups come and go,
// or, after a movement, the selected key on the cursor.
func (m *Model) syncInbox(followCursor bool) {
	groups := m.inboxGroups()
	for i, g := range groups {
		if !followCursor && g.Key == m.inbox.key {
			m.inbox.cursor = i
		}
	}
	m.inbox.cursor = clamp(m.inbox.cursor, 0, max(len(groups)-1, 0))
	if len(groups) > 0 {
		m.inbox.key = groups[m.inbox.cursor].Key
		h := m.height - ui.InboxChromeHeight - 1 - len(groups[m.inbox.cursor].Waiters)
		if m.inbox.cursor < m.inbox.offset {
			m.inbox.offset = m.inbox.cursor
		}
		if m.inbox.cursor >= m.inbox.offset+max(h, 1) {
			m.inbox.offset = m.inbox.cursor - max(h, 1) + 1
		}
	}
}

func (m Model) onInboxKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	k := m.keys.Inbox
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.showHelp = true
	case key.Matches(msg, k.Back):
		m.view = viewList
	case key.Matches(msg, k.Open):
		if g, ok := m.selectedGroup(); ok && len(g.Waiters) > 0 {
			m.selectTask(g.Waiters[0].TaskID)
			m.view = viewList
			m.openDetail()
		}
		return m, nil
	case key.Matches(msg, k.SendEvent):
		return m.onInboxSend()
	default:
		if step, ok := navStep(msg, k.Nav, max(m.height-ui.InboxChromeHeight-1, 1)); ok {
			m.inbox.cursor = clamp(m.inbox.cursor+step, 0, farAway)
			m.syncInbox(true)
		}
	}
	return m, nil
}

// selectTask moves the list's cursor to a task, clearing a filter that
// hides it.
func (m *Model) selectTask(id string) {
	m.selectedID = id
	m.applyFilter()
	if len(m.shown) == 0 || m.shown[m.cursor] != id {
		m.filter.SetValue("")
		m.applyFilter()
	}
}

func (m Model) inboxView() string {
	groups := m.inboxGroups()
	rows := make([]ui.InboxRow, len(groups))
	cursor := clamp(m.inbox.cursor, 0, max(len(groups)-1, 0))
	for i, g := range groups {
		r := ui.InboxRow{Key: g.Key, Sleeping: g.Sleeping, Wakes: g.Tasks(), Labels: strings.Join(g.Labels, ", "), Selected: i == cursor}
		if !g.Next.IsZero() {
			r.Next = durable.Countdown(durable.Wait{Deadline: g.Next}, m.now)
		}
		if r.Selected {
			for _, w := range g.Waiters {
				r.Waiters = append(r.Waiters, ui.InboxWaiter{Task: w.TaskName, Title: w.Wait.Title(), Remaining: durable.Countdown(w.Wait, m.now)})
			}
		}
		rows[i] = r
	}
	empty := "no open waits among the active durable tasks"
	if m.updated.IsZero() {
		empty = "loading…"
	}
	h := max(m.height-ui.InboxChromeHeight, 2)
	return ui.Header(m.headerData(), m.width, m.styles) + "\n" +
		ui.InboxTitle(m.inboxFreshness(), m.width, m.styles) + "\n" +
		ui.InboxTable(rows, m.inbox.offset, m.width, h, empty, m.styles) + "\n" +
		m.footer()
}
