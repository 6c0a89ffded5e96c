package model

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/keymap"
	"github.com/hatchtop/hatchtop/ui"
)

// inboxScreen is the waits inbox: its cursor over the groups, and which
// of the selected group's waiting tasks enter opens.
type inboxScreen struct {
	cursor int
	offset int
	key    string // the selected group's key, kept across refreshes
	pick   int    // the selected group's picked waiter
}

// groupWaits groups the open waits of every active durable task whose
// log has been fetched (inboxGroups keeps the answer until the store
// changes).
func (m Model) groupWaits() []durable.InboxGroup {
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
	// The engine's log does not show a wait's scope: say it where the key is picked.
	return s + " · a scoped wait needs the event's exact scope"
}

// inbox is the open inbox, the topmost on the stack; nil when none.
func (m Model) inbox() *inboxScreen {
	in, _ := find[*inboxScreen](m)
	return in
}

// selectedGroup is the inbox's selected group, if any.
func (m Model) selectedGroup() (durable.InboxGroup, bool) {
	groups := m.inboxGroups()
	in := m.inbox()
	if len(groups) == 0 || in == nil {
		return durable.InboxGroup{}, false
	}
	return groups[clamp(in.cursor, 0, len(groups)-1)], true
}

// syncInbox keeps the cursor on the selected key as groups come and go,
// or, after a movement, the selected key on the cursor.
func (m *Model) syncInbox(followCursor bool) {
	in := m.inbox()
	if in == nil {
		return
	}
	groups := m.inboxGroups()
	for i, g := range groups {
		if !followCursor && g.Key == in.key {
			in.cursor = i
		}
	}
	in.cursor = clamp(in.cursor, 0, max(len(groups)-1, 0))
	if len(groups) > 0 {
		g := groups[in.cursor]
		if g.Key != in.key {
			in.pick = 0
		}
		in.key = g.Key
		in.pick = clamp(in.pick, 0, max(len(g.Waiters)-1, 0))
		in.cursor, in.offset = keepInView(in.cursor, in.offset, len(groups), m.height-ui.InboxChromeHeight-1-len(g.Waiters))
	}
}

func (*inboxScreen) layer() layer { return pageLayer }

// keys is the inbox's bindings as the selection enables them.
func (in *inboxScreen) keys(m *Model) keymap.Inbox {
	k := m.keys.Inbox
	g, ok := m.selectedGroup()
	k.Open.SetEnabled(ok && len(g.Waiters) > 0)
	many := ok && len(g.Waiters) > 1
	k.NextTask.SetEnabled(many)
	k.PrevTask.SetEnabled(many)
	k.SendEvent.SetEnabled(!m.readOnly && ok && !g.Sleeping)
	_, attn := m.attentionTarget()
	k.Attention.SetEnabled(attn)
	return k
}

func (in *inboxScreen) bindings(m *Model) help.KeyMap { return in.keys(m) }

func (in *inboxScreen) update(m *Model, msg tea.KeyMsg) tea.Cmd {
	k := m.keys.Inbox
	if cmd, ok := m.pageKeys(msg, k.Help, k.Quit, k.Messages); ok {
		return cmd
	}
	g, ok := m.selectedGroup()
	switch {
	case key.Matches(msg, k.Back):
		m.pop()
	case key.Matches(msg, k.Open):
		if ok && len(g.Waiters) > 0 {
			// The detail opens over the inbox: esc comes back here.
			m.selectTask(g.Waiters[clamp(in.pick, 0, len(g.Waiters)-1)].TaskID)
			m.openDetail()
		}
	case key.Matches(msg, k.NextTask), key.Matches(msg, k.PrevTask):
		if n := len(g.Waiters); ok && n > 1 {
			step := 1
			if key.Matches(msg, k.PrevTask) {
				step = n - 1
			}
			in.pick = (in.pick + step) % n
		}
	case key.Matches(msg, k.SendEvent):
		return m.onInboxSend()
	case key.Matches(msg, k.Attention):
		m.jumpToAttention()
	default:
		if step, ok := navStep(msg, k.Nav, max(m.height-ui.InboxChromeHeight-1, 1)); ok {
			in.cursor = clamp(in.cursor+step, 0, farAway)
			m.syncInbox(true)
		}
	}
	return nil
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

func (in *inboxScreen) view(m *Model) string {
	groups := m.inboxGroups()
	rows := make([]ui.InboxRow, len(groups))
	cursor := clamp(in.cursor, 0, max(len(groups)-1, 0))
	for i, g := range groups {
		r := ui.InboxRow{Key: g.Key, Sleeping: g.Sleeping, Wakes: g.Tasks(), Labels: strings.Join(g.Labels, ", "), Selected: i == cursor}
		if !g.Next.IsZero() {
			r.Next = durable.Countdown(durable.Wait{Deadline: g.Next}, m.now)
		}
		if r.Selected {
			pick := clamp(in.pick, 0, len(g.Waiters)-1)
			for j, w := range g.Waiters {
				r.Waiters = append(r.Waiters, ui.InboxWaiter{Task: w.TaskName, Title: w.Wait.Title(), Remaining: durable.Countdown(w.Wait, m.now),
					Selected: len(g.Waiters) > 1 && j == pick}) // one task needs no picking
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
		ui.InboxTable(rows, in.offset, m.width, h, empty, m.styles)
}
