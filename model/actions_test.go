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
	if readOnly {
		m.keys = m.keys.ReadOnly()
	}
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
	if m.form == nil || m.form.key.Value() != "approve" {
		t.Fatalf("form not prefilled with the wait's key: %+v", m.form)
	}
	view := m.View()
	if !strings.Contains(view, "key 1 of 2 of this wait") || !strings.Contains(view, "does not say whether a wait has a scope") {
		t.Errorf("form view:\n%s", view)
	}
	m = step(t, m, press("down"))
	if m.form.key.Value() != "reject" {
		t.Errorf("↓ picks the OR group's next key, got %q", m.form.key.Value())
	}
	m = step(t, m, press("up"))
	// q, c and ? typed into the payload are letters.
	m = step(t, m, press("tab"))
	m = typeText(t, m, "{q c ?")
	if m.form == nil || !strings.Contains(m.form.payload.Value(), "q c ?") {
		t.Fatalf("letters did not reach the payload: %+v", m.form)
	}
	if !strings.Contains(m.View(), "invalid JSON") {
		t.Errorf("invalid JSON not flagged as typed:\n%s", m.View())
	}
	m = step(t, m, press("ctrl+s"))
	if m.confirm != nil || f.Calls("PushEvent") != 0 || !strings.Contains(m.View(), "nothing was sent") {
		t.Fatalf("invalid JSON went on: confirm=%v pushes=%d", m.confirm, f.Calls("PushEvent"))
	}
	for range len("{q c ?") {
		m = step(t, m, tea.KeyMsg{Type: tea.KeyBackspace})
	}
	m = typeText(t, m, `{"approved": true}`)
	m = step(t, m, press("ctrl+s"))
	if m.confirm == nil || m.confirm.event.Key != "approve" || len(m.confirm.wakes) != 1 {
		t.Fatalf("no confirmation of the push: %+v", m.confirm)
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
	if m.confirm == nil || !strings.Contains(m.View(), "Cancel 1 task(s)?") {
		t.Fatalf("no cancel confirmation:\n%s", m.View())
	}
	m = step(t, m, press("esc"))
	if m.confirm != nil || f.Calls("Cancel") != 0 || !strings.Contains(m.View(), "backed out, nothing was sent") {
		t.Errorf("esc did not back out: %v %d", m.confirm, f.Calls("Cancel"))
	}
	m = step(t, m, press("e"))
	m = step(t, m, press("esc"))
	if m.form != nil || f.Calls("PushEvent") != 0 {
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
	if v := m.View(); !strings.Contains(v, "Cancel 2 task(s)?") || !strings.Contains(v, "wait-or") || !strings.Contains(v, "sleeper") {
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
	if !strings.Contains(m.View(), "2 task(s) cancelled") {
		t.Errorf("the outcome is not shown:\n%s", m.View())
	}
}

func TestRefreshTimeoutPromptValidates(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("t"))
	if m.prompt == nil || m.prompt.input.Value() != "5m" {
		t.Fatalf("prompt %+v", m.prompt)
	}
	m = step(t, m, press("backspace"))
	if !strings.Contains(m.View(), "has no unit") {
		t.Errorf("unitless not flagged:\n%s", m.View())
	}
	m = step(t, m, press("enter"))
	if m.confirm != nil || f.Calls("RefreshTimeout") != 0 {
		t.Fatal("a unitless duration went on")
	}
	m.prompt.input.SetValue("-5m")
	m = step(t, m, press("enter"))
	if m.confirm != nil || !strings.Contains(m.View(), "negative") {
		t.Fatalf("a negative duration went on:\n%s", m.View())
	}
	m.prompt.input.SetValue("90s")
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

func TestRestoreOnlyForEvicted(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("r"))
	if m.confirm != nil || !strings.Contains(m.View(), "is not evicted") {
		t.Errorf("restore offered for a running task:\n%s", m.View())
	}
	_ = f
}

func TestReplayOnlyFinished(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("R"))
	if m.confirm != nil || !strings.Contains(m.View(), "replays finished tasks only") {
		t.Errorf("replay offered for a running task:\n%s", m.View())
	}
	_ = f
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
	for _, k := range []string{"e", "c", "t", "r", "R"} {
		m = step(t, m, press(k))
		if m.form != nil || m.confirm != nil || m.prompt != nil {
			t.Fatalf("%s opened a dialog in read-only mode", k)
		}
		if !strings.Contains(m.View(), "hatchtop runs read-only") {
			t.Errorf("%s does not say why it does nothing:\n%s", k, m.View())
		}
	}
	m = step(t, m, press("?"))
	if v := m.View(); !strings.Contains(v, "cancel (read-only)") || !strings.Contains(v, "read-only") {
		t.Errorf("help does not mark the actions:\n%s", v)
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
	if m.confirm == nil || m.confirm.node != 3 || m.confirm.branch != 1 {
		t.Fatalf("branch confirmation %+v", m.confirm)
	}
	if !strings.Contains(m.View(), "Replay sleep-labelled from b1 n3?") {
		t.Errorf("confirmation does not name the node:\n%s", m.View())
	}
	m = step(t, m, press("enter"))
	if f.Calls("Branch") != 1 || !strings.Contains(m.View(), "new branch b2 from node 3") {
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
	if m.confirm == nil {
		t.Fatalf("no replay confirmation for a finished task:\n%s", m.View())
	}
	m = step(t, m, press("enter"))
	m = at(t, m, time.Second)
	if f.Calls("Replay") != 1 || !strings.Contains(m.View(), "replay of sleep-labelled accepted") {
		t.Errorf("replay: %d calls\n%s", f.Calls("Replay"), m.View())
	}
}
