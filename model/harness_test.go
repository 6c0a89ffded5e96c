package model

import (
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/keymap"
	"github.com/hatchtop/hatchtop/ui"
)

// t0 is the fixed clock of the model tests.
var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// newTestModel builds a model on a fake engine with a pinned clock, plain
// ASCII styles and no real ticks, sized 120x30.
func newTestModel(f *fake.Engine) Model {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.Ascii)
	m := New(Deps{Engine: f, Since: 24 * time.Hour, Refresh: 2 * time.Second, Now: t0,
		Styles: ui.NewStyles(r), Keys: keymap.Default(), WholeList: true})
	m.tick = func() tea.Cmd { return nil }
	m.width, m.height = 120, 30 // as a WindowSizeMsg would, without scheduling
	return m
}

func update(m Model, msg tea.Msg) Model {
	next, _ := m.Update(msg)
	return next.(Model)
}

// step applies msg and then runs every Cmd it returned (and theirs) to
// completion against the fake, like the runtime would.
func step(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	queue := []tea.Msg{msg}
	for n := 0; len(queue) > 0; n++ {
		if n > 1000 {
			t.Fatal("message loop does not settle")
		}
		next, cmd := m.Update(queue[0])
		m, queue = next.(Model), append(queue[1:], run(cmd)...)
	}
	return m
}

// run executes a Cmd, flattening batches.
func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, run(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// belowLastColumn fails for every line of out that reaches the last of
// width columns, where a terminal would wrap it and scroll the screen.
func belowLastColumn(t *testing.T, out string, width int) {
	t.Helper()
	for i, l := range strings.Split(out, "\n") {
		if ansi.StringWidth(l) >= width {
			t.Errorf("%d columns: line %d reaches the last column: %q", width, i, l)
		}
	}
}

// at moves the clock to t0+d through a tick.
func at(t *testing.T, m Model, d time.Duration) Model {
	t.Helper()
	return step(t, m, tickMsg(t0.Add(d)))
}

func durableTask(id, name string, created time.Duration) durable.Task {
	return durable.Task{
		ID: id, RunID: id, Name: name, WorkflowName: name, WorkflowID: "wf-" + name, VersionID: "v-" + name,
		Status: durable.StatusRunning, Durable: true, Attempt: 1,
		CreatedAt: t0.Add(created), StartedAt: t0.Add(created),
	}
}

func sleepEntry(node int64, label string, inserted time.Time, d time.Duration) durable.Entry {
	return durable.Entry{NodeID: node, BranchID: 1, Kind: durable.EntryWaitFor, Label: label, InsertedAt: inserted,
		Conditions: []durable.Condition{{Kind: durable.CondSleep, Sleep: d}}}
}

func eventEntry(node int64, label string, inserted time.Time, key string) durable.Entry {
	return durable.Entry{NodeID: node, BranchID: 1, Kind: durable.EntryWaitFor, Label: label, InsertedAt: inserted,
		Conditions: []durable.Condition{{Kind: durable.CondEvent, EventKey: key}}}
}

// TestMain pins the local time zone: views show local clock times, and
// goldens must not depend on the machine's zone.
func TestMain(m *testing.M) {
	time.Local = time.UTC
	os.Exit(m.Run())
}
