package model

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
)

// firstPageRows is how many of the newest tasks the first page asks for:
// a screenful on any terminal, so the first frame needs no more.
const firstPageRows = 100

// pager is an engine that lists one page by creation time
// (*client.Client.ListCreated).
type pager interface {
	ListCreated(ctx context.Context, q engine.ListQuery) (engine.ListPage, error)
}

// firstPageMsg carries the newest tasks, asked for while the whole list
// is still on its way.
type firstPageMsg struct {
	tasks []durable.Task
	err   error
}

func fetchFirstPage(p pager, since time.Time) tea.Cmd {
	return request(func(ctx context.Context) (engine.ListPage, error) {
		return p.ListCreated(ctx, engine.ListQuery{Since: since, Limit: firstPageRows})
	},
		func(page engine.ListPage, err error) tea.Msg { return firstPageMsg{tasks: page.Tasks, err: err} })
}

// scheduleFirstPage asks for the newest page once at start, beside the
// whole list: on a big tenant the list takes many pages, and the screen
// needs only the first.
func (m *Model) scheduleFirstPage() tea.Cmd {
	p, ok := m.engine.(pager)
	if !ok || m.sched.firstPageSent || !m.updated.IsZero() {
		return nil
	}
	m.sched.firstPageSent = true
	return fetchFirstPage(p, m.now.Add(-m.since))
}

// onFirstPage shows the newest tasks unless the whole list came first. It
// only adds: the whole list, when it comes, decides what stays. Its error
// is left to the whole list's poll, which reports and retries.
func (m *Model) onFirstPage(msg firstPageMsg) {
	if msg.err != nil || !m.updated.IsZero() {
		return
	}
	for _, t := range msg.tasks {
		if _, ok := m.tasks[t.ID]; !ok && t.Status.Active() {
			m.addTask(t)
		}
	}
	m.reorder()
}
