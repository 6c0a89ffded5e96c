package model

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/ui"
)

func startedModel(t *testing.T, f *fake.Engine) Model {
	t.Helper()
	return step(t, newTestModel(f), startMsg{})
}

func TestFirstLoadShowsLabelsCountdownsAndAttempts(t *testing.T) {
	f := fake.New()
	sleeper := durableTask("t1", "sleep-labelled", -30*time.Second)
	retried := durableTask("t2", "retry-then-sleep", -time.Minute)
	retried.Attempt, retried.RetryCount = 3, 2
	f.SetTasks(sleeper, retried)
	f.SetLog("t1", sleepEntry(1, "cooling down", t0.Add(-10*time.Second), 2*time.Minute))
	f.SetLog("t2", sleepEntry(1, "", t0.Add(-5*time.Second), 10*time.Minute))
	f.SetConfig("t2", durable.Config{MaxRetries: 3, Timeout: 5 * time.Minute})

	m := startedModel(t, f)
	view := m.View()
	for _, want := range []string{"cooling down", "1m50s", "sleeping 10m", "3/4", "● live", "v0.105.0", "running 2"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
}

func TestCountdownTicksAndTurnsOverdue(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "sleep", -time.Minute))
	f.SetLog("t1", sleepEntry(1, "nap", t0, 3*time.Second))
	m := startedModel(t, f)
	if got := m.row(m.tasks["t1"], false).Remaining; got != "3s" {
		t.Fatalf("remaining at t0 = %q, want 3s", got)
	}
	m = update(m, tickMsg(t0.Add(1500*time.Millisecond)))
	if got := m.row(m.tasks["t1"], false).Remaining; got != "1s" { // cut down, as every countdown
		t.Fatalf("remaining at t0+1.5s = %q, want 1s", got)
	}
	m = update(m, tickMsg(t0.Add(5*time.Second)))
	r := m.row(m.tasks["t1"], false)
	if r.Remaining != "overdue 2s" || !r.Overdue {
		t.Fatalf("after the deadline: %q overdue=%v, want \"overdue 2s\" true", r.Remaining, r.Overdue)
	}
}

func TestDeadlinePassingRefetchesTheLogOnce(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "sleep", -time.Minute))
	f.SetLog("t1", sleepEntry(1, "nap", t0, 3*time.Second))
	m := startedModel(t, f)
	if n := f.Calls("EventLog:t1"); n != 1 {
		t.Fatalf("first load fetched the log %d times, want 1", n)
	}
	// Before the deadline, list polls do not refetch an unchanged task's log.
	m = at(t, m, 2*time.Second)
	if n := f.Calls("EventLog:t1"); n != 1 {
		t.Fatalf("log fetched %d times before the deadline, want 1", n)
	}
	// The engine wakes the task: the refetch after the deadline sees it.
	e := sleepEntry(1, "nap", t0, 3*time.Second)
	e.Satisfied, e.SatisfiedAt = true, t0.Add(3500*time.Millisecond)
	f.SetLog("t1", e)
	m = at(t, m, 4*time.Second)
	if n := f.Calls("EventLog:t1"); n != 2 {
		t.Fatalf("log fetched %d times after the deadline, want 2", n)
	}
	if len(m.tasks["t1"].waits) != 0 {
		t.Fatalf("wait still open after the engine satisfied it")
	}
}

func TestStatusChangeRefetchesTheLog(t *testing.T) {
	f := fake.New()
	task := durableTask("t1", "sleep", -time.Minute)
	f.SetTasks(task)
	f.SetLog("t1", sleepEntry(1, "nap", t0, time.Hour))
	m := startedModel(t, f)
	task.Evicted = true
	f.SetTasks(task)
	m = at(t, m, 2*time.Second)
	if n := f.Calls("EventLog:t1"); n != 2 {
		t.Fatalf("eviction did not refetch the log (%d fetches)", n)
	}
	if !strings.Contains(m.View(), "◌ evicted") {
		t.Errorf("evicted task not shown as evicted:\n%s", m.View())
	}
}

