package model

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
)

// recordingFeeds is a Feeds that records what the model asks for; tests
// inject updates as messages.
type recordingFeeds struct {
	wants [][]string
	ch    chan client.FeedUpdate
}

func (r *recordingFeeds) Want(ids []string)                 { r.wants = append(r.wants, ids) }
func (r *recordingFeeds) Updates() <-chan client.FeedUpdate { return r.ch }

func press(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "shift+tab":
		return tea.KeyMsg{Type: tea.KeyShiftTab}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	case "ctrl+s":
		return tea.KeyMsg{Type: tea.KeyCtrlS}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "backspace":
		return tea.KeyMsg{Type: tea.KeyBackspace}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func feedEvent(ev durable.RunEvent) feedMsg {
	return feedMsg{update: client.FeedUpdate{RunID: ev.RunID, Event: &ev}}
}

func TestFeedEventsUpdateTheRowAtOnce(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "wait-event", -time.Minute), durableTask("t2", "other", -2*time.Minute))
	f.SetLog("t1", eventEntry(1, "finish me", t0, "finish"))
	m := startedModel(t, f)
	lists := f.Calls("ListActive")
	logs := f.Calls("EventLog:t1")
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskCompleted, RunID: "t1", TaskID: "t1"}))
	if got := m.tasks["t1"].task.Status; got != durable.StatusCompleted {
		t.Fatalf("status %s after a completed event, want COMPLETED", got)
	}
	if !strings.Contains(m.View(), "✔ completed") {
		t.Errorf("the row does not show completion:\n%s", m.View())
	}
	if f.Calls("ListActive") != lists {
		t.Error("the completion waited for a list poll")
	}
	// A finished task is not polled (finished.go): the detail reads its own.
	if f.Calls("EventLog:t1") != logs {
		t.Errorf("the completion refetched the event log of a finished task (%d -> %d)", logs, f.Calls("EventLog:t1"))
	}
	if m.index.Counts()[durable.PhaseRunning] != 1 {
		t.Errorf("counts not updated: %v", m.index.Counts())
	}
}

func TestFeedStatesShowInTheHeader(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "a", -time.Minute))
	m := startedModel(t, f)
	m = update(m, feedMsg{update: client.FeedUpdate{RunID: "t1", State: client.FeedLive}})
	if !strings.Contains(m.View(), "1 feed streaming") {
		t.Errorf("live feed not in the header:\n%s", firstLine(m.View()))
	}
	m = update(m, feedMsg{update: client.FeedUpdate{RunID: "t1", State: client.FeedRetrying, Err: fmt.Errorf("stream: %w", client.ErrUnreachable)}})
	if l := firstLine(m.View()); !strings.Contains(l, "◌ 1 feed reconnecting") {
		t.Errorf("retrying feed not in the header: %s", l)
	}
	if h := update(m, press("?")).View(); !strings.Contains(h, "1 reconnecting: stream: the engine is unreachable") {
		t.Errorf("the help does not say why the feed reconnects:\n%s", h)
	}
	m = update(m, feedMsg{update: client.FeedUpdate{RunID: "t1", State: client.FeedLive}})
	if l := firstLine(m.View()); strings.Contains(l, "reconnecting") {
		t.Errorf("feed back, header still says %s", l)
	}
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

func TestFeedsFollowTheScreen(t *testing.T) {
	f := fake.New()
	var tasks []durable.Task
	for i := range 40 {
		tasks = append(tasks, durableTask(fmt.Sprintf("t%02d", i), "task", -time.Duration(i)*time.Second))
	}
	f.SetTasks(tasks...)
	feeds := &recordingFeeds{ch: make(chan client.FeedUpdate)}
	m := New(Deps{Engine: f, Since: time.Hour, Refresh: 2 * time.Second, Now: t0, Styles: newTestModel(f).styles, Keys: newTestModel(f).keys, Feeds: feeds, WholeList: true})
	m.tick = func() tea.Cmd { return nil }
	m.width, m.height = 120, 14 // 10 rows on screen
	next, cmd := m.Update(startMsg{})
	m = next.(Model)
	for _, msg := range run(cmd) {
		if _, ok := msg.(feedMsg); ok {
			continue
		}
		m = step(t, m, msg)
	}
	if len(feeds.wants) == 0 {
		t.Fatal("no feed was asked for")
	}
	last := feeds.wants[len(feeds.wants)-1]
	if len(last) != 10 || last[0] != "t00" {
		t.Fatalf("wanted %v, want the 10 runs on screen, selected first", last)
	}
	n := len(feeds.wants)
	m = step(t, m, press("G"))
	last = feeds.wants[len(feeds.wants)-1]
	if len(feeds.wants) == n || last[0] != "t39" || slices.Contains(last, "t00") {
		t.Fatalf("after G the feeds are %v; want the bottom page, selected first", last)
	}
	n = len(feeds.wants)
	m = step(t, m, tickMsg(t0.Add(time.Second)))
	if len(feeds.wants) != n {
		t.Error("a tick with nothing changed re-asked for the feeds")
	}
}

