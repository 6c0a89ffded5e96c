package model

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
)

// callsOf sums the fake's calls of one method over task ids.
func callsOf(f *fake.Engine, method string, ids []string) int {
	n := 0
	for _, id := range ids {
		n += f.Calls(method + ":" + id)
	}
	return n
}

// ticks moves the clock one second at a time from t0+from to t0+to.
func ticks(t *testing.T, m Model, from, to time.Duration) Model {
	t.Helper()
	for d := from; d <= to; d += time.Second {
		m = at(t, m, d)
	}
	return m
}

// hourSleepers is a fake tenant of n durable tasks asleep for an hour, newest
// first.
func hourSleepers(n int) (*fake.Engine, []durable.Task, []string) {
	f := fake.New()
	var tasks []durable.Task
	var ids []string
	for i := range n {
		id := fmt.Sprintf("t%03d", i)
		tasks = append(tasks, durableTask(id, "sleep", -time.Duration(i)*time.Second))
		f.SetLog(id, sleepEntry(1, "nap", t0, time.Hour))
		ids = append(ids, id)
	}
	f.SetTasks(tasks...)
	return f, tasks, ids
}

func TestFirstSightFetchesRowsOnScreenFirstThenUnderABudget(t *testing.T) {
	f, _, ids := hourSleepers(150)
	m := startedModel(t, f)
	for _, id := range m.visibleIDs() {
		if f.Calls("EventLog:"+id) != 1 {
			t.Fatalf("row on screen %s has no log", id)
		}
	}
	onScreen := len(m.visibleIDs())
	if n := callsOf(f, "EventLog", ids); n > onScreen+int(firstSightBurst) {
		t.Fatalf("%d event logs fetched at first sight; want the %d rows on screen and at most %d more",
			n, onScreen, int(firstSightBurst))
	}
	// The rest come at the budget's pace, and the inbox says how far it got.
	m = ticks(t, m, time.Second, 10*time.Second)
	got := callsOf(f, "EventLog", ids)
	if max := onScreen + int(firstSightBurst) + int(10*firstSightPerSecond) + 1; got > max {
		t.Fatalf("%d event logs after 10 s, want at most %d", got, max)
	}
	m.push(&inboxScreen{})
	if want := fmt.Sprintf("logs of %d of 150 durable tasks", got); !strings.Contains(m.View(), want) {
		t.Fatalf("inbox does not say %q:\n%s", want, m.View())
	}
	m = ticks(t, m, 11*time.Second, 300*time.Second)
	if n := callsOf(f, "EventLog", ids); n != 150 {
		t.Fatalf("%d of 150 logs after the budget had time for all", n)
	}
}

func TestSleepingRowIsNotPolledBeforeItsDeadline(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "sleep", -time.Minute))
	f.SetLog("t1", sleepEntry(1, "nap", t0.Add(-time.Second), 10*time.Minute))
	m := startedModel(t, f) // t1 is on screen and selected
	m = ticks(t, m, time.Second, 90*time.Second)
	if n := f.Calls("EventLog:t1"); n != 1 {
		t.Fatalf("a sleeping row was polled %d times before its deadline", n)
	}
	m = at(t, m, 10*time.Minute)
	if n := f.Calls("EventLog:t1"); n != 2 {
		t.Fatalf("not polled at its deadline (%d fetches)", n)
	}
	// A signal (its status changed) refetches at once.
	ev := durableTask("t1", "sleep", -time.Minute)
	ev.Evicted = true
	f.SetTasks(ev)
	_ = at(t, m, 10*time.Minute+2*time.Second)
	if n := f.Calls("EventLog:t1"); n != 3 {
		t.Fatalf("an eviction did not refetch the log (%d fetches)", n)
	}
}

func TestEventWaitRowsPolledEvery15sTheSelectedOneEvery2s(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("sel", "a", -time.Second), durableTask("other", "b", -2*time.Second))
	f.SetLog("sel", eventEntry(1, "approval", t0, "approve"))
	f.SetLog("other", eventEntry(1, "approval", t0, "approve"))
	m := startedModel(t, f)
	if m.selectedID != "sel" {
		t.Fatalf("selected %q", m.selectedID)
	}
	_ = ticks(t, m, time.Second, 30*time.Second)
	if n := f.Calls("EventLog:sel"); n < 15 || n > 16 {
		t.Errorf("the selected row was polled %d times in 30 s, want one every 2 s", n)
	}
	if n := f.Calls("EventLog:other"); n != 3 {
		t.Errorf("a row on screen was polled %d times in 30 s, want one every 15 s", n)
	}
}

func TestTaskEventsAreFetchedOnSignalsNotOnATimer(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "a", -time.Minute))
	f.SetLog("t1", eventEntry(1, "approval", t0, "approve"))
	m := startedModel(t, f)
	m = ticks(t, m, time.Second, 90*time.Second)
	if n := f.Calls("TaskEvents:t1"); n != 1 {
		t.Fatalf("task events fetched %d times in 90 s without a signal", n)
	}
	// A new wait opens: the events are read again.
	f.SetLog("t1", durable.Entry{NodeID: 1, BranchID: 1, Kind: durable.EntryWaitFor, Label: "approval",
		InsertedAt: t0, Satisfied: true, Conditions: []durable.Condition{{Kind: durable.CondEvent, EventKey: "approve"}}},
		eventEntry(2, "shipping", t0.Add(90*time.Second), "ship"))
	_ = ticks(t, m, 91*time.Second, 93*time.Second)
	if n := f.Calls("TaskEvents:t1"); n != 2 {
		t.Fatalf("a wait opened but the events were fetched %d times", n)
	}
}