func TestLogFetchesAreBoundedAndNeverDuplicated(t *testing.T) {
	f := fake.New()
	var tasks []durable.Task
	for i := range 20 {
		tasks = append(tasks, durableTask(fmt.Sprintf("t%02d", i), "sleep", -time.Duration(i)*time.Second))
	}
	f.SetTasks(tasks...)
	m := newTestModel(f)
	m = update(m, startMsg{})
	m = update(m, listMsg{tasks: tasks})
	if n := len(m.sched.logsInFlight); n != maxLogFetches {
		t.Fatalf("%d log fetches in flight, want the budget %d", n, maxLogFetches)
	}
	// Further ticks while they are in flight start nothing new for them.
	next, cmd := m.Update(tickMsg(t0.Add(time.Second)))
	m = next.(Model)
	if n := len(m.sched.logsInFlight); n != maxLogFetches {
		t.Fatalf("a tick started more log fetches: %d in flight", n)
	}
	_ = cmd
}

func TestFilterMatchesLabelsAndEventKeys(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "alpha", -time.Minute), durableTask("t2", "beta", -2*time.Minute))
	f.SetLog("t1", sleepEntry(1, "cooling down", t0, time.Hour))
	f.SetLog("t2", eventEntry(1, "", t0, "payment:confirmed"))
	m := startedModel(t, f)
	m = update(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/")})
	if !filtering(m) {
		t.Fatal("/ did not open the filter")
	}
	for _, r := range "payment" {
		m = update(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	if len(m.shown) != 1 || m.shown[0] != "t2" {
		t.Fatalf("filter 'payment' shows %v, want [t2]", m.shown)
	}
	// q typed into the filter is a letter, not quit.
	next, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	m = next.(Model)
	if cmd != nil {
		if _, quit := cmd().(tea.QuitMsg); quit {
			t.Fatal("q in the filter quit the program")
		}
	}
	m = update(m, tea.KeyMsg{Type: tea.KeyEsc})
	if filtering(m) || len(m.shown) != 2 {
		t.Fatalf("esc did not clear the filter: filtering=%v shown=%v", filtering(m), m.shown)
	}
	m = update(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/")})
	for _, r := range "COOLING" {
		m = update(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	m = update(m, tea.KeyMsg{Type: tea.KeyEnter})
	if filtering(m) || len(m.shown) != 1 || m.shown[0] != "t1" {
		t.Fatalf("filter by label: filtering=%v shown=%v", filtering(m), m.shown)
	}
}

func TestTypedAheadRunesAreSplitIntoKeys(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "alpha", -time.Minute), durableTask("t2", "beta", -2*time.Minute))
	f.SetLog("t2", eventEntry(1, "", t0, "payment:confirmed"))
	m := startedModel(t, f)
	// One read of "/payment", as tmux or a slow link delivers it.
	m = update(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/payment")})
	if !filtering(m) || m.filter.Value() != "payment" || len(m.shown) != 1 {
		t.Fatalf("filtering=%v value=%q shown=%v", filtering(m), m.filter.Value(), m.shown)
	}
	// A paste into the filter stays one piece and is not read as keys.
	m = update(m, tea.KeyMsg{Type: tea.KeyEsc})
	m = update(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("jq"), Paste: true})
	if filtering(m) || len(m.shown) != 2 {
		t.Fatalf("a paste outside the filter acted: filtering=%v shown=%v", filtering(m), m.shown)
	}
}

func TestNavigationKeys(t *testing.T) {
	f := fake.New()
	var tasks []durable.Task
	for i := range 60 {
		tasks = append(tasks, durableTask(fmt.Sprintf("t%02d", i), "sleep", -time.Duration(i)*time.Second))
	}
	f.SetTasks(tasks...)
	m := startedModel(t, f)
	press := func(k string) {
		m = update(m, press(k))
	}
	press("j")
	press("down")
	if m.cursor != 2 {
		t.Fatalf("cursor %d after two downs", m.cursor)
	}
	press("k")
	if m.cursor != 1 {
		t.Fatalf("cursor %d after up", m.cursor)
	}
	press("G")
	if m.cursor != 59 || m.offset != 60-m.bodyHeight() {
		t.Fatalf("G: cursor %d offset %d", m.cursor, m.offset)
	}
	press("g")
	if m.cursor != 0 || m.offset != 0 {
		t.Fatalf("g: cursor %d offset %d", m.cursor, m.offset)
	}
	press("pgdown")
	if m.cursor != m.bodyHeight() {
		t.Fatalf("pgdown: cursor %d", m.cursor)
	}
	// The cursor stays on its task when a new task arrives on top.
	sel := m.selectedID
	f.SetTasks(append(tasks, durableTask("new", "sleep", time.Second))...)
	m = at(t, m, 2*time.Second)
	if m.shown[m.cursor] != sel {
		t.Fatalf("cursor moved off %s to %s", sel, m.shown[m.cursor])
	}
}

func TestHelpToggles(t *testing.T) {
	m := startedModel(t, fake.New())
	m = update(m, press("?"))
	if !showingHelp(m) || !strings.Contains(m.View(), "page down") {
		t.Fatalf("? did not show the full help:\n%s", m.View())
	}
	m = update(m, press("esc"))
	if showingHelp(m) {
		t.Fatal("esc did not close the help")
	}
}

func TestQuit(t *testing.T) {
	m := startedModel(t, fake.New())
	_, cmd := m.Update(press("q"))
	if cmd == nil {
		t.Fatal("q returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q did not quit")
	}
}

func TestConnectionStates(t *testing.T) {
	f := fake.New()
	m := startedModel(t, f)
	if m.conn.Kind != ui.Live {
		t.Fatalf("conn %v after a good poll", m.conn)
	}
	f.FailList(fmt.Errorf("list: %w", client.ErrUnreachable))
	f.FailVersion(fmt.Errorf("version: %w", client.ErrUnreachable)) // the whole engine is away
	m = at(t, m, 2*time.Second)
	if m.conn.Kind != ui.Reconnecting || !strings.Contains(m.View(), "reconnecting") {
		t.Fatalf("unreachable engine: conn %v\n%s", m.conn, m.View())
	}
	// Backoff: the next poll is not at the next tick.
	calls := f.Calls("ListActive")
	m = at(t, m, 3*time.Second)
	if f.Calls("ListActive") != calls {
		t.Fatal("retried the list without backing off")
	}
	f.FailList(nil)
	f.FailVersion(nil)
	m = at(t, m, 40*time.Second)
	if m.conn.Kind != ui.Live {
		t.Fatalf("did not come back live: %v", m.conn)
	}
	f.FailList(fmt.Errorf("list: %w", client.ErrUnauthorized))
	m = at(t, m, 45*time.Second)
	if m.conn.Kind != ui.Failed || m.conn.Reason != "token rejected" {
		t.Fatalf("rejected token: conn %v", m.conn)
	}
}

func TestEscapeSequencesNeverReachTheScreen(t *testing.T) {
	f := fake.New()
	task := durableTask("t1", "evil\x1b[2Jname", -time.Minute)
	f.SetTasks(task)
	f.SetLog("t1", sleepEntry(1, "\x1b]0;pwned\x07\x1b[31mred label\x1b[0m", t0, time.Hour))
	m := startedModel(t, f)
	view := m.View()
	if strings.Contains(view, "\x1b") || strings.Contains(view, "\x07") {
		t.Fatalf("raw escape in view: %q", view)
	}
	if !strings.Contains(view, "red label") || !strings.Contains(view, "evilname") {
		t.Fatalf("cleaned text missing:\n%s", view)
	}
}

func TestFinishedTasksLeaveTheList(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "a", -time.Minute), durableTask("t2", "b", -time.Minute))
	m := startedModel(t, f)
	f.SetTasks(durableTask("t2", "b", -time.Minute))
	m = at(t, m, 2*time.Second)
	if _, ok := m.tasks["t1"]; ok || len(m.shown) != 1 {
		t.Fatalf("finished task still listed: %v", m.shown)
	}
}

func TestNotFoundLogRetriesLater(t *testing.T) {
	m := newTestModel(fake.New())
	m.addTask(durableTask("t1", "a", 0))
	m.reorder()
	m.sched.logsInFlight["t1"] = true
	m = update(m, logMsg{taskID: "t1", err: fmt.Errorf("x: %w", client.ErrNotFound)})
	if m.message != "" {
		t.Errorf("a 404 on a new task is not an error to show: %q", m.message)
	}
	if m.logDue(m.tasks["t1"], true) {
		t.Error("refetching at once after a 404")
	}
	m.now = m.now.Add(errorRetryAfter)
	if !m.logDue(m.tasks["t1"], true) {
		t.Error("not refetching after the retry delay")
	}
	m = update(m, logMsg{taskID: "t1", err: errors.New("boom")})
	if !strings.Contains(m.message, "boom") {
		t.Errorf("other errors are shown: %q", m.message)
	}
}
