package model

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
)

// pagedEngine answers the first page with the newest tasks of the fake.
type pagedEngine struct {
	*fake.Engine
	newest []durable.Task
	asked  *client.ListQuery
}

func (p pagedEngine) ListCreated(_ context.Context, q client.ListQuery) (client.ListPage, error) {
	*p.asked = q
	return client.ListPage{Tasks: p.newest}, nil
}

func TestTheFirstPageIsDrawnBeforeTheWholeList(t *testing.T) {
	f := fake.New()
	var all []durable.Task
	for i := range 500 {
		all = append(all, durableTask(fmt.Sprintf("t%03d", i), fmt.Sprintf("task-%03d", i), -time.Duration(i)*time.Second))
	}
	f.SetTasks(all...)
	e := pagedEngine{Engine: f, newest: all[:firstPageRows], asked: &client.ListQuery{}}
	base := newTestModel(f)
	m := New(Deps{Engine: e, Since: 24 * time.Hour, Refresh: 2 * time.Second, Now: t0, Styles: base.styles, Keys: base.keys, WholeList: true})
	m.tick = func() tea.Cmd { return nil }
	m.width, m.height = 120, 30
	next, cmd := m.Update(startMsg{})
	m = next.(Model)
	var list tea.Msg
	for _, msg := range run(cmd) {
		switch msg.(type) {
		case firstPageMsg:
			m = update(m, msg)
		case listMsg:
			list = msg // the whole list is still on its way
		}
	}
	if e.asked.Limit != firstPageRows || !e.asked.Since.Equal(t0.Add(-24*time.Hour)) {
		t.Fatalf("first page asked as %+v", *e.asked)
	}
	view := m.View()
	if !strings.Contains(view, "task-000") || len(m.visibleIDs()) != m.bodyHeight() {
		t.Fatalf("the first page is not on screen before the whole list:\n%s", view)
	}
	if list == nil {
		t.Fatal("the whole list was not asked for beside the first page")
	}
	// The whole list decides what stays; a late first page changes nothing.
	gone := all[1:]
	m = update(m, listMsg{tasks: gone})
	m = update(m, firstPageMsg{tasks: all[:firstPageRows]})
	// t000 left the list without a push: kept as finished, its status read.
	fin, _, _ := m.finishedHeader()
	if st, ok := m.tasks["t000"]; (ok && !st.finished()) || len(m.tasks)-fin != len(gone) {
		t.Fatalf("%d active tasks after the whole list, t000 still active: %v", len(m.tasks)-fin, ok)
	}
}