func TestStreamBufferOrderBoundsAndNotes(t *testing.T) {
	b := newStreamBuf()
	if !strings.Contains(b.note(t0), "no output yet since hatchtop joined") {
		t.Errorf("empty note %q", b.note(t0))
	}
	b.add(durable.RunEvent{Kind: durable.TaskStream, Index: 3, Payload: "a\nb"}, t0)
	b.add(durable.RunEvent{Kind: durable.TaskStream, Index: 3, Payload: "dup\n"}, t0) // replayed index
	b.add(durable.RunEvent{Kind: durable.TaskStream, Index: 4, Payload: "c\n"}, t0)
	if got := streamLines(b); !slices.Equal(got, []string{"a", "bc"}) {
		t.Errorf("lines %q", got)
	}
	if n := b.note(t0); !strings.Contains(n, "joined mid-run at chunk 3") {
		t.Errorf("mid-run note %q", n)
	}
	for i := range maxStreamLines + 10 {
		b.add(durable.RunEvent{Kind: durable.TaskStream, Index: int64(5 + i), Payload: "x\n"}, t0)
	}
	if len(b.lines) != maxStreamLines || b.dropped != 12 || !strings.Contains(b.note(t0), "12 oldest lines dropped") {
		t.Errorf("bound: %d lines, %d dropped, note %q", len(b.lines), b.dropped, b.note(t0))
	}
	b.add(durable.RunEvent{Kind: durable.TaskStream, Index: 0, RetryCount: 1, Payload: "again\n"}, t0)
	if got := streamLines(b); !slices.Equal(got, []string{"again"}) || !strings.Contains(b.note(t0), "complete from the first chunk · attempt 2") {
		t.Errorf("a new attempt did not start over: %q %q", got, b.note(t0))
	}
}

// streamLines is every line a stream buffer shows.
func streamLines(b *streamBuf) []string {
	out := make([]string, b.count())
	for i := range out {
		out[i] = b.line(i)
	}
	return out
}

func detailModel(t *testing.T) (*fake.Engine, Model) {
	t.Helper()
	f := fake.New()
	task := durableTask("t1", "sleep-labelled", -time.Minute)
	task.Metadata = map[string]any{"customer": "acme"}
	f.SetTasks(task)
	f.SetLog("t1",
		durable.Entry{NodeID: 1, BranchID: 1, Kind: durable.EntryMemo, InsertedAt: t0.Add(-50 * time.Second)},
		durable.Entry{NodeID: 2, BranchID: 1, Kind: durable.EntryMemo, InsertedAt: t0.Add(-50 * time.Second)},
		sleepEntry(3, "cooling down", t0.Add(-10*time.Second), 2*time.Minute),
	)
	f.SetConfig("t1", durable.Config{MaxRetries: 2, Timeout: time.Minute})
	f.SetDetail("t1", durable.Detail{
		Task:     task,
		Config:   durable.Config{MaxRetries: 2, Timeout: time.Minute},
		Input:    json.RawMessage(`{"sleep":"2m","label":"cooling down"}`),
		WorkerID: "worker-1",
		Events: []durable.TaskEvent{
			{ID: 1, Type: durable.EventAssigned, At: t0.Add(-time.Minute), WorkerID: "worker-1", RetryCount: 0},
			{ID: 2, Type: durable.EventStarted, At: t0.Add(-time.Minute), RetryCount: 0},
		},
	})
	f.SetLogLines("t1", durable.LogLine{At: t0.Add(-30 * time.Second), Level: "info", Message: "hello \x1b[31mred\x1b[0m"})
	m := newTestModel(f)
	m.height = 60 // the whole overview on screen
	m = step(t, m, startMsg{})
	m = step(t, m, press("enter"))
	return f, m
}

func TestDetailShowsContextAttributesAndWarnsOfTimeout(t *testing.T) {
	f, m := detailModel(t)
	if m.detail() == nil || f.Calls("TaskDetail:t1") != 1 {
		t.Fatalf("enter did not open and fetch the detail (calls %d)", f.Calls("TaskDetail:t1"))
	}
	view := m.View()
	for _, want := range []string{"1 overview", "task id", "run id", "t1", "worker-1", "attempt 1/3", "max retries",
		"customer = \"acme\"", "time to timeout", "⚠", "may time out", "node 3", "1m50s"} {
		if !strings.Contains(view, want) {
			t.Errorf("overview lacks %q:\n%s", want, view)
		}
	}
	m = step(t, m, press("2"))
	view = m.View()
	if !strings.Contains(view, "2 memos") || !strings.Contains(view, "cooling down") || !strings.Contains(view, "waiting · 1m50s") {
		t.Errorf("timeline:\n%s", view)
	}
	m = step(t, m, press("4"))
	if view = m.View(); !strings.Contains(view, "INFO  hello red") || strings.Contains(view, "\x1b[31m") {
		t.Errorf("logs tab:\n%q", view)
	}
	m = step(t, m, press("5"))
	if view = m.View(); !strings.Contains(view, `"sleep": "2m"`) || !strings.Contains(view, "output") {
		t.Errorf("data tab:\n%s", view)
	}
	m = step(t, m, press("esc"))
	if m.detail() != nil || !strings.Contains(m.View(), "REMAINING") {
		t.Error("esc did not go back to the list")
	}
}

