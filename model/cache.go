package model

import (
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
)

// viewCache keeps what the views derive from the store, so that a frame
// builds only what changed: a burst of stream chunks draws the stream
// pane without rebuilding the timeline, the overview or the inbox. It is
// a memo behind a pointer, filled by View and keyed by the store's
// revision; Update never reads it for a decision.
type viewCache struct {
	detailKey   detailKey
	detailLines []string
	inboxRev    uint64
	inboxOK     bool
	inbox       []durable.InboxGroup
	builds      int // derivations made, for tests and benchmarks
}

// detailKey is everything the overview, data and timeline lines depend on.
type detailKey struct {
	rev    uint64
	now    time.Time
	width  int
	taskID string
	tab    tab
	entry  int
	child  int // the picked child (children.go)
}

// changesStore reports whether a message may change what the cached views
// derive: keys move view state only (part of the keys above), the spinner
// is drawn apart, and stream chunks live in their own buffer.
func changesStore(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.KeyMsg, spinner.TickMsg:
		return false
	case feedMsg:
		return !onlyStream(msg.update) || slices.ContainsFunc(msg.more, func(u engine.FeedUpdate) bool { return !onlyStream(u) })
	}
	return true
}

// onlyStream reports whether a feed update leaves the store alone: a
// stream chunk, or a feed's state (drawn in the header, not cached).
func onlyStream(u engine.FeedUpdate) bool {
	return u.Event == nil || u.Event.Kind == durable.TaskStream
}

// cachedDetailLines is the open tab's lines (overview, data, timeline),
// built again only when their inputs changed.
func (m Model) cachedDetailLines(build func() []string) []string {
	d := m.detail()
	k := detailKey{rev: m.rev, now: m.now, width: m.width, taskID: d.taskID, tab: d.tab, entry: d.entry, child: d.children.sel}
	if c := m.cache; c.detailLines != nil && c.detailKey == k {
		return c.detailLines
	}
	lines := build()
	m.cache.detailKey, m.cache.detailLines = k, lines
	m.cache.builds++
	return lines
}

// inboxGroups is the inbox's groups, grouped again only when the store
// changed.
func (m Model) inboxGroups() []durable.InboxGroup {
	if c := m.cache; c.inboxOK && c.inboxRev == m.rev {
		return c.inbox
	}
	g := m.groupWaits()
	m.cache.inbox, m.cache.inboxRev, m.cache.inboxOK = g, m.rev, true
	m.cache.builds++
	return g
}
