package model

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
)

// inboxModel has two tasks waiting on one key and one sleeping.
func inboxModel(t *testing.T) Model {
	t.Helper()
	f := fake.New()
	f.SetTasks(durableTask("t1", "pay-a", -time.Minute), durableTask("t2", "pay-b", -2*time.Minute), durableTask("t3", "nap", -3*time.Minute))
	f.SetLog("t1", eventEntry(1, "awaiting payment", t0, "payment:confirmed"))
	f.SetLog("t2", eventEntry(1, "also paying", t0, "payment:confirmed"))
	f.SetLog("t3", sleepEntry(1, "", t0, 2*time.Minute))
	return startedModel(t, f)
}

// Esc pops: a detail opened from the inbox goes back to the inbox, and
// enter opens the waiting task picked among the key's several.
func TestInboxPicksAmongWaitersAndEscReturnsToIt(t *testing.T) {
	m := inboxModel(t)
	m = step(t, m, press("w"))
	g, _ := m.selectedGroup()
	if g.Key != "payment:confirmed" || len(g.Waiters) != 2 {
		t.Fatalf("selected group %+v", g)
	}
	second := g.Waiters[1].TaskID
	m = step(t, m, press("tab"))
	if !strings.Contains(m.View(), "> "+g.Waiters[1].TaskName) {
		t.Errorf("the picked task is not marked:\n%s", m.View())
	}
	m = step(t, m, press("enter"))
	if d := m.detail(); d == nil || d.taskID != second {
		t.Fatalf("enter did not open the picked task %s: %+v", second, m.detail())
	}
	m = step(t, m, press("esc"))
	if _, ok := topIs[*inboxScreen](m); !ok {
		t.Fatalf("esc from a detail opened in the inbox did not return to it:\n%s", m.View())
	}
	m = step(t, m, press("esc"))
	if _, ok := topIs[*listScreen](m); !ok || len(m.stack) != 1 {
		t.Fatalf("esc from the inbox: stack %d", len(m.stack))
	}
}

// A dialog is drawn over the screen below, which stays visible.
func TestDialogIsDrawnOverTheList(t *testing.T) {
	_, m := waitingModel(t, false)
	m = step(t, m, press("c"))
	v := m.View()
	if !strings.Contains(v, "Cancel 1 task?") || !strings.Contains(v, "STATUS") || !strings.Contains(v, "hatchtop ▸") {
		t.Errorf("the confirmation should be over the list, header and columns showing:\n%s", v)
	}
	if lines := strings.Split(v, "\n"); len(lines) != m.height {
		t.Errorf("%d lines on a %d-line screen", len(lines), m.height)
	}
}

// A dialog starts clean: the last answer belongs to what came before.
func TestDialogStartsClean(t *testing.T) {
	_, m := waitingModel(t, false)
	m = step(t, m, press("e"))
	m = typeText(t, m, "{")
	m = step(t, m, press("ctrl+s"))
	if !strings.Contains(m.View(), "nothing was sent") {
		t.Fatalf("no refusal:\n%s", m.View())
	}
	m = step(t, m, press("esc"))
	m = step(t, m, press("c"))
	if v := m.View(); strings.Contains(v, "nothing was sent") {
		t.Errorf("an old refusal under a new dialog:\n%s", v)
	}
}

// A rebind in the config file changes every hint: the footer, the
// confirmation's line and the help.
func TestRebindChangesTheHints(t *testing.T) {
	_, m := waitingModel(t, false)
	km, err := m.keys.Rebind("confirm", []string{"y"})
	if err != nil {
		t.Fatal(err)
	}
	if km, err = km.Rebind("help", []string{"H"}); err != nil {
		t.Fatal(err)
	}
	m.keys = km
	if v := m.View(); !strings.Contains(lastLine(v), "H help") {
		t.Errorf("footer after a rebind of help: %q", lastLine(v))
	}
	m = step(t, m, press("c"))
	if v := m.View(); !strings.Contains(v, "y confirms") || strings.Contains(v, "enter confirms") {
		t.Errorf("the confirmation's hint after a rebind:\n%s", v)
	}
	m = step(t, m, press("esc"))
	m = step(t, m, press("H"))
	if !showingHelp(m) {
		t.Fatal("the rebound help key did not open the help")
	}
}

