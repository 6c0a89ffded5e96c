package model

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
)

func waitingModel(t *testing.T, readOnly bool) (*fake.Engine, Model) {
	t.Helper()
	f := fake.New()
	f.SetTasks(durableTask("t1", "wait-or", -time.Minute), durableTask("t2", "sleeper", -2*time.Minute))
	f.SetLog("t1", durable.Entry{NodeID: 1, BranchID: 1, Kind: durable.EntryWaitFor, Label: "approval", InsertedAt: t0,
		Conditions: []durable.Condition{{Or: []durable.Condition{{Kind: durable.CondEvent, EventKey: "approve"}, {Kind: durable.CondEvent, EventKey: "reject"}}}}})
	f.SetLog("t2", sleepEntry(1, "nap", t0, time.Hour))
	m := newTestModel(f)
	m.readOnly = readOnly
	return f, step(t, m, startMsg{})
}

func typeText(t *testing.T, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		m = step(t, m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	return m
}

func TestSendEventFormPrefillsValidatesAndConfirms(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("e"))
	if formOf(m) == nil || formOf(m).key.Value() != "approve" {
		t.Fatalf("form not prefilled with the wait's key: %+v", formOf(m))
	}
	view := m.View()
	if !strings.Contains(view, "key 1 of 2 of this wait") || !strings.Contains(view, "does not say whether a wait has a scope") {
		t.Errorf("form view:\n%s", view)
	}
	if formOf(m).focus != fieldPayload {
		t.Errorf("the form opens on field %d, not on the payload: the key is prefilled", formOf(m).focus)
	}
	m = step(t, m, press("shift+tab"))
	m = step(t, m, press("down"))
	if formOf(m).key.Value() != "reject" {
		t.Errorf("↓ picks the OR group's next key, got %q", formOf(m).key.Value())
	}
	m = step(t, m, press("up"))
	// q, c and ? typed into the payload are letters.
	m = step(t, m, press("tab"))
	m = typeText(t, m, "{q c ?")
	if formOf(m) == nil || !strings.Contains(formOf(m).payload.Value(), "q c ?") {
		t.Fatalf("letters did not reach the payload: %+v", formOf(m))
	}
	if !strings.Contains(m.View(), "invalid JSON") {
		t.Errorf("invalid JSON not flagged as typed:\n%s", m.View())
	}
	m = step(t, m, press("ctrl+s"))
	if confirmOf(m) != nil || f.Calls("PushEvent") != 0 || !strings.Contains(m.View(), "nothing was sent") {
		t.Fatalf("invalid JSON went on: confirm=%v pushes=%d", confirmOf(m), f.Calls("PushEvent"))
	}
	for range len("{q c ?") {
		m = step(t, m, tea.KeyMsg{Type: tea.KeyBackspace})
	}
	m = typeText(t, m, `{"approved": true}`)
	m = step(t, m, press("ctrl+s"))
	if confirmOf(m) == nil || confirmOf(m).event.Key != "approve" || len(confirmOf(m).wakes) != 1 {
		t.Fatalf("no confirmation of the push: %+v", confirmOf(m))
	}
	if v := m.View(); !strings.Contains(v, "Send event approve?") || !strings.Contains(v, "It should wake 1 waiting task") {
		t.Errorf("confirmation:\n%s", v)
	}
	m = step(t, m, press("enter"))
	if f.Calls("PushEvent") != 1 || f.LastEvent().Key != "approve" || string(f.LastEvent().Payload) != `{"approved": true}` {
		t.Fatalf("push: %d calls, last %+v", f.Calls("PushEvent"), f.LastEvent())
	}
	if !strings.Contains(m.View(), "pushed (id evt-1); watching 1 waiting task") {
		t.Errorf("no answer shown:\n%s", m.View())
	}
	// The engine satisfies the wait; the refetched log shows it.
	f.SetLog("t1")
	m = at(t, m, 3*time.Second)
	if !strings.Contains(m.View(), "approve woke 1 of 1 waiting task") {
		t.Errorf("the observed wake-up is not shown:\n%s", m.View())
	}
}