func TestConfigIsFetchedOncePerTaskDefinition(t *testing.T) {
	f := fake.New()
	var tasks []durable.Task
	var ids []string
	for i := range 10 {
		task := durableTask(fmt.Sprintf("t%d", i), fmt.Sprintf("step-%d", 1700000000+i), -time.Duration(i)*time.Second)
		task.VersionID, task.ActionID = "v1", "wf:step" // one definition, names stamped by the SDK
		tasks = append(tasks, task)
		ids = append(ids, task.ID)
		f.SetConfig(task.ID, durable.Config{MaxRetries: 2, Timeout: time.Minute})
	}
	f.SetTasks(tasks...)
	m := startedModel(t, f)
	_ = ticks(t, m, time.Second, 5*time.Second)
	if n := callsOf(f, "TaskConfig", ids); n != 1 {
		t.Fatalf("%d config fetches for one task definition", n)
	}
}

func TestAFeedBurstIsOneMessage(t *testing.T) {
	ch := make(chan client.FeedUpdate, 8)
	for i := range 5 {
		ch <- client.FeedUpdate{RunID: fmt.Sprint("r", i), State: client.FeedLive}
	}
	msg := waitFeed(ch)().(feedMsg)
	if msg.update.RunID != "r0" || len(msg.more) != 4 || msg.more[3].RunID != "r4" {
		t.Fatalf("batch %+v", msg)
	}
	ch <- client.FeedUpdate{RunID: "last"}
	close(ch)
	if msg := waitFeed(ch)().(feedMsg); msg.closed || msg.update.RunID != "last" || len(msg.more) != 0 {
		t.Fatalf("the update before the close was lost: %+v", msg)
	}
	if msg := waitFeed(ch)().(feedMsg); !msg.closed {
		t.Fatalf("close not reported: %+v", msg)
	}
	// Every update of a batch is applied.
	m := newTestModel(fake.New())
	m = update(m, feedMsg{update: client.FeedUpdate{RunID: "a", State: client.FeedLive},
		more: []client.FeedUpdate{{RunID: "b", State: client.FeedLive}, {RunID: "c", State: client.FeedLive}}})
	if live, _, _ := m.feedHeader(); live != 3 {
		t.Fatalf("%d feeds live, want 3", live)
	}
}

func TestTheDetailOfAWaitThatCanChangeIsAtMost2sOld(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "a", -time.Minute), durableTask("t2", "b", -2*time.Minute))
	f.SetLog("t1", eventEntry(1, "approval", t0, "approve"))
	f.SetLog("t2", sleepEntry(1, "nap", t0, time.Hour))
	m := startedModel(t, f)
	m.openDetail()
	for d := time.Second; d <= 20*time.Second; d += time.Second {
		m = at(t, m, d)
		if age := m.now.Sub(m.detail().entriesAt); age > 2*time.Second {
			t.Fatalf("at %s the detail's log is %s old", d, age)
		}
	}
	// A sleeping task's detail waits for the deadline like its row.
	m.pop()
	m = step(t, m, tea.KeyMsg{Type: tea.KeyDown})
	m.openDetail()
	m = at(t, m, 21*time.Second)
	before := f.Calls("EventLog:t2")
	_ = ticks(t, m, 22*time.Second, 60*time.Second)
	if n := f.Calls("EventLog:t2") - before; n != 0 {
		t.Fatalf("a sleeping task's detail polled its log %d times before the deadline", n)
	}
}

// A task not read yet whose status flips in a list answer (REST reads a
// sleeping durable task as QUEUED for a moment) still waits for its first
// read in the first-sight budget: that read tells everything the flip
// could. Before, each flip queued it in the changed budget (1 a second),
// and a tenant of flipping tasks read 4 times the first-sight pace.
func TestAFlipOfATaskNotReadYetStaysInTheFirstSightBudget(t *testing.T) {
	f, tasks, ids := hourSleepers(150)
	m := startedModel(t, f)
	onScreen := len(m.visibleIDs())
	flipped := make([]durable.Task, len(tasks))
	for i, task := range tasks {
		task.Status = durable.StatusQueued
		flipped[i] = task
	}
	f.SetTasks(flipped...)
	m = ticks(t, m, time.Second, 100*time.Second)
	got := callsOf(f, "EventLog", ids)
	t.Logf("%d event logs in 100 s, %d rows on screen, %d in the changed queue", got, onScreen, m.sched.dueLogs.Len())
	if max := 2*onScreen + int(firstSightBurst) + int(100*firstSightPerSecond) + 1; got > max {
		t.Fatalf("%d event logs in 100 s with every status flipped, want at most %d (rows on screen twice, the rest at the first-sight pace)", got, max)
	}
}