// ctrl+c quits from anywhere, a text field included; q there is a letter.
func TestCtrlCQuitsFromAForm(t *testing.T) {
	_, m := waitingModel(t, false)
	m = step(t, m, press("e"))
	next, cmd := m.Update(press("q"))
	if cmd != nil && isQuit(cmd) {
		t.Fatal("q in a form quit")
	}
	m = next.(Model)
	_, cmd = m.Update(press("ctrl+c"))
	if cmd == nil || !isQuit(cmd) {
		t.Fatal("ctrl+c in a form did not quit")
	}
}

// The help lists only the keys that work where it was opened: f on the
// stream, b on the timeline, not on the overview.
func TestHelpListsOnlyLiveKeys(t *testing.T) {
	m := inboxModel(t)
	m = step(t, m, press("enter"))
	m = step(t, m, press("?"))
	v := m.View()
	if strings.Contains(v, "follow") || strings.Contains(v, "replay from entry") {
		t.Errorf("the overview's help lists follow or branch:\n%s", v)
	}
	if !strings.Contains(v, "ctrl+c") {
		t.Errorf("the help lacks the global keys:\n%s", v)
	}
	m = step(t, m, press("esc"))
	m = step(t, m, press("2"))
	m = step(t, m, press("?"))
	if v := m.View(); !strings.Contains(v, "replay from entry") || strings.Contains(v, "follow") {
		t.Errorf("the timeline's help:\n%s", v)
	}
	m = step(t, m, press("q"))
}

// Feedback is kept: the messages screen shows what the footer said.
func TestMessagesKeepTheFeedback(t *testing.T) {
	_, m := waitingModel(t, true)
	m = step(t, m, press("c"))
	m = at(t, m, 20*time.Second) // the toast is gone by now
	m = step(t, m, press("M"))
	if v := m.View(); !strings.Contains(v, "cancel: hatchtop runs read-only") {
		t.Errorf("the messages screen lacks the refusal:\n%s", v)
	}
	for range keepNotes + 5 {
		m.say("x", 0)
	}
	if len(m.notes) != keepNotes {
		t.Errorf("kept %d notes", len(m.notes))
	}
}

func lastLine(s string) string { return s[strings.LastIndex(s, "\n")+1:] }

// isQuit reports whether cmd, run with its batches, quits.
func isQuit(cmd tea.Cmd) bool {
	for _, msg := range run(cmd) {
		if _, ok := msg.(tea.QuitMsg); ok {
			return true
		}
	}
	return false
}

// The filter matches what the row shows: its ON text and status word.
func TestFilterMatchesOnTextAndStatus(t *testing.T) {
	_, m := waitingModel(t, false)
	// update, not step: the filter's cursor blink is a Cmd that sleeps.
	m = update(m, press("/"))
	m = update(m, press("sleep 1h"))
	if len(m.shown) != 1 || m.shown[0] != "t2" {
		t.Errorf("the ON text 'sleep 1h' matched %v", m.shown)
	}
	m = update(m, press("esc"))
	m = update(m, press("/"))
	m = update(m, press("running"))
	if len(m.shown) != 2 {
		t.Errorf("the status word matched %v", m.shown)
	}
}

// The scope last sent with a key is prefilled the next time.
func TestScopeIsRememberedPerKey(t *testing.T) {
	_, m := waitingModel(t, false)
	m = step(t, m, press("e"))
	m = step(t, m, press("tab")) // the payload, then the scope
	m = typeText(t, m, "tenant-a")
	m = step(t, m, press("ctrl+s"))
	if c := confirmOf(m); c == nil || c.event.Scope != "tenant-a" {
		t.Fatalf("confirmation %+v", c)
	}
	m = step(t, m, press("enter"))
	m = step(t, m, press("e"))
	if f := formOf(m); f == nil || f.scope.Value() != "tenant-a" || !strings.Contains(formText(m), "last push of this key") {
		t.Fatalf("the scope was not remembered: %+v", formOf(m))
	}
}

// The stream and logs each open following: pausing one does not pause
// the other.
func TestLogsOpenFollowingAfterTheStreamPaused(t *testing.T) {
	_, m := detailModel(t)
	for i := range 100 {
		m = update(m, feedEvent(durable.RunEvent{Kind: durable.TaskStream, RunID: "t1", TaskID: "t1", Index: int64(i), Payload: "line\n"}))
	}
	m = step(t, m, press("3"))
	m = step(t, m, press("k")) // scrolling up pauses the stream
	if d := m.detail(); !d.paused[tabStream] {
		t.Fatal("scrolling up did not pause the stream")
	}
	m = step(t, m, press("4"))
	if d := m.detail(); d.paused[tabLogs] || !strings.Contains(m.View(), "following") {
		t.Errorf("the logs tab opened paused:\n%s", m.View())
	}
}