func TestEscBacksOutOfEveryDialog(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("c"))
	if confirmOf(m) == nil || !strings.Contains(m.View(), "Cancel 1 task?") {
		t.Fatalf("no cancel confirmation:\n%s", m.View())
	}
	m = step(t, m, press("esc"))
	if confirmOf(m) != nil || f.Calls("Cancel") != 0 || !strings.Contains(m.View(), "backed out, nothing was sent") {
		t.Errorf("esc did not back out: %v %d", confirmOf(m), f.Calls("Cancel"))
	}
	m = step(t, m, press("e"))
	m = step(t, m, press("esc"))
	if formOf(m) != nil || f.Calls("PushEvent") != 0 {
		t.Error("esc did not close the form")
	}
}

func TestCancelMarkedTasks(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("space"))
	m = step(t, m, press("space"))
	if len(m.marks) != 2 || !strings.Contains(m.View(), "2 marked") {
		t.Fatalf("marks %v", m.marks)
	}
	m = step(t, m, press("c"))
	if v := m.View(); !strings.Contains(v, "Cancel 2 tasks?") || !strings.Contains(v, "wait-or") || !strings.Contains(v, "sleeper") {
		t.Fatalf("confirmation does not name both tasks:\n%s", v)
	}
	m = step(t, m, press("enter"))
	if got := f.Cancelled(); len(got) != 2 {
		t.Fatalf("cancelled %v", got)
	}
	if len(m.marks) != 0 {
		t.Error("marks kept after the cancel")
	}
	f.SetTasks()
	m = at(t, m, 2*time.Second)
	if !strings.Contains(m.View(), "2 tasks cancelled") {
		t.Errorf("the outcome is not shown:\n%s", m.View())
	}
}

func TestRefreshTimeoutPromptValidates(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("t"))
	if promptOf(m) == nil || promptOf(m).field.Value() != "5m" {
		t.Fatalf("prompt %+v", promptOf(m))
	}
	m = step(t, m, press("backspace"))
	if !strings.Contains(m.View(), "has no unit") {
		t.Errorf("unitless not flagged:\n%s", m.View())
	}
	m = step(t, m, press("enter"))
	if confirmOf(m) != nil || f.Calls("RefreshTimeout") != 0 {
		t.Fatal("a unitless duration went on")
	}
	promptOf(m).field.SetValue("-5m")
	m = step(t, m, press("enter"))
	if confirmOf(m) != nil || !strings.Contains(m.View(), "negative") {
		t.Fatalf("a negative duration went on:\n%s", m.View())
	}
	promptOf(m).field.SetValue("90s")
	m = step(t, m, press("enter"))
	m = step(t, m, press("enter"))
	if f.Calls("RefreshTimeout") != 1 || f.LastIncrement() != 90*time.Second {
		t.Fatalf("refresh: %d calls, %s", f.Calls("RefreshTimeout"), f.LastIncrement())
	}
	if !strings.Contains(m.View(), "now times out at") {
		t.Errorf("the engine's deadline is not shown:\n%s", m.View())
	}
}

func TestActionOnATaskThatFinishedMeanwhile(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("c"))
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskCompleted, RunID: "t1", TaskID: "t1"}))
	m = step(t, m, press("enter"))
	if f.Calls("Cancel") != 0 || !strings.Contains(m.View(), "is completed since it was selected; nothing was sent") {
		t.Errorf("cancel of a finished task went on (%d):\n%s", f.Calls("Cancel"), m.View())
	}
}

// A key that is not in the hints does nothing: restore is off for a task
// that is not evicted, replay for one that still runs.
func TestRestoreOnlyForEvicted(t *testing.T) {
	_, m := waitingModel(t, false)
	if (&listScreen{}).keys(&m).Restore.Enabled() {
		t.Fatal("restore is on for a running task")
	}
	m = step(t, m, press("r"))
	if len(m.stack) != 1 || m.toast.text != "" {
		t.Errorf("restore of a running task opened %T or said %q", m.top(), m.toast.text)
	}
}