func TestDetailPollsLogLinesOnlyForNewLines(t *testing.T) {
	f, m := detailModel(t)
	m = at(t, m, 3*time.Second)
	if got := f.LogLinesSince("t1"); !got.Equal(t0.Add(-30 * time.Second)) {
		t.Errorf("second log fetch asked since %s, want the last line's time", got)
	}
	if n := len(m.detail().logs); n != 1 {
		t.Errorf("the same line was added twice: %d lines", n)
	}
}

func TestInboxGroupsWaitsByKey(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "a", -time.Minute), durableTask("t2", "b", -2*time.Minute), durableTask("t3", "c", -3*time.Minute))
	f.SetLog("t1", eventEntry(1, "awaiting payment", t0, "payment:confirmed"))
	f.SetLog("t2", eventEntry(1, "also paying", t0, "payment:confirmed"))
	f.SetLog("t3", sleepEntry(1, "", t0, 2*time.Minute))
	m := startedModel(t, f)
	m = step(t, m, press("w"))
	view := m.View()
	for _, want := range []string{"waits inbox", "logs of 3 of 3 durable tasks", "payment:confirmed", "awaiting payment, also paying", "(sleeping)", "sleeping 2m"} {
		if !strings.Contains(view, want) {
			t.Errorf("inbox lacks %q:\n%s", want, view)
		}
	}
	if l := lineWith(view, "payment:confirmed"); !strings.Contains(l, " 2 ") {
		t.Errorf("the key should wake 2 tasks: %q", l)
	}
	m = step(t, m, press("j"))
	if m.inbox().key != durable.SleepingGroup || !strings.Contains(m.View(), "└ c") {
		t.Errorf("j did not select the sleeping group: %q\n%s", m.inbox().key, m.View())
	}
	m = step(t, m, press("G"))
	m = step(t, m, press("g"))
	if m.inbox().key != "payment:confirmed" {
		t.Errorf("g did not go back to the top: %q", m.inbox().key)
	}
	m = step(t, m, press("w"))
	if m.inbox() != nil {
		t.Error("w did not go back")
	}
}

func lineWith(s, text string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}

// Golden views of the detail's tabs and of the inbox, clock pinned and
// colours off.
func TestDetailAndInboxGoldens(t *testing.T) {
	_, m := detailModel(t)
	m.width, m.height = 100, 34
	for _, tab := range []string{"1", "2", "5"} {
		m = step(t, m, press(tab))
		t.Run("detail-tab-"+tab, func(t *testing.T) { golden.RequireEqual(t, []byte(m.View())) })
	}
	m = step(t, m, press("esc"))
	f := fake.New()
	f.SetTasks(durableTask("t1", "pay-a", -time.Minute), durableTask("t2", "pay-b", -2*time.Minute), durableTask("t3", "nap", -3*time.Minute))
	f.SetLog("t1", eventEntry(1, "awaiting payment", t0, "payment:confirmed"))
	f.SetLog("t2", durable.Entry{NodeID: 1, BranchID: 1, Kind: durable.EntryWaitFor, Label: "approval or timeout", InsertedAt: t0,
		Conditions: []durable.Condition{{Or: []durable.Condition{{Kind: durable.CondEvent, EventKey: "payment:confirmed"}, {Kind: durable.CondSleep, Sleep: 10 * time.Minute}}}}})
	f.SetLog("t3", sleepEntry(1, "", t0, 2*time.Minute))
	m = startedModel(t, f)
	m.width, m.height = 100, 16
	m = step(t, m, press("w"))
	t.Run("inbox", func(t *testing.T) { golden.RequireEqual(t, []byte(m.View())) })
}

// The stream pane shows the end while following; scrolling up pauses it.
func TestStreamPaneFollowsAndScrolls(t *testing.T) {
	_, m := detailModel(t)
	m.height = 20
	for i := range 50 {
		m = update(m, feedEvent(durable.RunEvent{Kind: durable.TaskStream, RunID: "t1", TaskID: "t1", Index: int64(i), Payload: fmt.Sprintf("line %02d\n", i)}))
	}
	m = step(t, m, press("3"))
	view := m.View()
	if !strings.Contains(view, "line 49") || strings.Contains(view, "line 00") || !strings.Contains(view, "following") {
		t.Fatalf("following view:\n%s", view)
	}
	m = step(t, m, press("k"))
	view = m.View()
	if strings.Contains(view, "line 49") || !strings.Contains(view, "line 48") || !strings.Contains(view, "paused") {
		t.Errorf("scrolled-up view:\n%s", view)
	}
}