func TestReplayOnlyFinished(t *testing.T) {
	_, m := waitingModel(t, false)
	if (&listScreen{}).keys(&m).Replay.Enabled() {
		t.Fatal("replay is on for a running task")
	}
	m = step(t, m, press("R"))
	if len(m.stack) != 1 || m.toast.text != "" {
		t.Errorf("replay of a running task opened %T or said %q", m.top(), m.toast.text)
	}
}

func TestEngineErrorIsShown(t *testing.T) {
	f, m := waitingModel(t, false)
	f.FailActions(errors.New("rpc error: code = InvalidArgument desc = bad key"))
	m = step(t, m, press("c"))
	m = step(t, m, press("enter"))
	if !strings.Contains(m.View(), "cancel failed: rpc error: code = InvalidArgument desc = bad key") {
		t.Errorf("the engine's message is not shown:\n%s", m.View())
	}
}

func TestReadOnlyRefusesEveryAction(t *testing.T) {
	f, m := waitingModel(t, true)
	// The keys that would apply to the running row say why they do
	// nothing; restore and replay do not apply to it, and say nothing.
	for _, k := range []string{"e", "c", "t", "r", "R"} {
		m.toast = toast{}
		m = step(t, m, press(k))
		if formOf(m) != nil || confirmOf(m) != nil || promptOf(m) != nil {
			t.Fatalf("%s opened a dialog in read-only mode", k)
		}
		if says := strings.Contains(m.toast.text, "hatchtop runs read-only"); says != (k != "r" && k != "R") {
			t.Errorf("%s said %q", k, m.toast.text)
		}
	}
	m.toast = toast{}
	m = step(t, m, press("?"))
	// The help lists no key that does nothing, and says why they are off.
	if v := m.View(); strings.Contains(v, "refresh timeout") || strings.Contains(v, "send event") || !strings.Contains(v, "the keys that change the engine are off") {
		t.Errorf("help lists the actions or does not say they are off:\n%s", v)
	}
	for _, call := range []string{"PushEvent", "Cancel", "RefreshTimeout", "RestoreEvicted", "Replay", "Branch"} {
		if f.Calls(call) != 0 {
			t.Errorf("%s was called in read-only mode", call)
		}
	}
	_ = client.ErrReadOnly
}

func TestBranchFromATimelineEntry(t *testing.T) {
	f, m := detailModel(t)
	m = step(t, m, press("2"))
	m = step(t, m, press("G"))
	m = step(t, m, press("b"))
	if confirmOf(m) == nil || confirmOf(m).node != 3 || confirmOf(m).branch != 1 {
		t.Fatalf("branch confirmation %+v", confirmOf(m))
	}
	if !strings.Contains(m.View(), "Replay sleep-labelled from node 3?") {
		t.Errorf("confirmation does not name the node:\n%s", m.View())
	}
	m = step(t, m, press("enter"))
	if f.Calls("Branch") != 1 || !strings.Contains(m.View(), "new branch 2 from node 3") {
		t.Errorf("branch: %d calls\n%s", f.Calls("Branch"), m.View())
	}
}

// A replay's answer stays on screen: no watch follows it to blank it.
func TestReplayOfAFinishedTaskShowsTheAnswer(t *testing.T) {
	f, m := detailModel(t)
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskCompleted, RunID: "t1", TaskID: "t1"}))
	done := durableTask("t1", "sleep-labelled", -time.Minute)
	done.Status = durable.StatusCompleted
	f.SetDetail("t1", durable.Detail{Task: done})
	m = step(t, m, press("R"))
	if confirmOf(m) == nil {
		t.Fatalf("no replay confirmation for a finished task:\n%s", m.View())
	}
	m = step(t, m, press("enter"))
	m = at(t, m, time.Second)
	if f.Calls("Replay") != 1 || !strings.Contains(m.View(), "replay of sleep-labelled accepted") {
		t.Errorf("replay: %d calls\n%s", f.Calls("Replay"), m.View())
	}
}
