package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/preflight"
)

// finishedIn makes the fake engine answer a task as finished, as
// v1-task:get does once it ends.
func finishedIn(f interface{ SetDetail(string, durable.Detail) }, task durable.Task, st durable.Status) {
	task.Status = st
	f.SetDetail(task.ID, durable.Detail{Task: task})
}

// The case: the task finishes while the confirmation is open and
// a poll drops its row, so the model no longer knows its status. The
// engine's answer right before sending keeps the cancel from going out.
func TestCancelConfirmedAfterTheTaskFinishedIsNotSent(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("c"))
	if confirmOf(m) == nil {
		t.Fatal("no confirmation")
	}
	t1 := m.tasks["t1"].task
	finishedIn(f, t1, durable.StatusCompleted)
	m = step(t, m, listMsg{tasks: []durable.Task{m.tasks["t2"].task}}) // the row is gone
	m = step(t, m, press("enter"))
	if n := f.Calls("Cancel"); n != 0 {
		t.Fatalf("cancel sent for a finished task (%d calls, %v)", n, f.Cancelled())
	}
	// The row's final read (finished.go) or the action's own asked the engine.
	if f.Calls("TaskState:t1")+f.Calls("TaskDetail:t1") < 1 {
		t.Errorf("the task's state was not checked with the engine")
	}
	if v := m.View(); !strings.Contains(v, "cancel: wait-or is completed") || !strings.Contains(v, "nothing was sent") {
		t.Errorf("the refusal is not shown:\n%s", v)
	}
}

// A task the engine does not know (or cannot be asked about) is not acted on.
func TestActionOnAnUnknownTaskIsRefused(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("c"))
	f.SetTasks(m.tasks["t2"].task) // t1 is gone: not found
	m = step(t, m, press("enter"))
	if f.Calls("Cancel") != 0 || !strings.Contains(m.View(), "wait-or is not known to the engine (not found); nothing was sent") {
		t.Errorf("%d cancels\n%s", f.Calls("Cancel"), m.View())
	}
}

// A bulk cancel sends only the ids still active and says what it skipped.
func TestBulkCancelSkipsFinishedTasks(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("space"))
	m = step(t, m, press("space"))
	m = step(t, m, press("c"))
	finishedIn(f, m.tasks["t1"].task, durable.StatusCompleted)
	m = step(t, m, press("enter"))
	if got := f.Cancelled(); !slices.Equal(got, []string{"t2"}) {
		t.Fatalf("cancelled %v, want only the active t2", got)
	}
	if v := m.View(); !strings.Contains(v, "cancel of 1 task accepted by the engine, skipped 1 (finished: wait-or completed)") {
		t.Errorf("the skip is not said:\n%s", v)
	}
	f.SetTasks()
	m = at(t, m, 2*time.Second)
	if v := m.View(); !strings.Contains(v, "1 task cancelled, skipped 1 (finished: wait-or completed)") {
		t.Errorf("the outcome does not count only what was sent:\n%s", v)
	}
}

// Every task of a bulk cancel finished: nothing is sent.
func TestBulkCancelOfFinishedTasksSendsNothing(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("space"))
	m = step(t, m, press("space"))
	m = step(t, m, press("c"))
	finishedIn(f, m.tasks["t1"].task, durable.StatusCompleted)
	finishedIn(f, m.tasks["t2"].task, durable.StatusFailed)
	m = step(t, m, press("enter"))
	if f.Calls("Cancel") != 0 || !strings.Contains(m.View(), "skipped all 2 tasks (finished: wait-or completed, sleeper failed); nothing was sent") {
		t.Errorf("%d cancels\n%s", f.Calls("Cancel"), m.View())
	}
}

// REST reads a task that has just started as QUEUED for a while: t is
// not refused on that; the engine's answer decides.
func TestRefreshTimeoutOfATaskReadAsQueued(t *testing.T) {
	f, m := waitingModel(t, false)
	q := m.tasks["t1"].task
	q.Status = durable.StatusQueued
	f.SetTasks(q, m.tasks["t2"].task)
	m = step(t, m, listMsg{tasks: []durable.Task{q, m.tasks["t2"].task}})
	m = step(t, m, press("t"))
	if promptOf(m) == nil {
		t.Fatalf("t refused on a stale QUEUED:\n%s", m.View())
	}
	m = step(t, m, press("enter"))
	m = step(t, m, press("enter"))
	if f.Calls("RefreshTimeout") != 1 || !strings.Contains(m.View(), "now times out at") {
		t.Fatalf("refresh: %d calls\n%s", f.Calls("RefreshTimeout"), m.View())
	}
	// When it really has not started, the engine says it has no runtime.
	f.FailActions(fmt.Errorf("refresh timeout: task run not found: %w", client.ErrNotFound))
	m = step(t, m, press("t"))
	m = step(t, m, press("enter"))
	m = step(t, m, press("enter"))
	if !strings.Contains(m.View(), "the engine has no running attempt of wait-or") {
		t.Errorf("the engine's answer is not explained:\n%s", m.View())
	}
}

func TestRefreshIncrementIsCapped(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("t"))
	promptOf(m).field.SetValue("999999h")
	if !strings.Contains(m.View(), "999999h is more than hatchtop's cap of 24h") {
		t.Errorf("the cap is not shown as typed:\n%s", m.View())
	}
	m = step(t, m, press("enter"))
	if confirmOf(m) != nil || f.Calls("RefreshTimeout") != 0 || !strings.Contains(m.View(), "nothing was sent") {
		t.Errorf("999999h went on")
	}
}

// The wait a push was prepared for was satisfied meanwhile: the push
// would wake nothing of what the screen said, so it is not sent.
func TestPushForAWaitThatClosedIsNotSent(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("e"))
	m = step(t, m, press("ctrl+s"))
	if confirmOf(m) == nil || confirmOf(m).target != "t1" {
		t.Fatalf("confirmation %+v", confirmOf(m))
	}
	f.SetLog("t1") // satisfied
	m = step(t, m, press("enter"))
	if f.Calls("PushEvent") != 0 || !strings.Contains(m.View(), "send event: wait-or no longer waits on approve (its wait was satisfied or replaced); nothing was sent") {
		t.Errorf("%d pushes\n%s", f.Calls("PushEvent"), m.View())
	}
	// And a finished task is not pushed to either.
	m = step(t, m, press("e"))
	f.SetLog("t1", m.tasks["t1"].entries...)
	m = step(t, m, press("ctrl+s"))
	finishedIn(f, m.tasks["t1"].task, durable.StatusCancelled)
	m = step(t, m, press("enter"))
	if f.Calls("PushEvent") != 0 || !strings.Contains(m.View(), "send event: wait-or is cancelled; nothing was sent") {
		t.Errorf("%d pushes\n%s", f.Calls("PushEvent"), m.View())
	}
}

// A restore goes only if the engine still reads the task as evicted.
func TestRestoreChecksEvictionWithTheEngine(t *testing.T) {
	f, m := waitingModel(t, false)
	ev := m.tasks["t1"].task
	ev.Evicted = true
	m = step(t, m, listMsg{tasks: []durable.Task{ev, m.tasks["t2"].task}})
	m = step(t, m, press("r"))
	if confirmOf(m) == nil {
		t.Fatalf("no restore confirmation:\n%s", m.View())
	}
	m = step(t, m, press("enter")) // the fake still lists it running, not evicted
	if f.Calls("RestoreEvicted") != 0 || !strings.Contains(m.View(), "restore: wait-or is running, not evicted") {
		t.Errorf("%d restores\n%s", f.Calls("RestoreEvicted"), m.View())
	}
}

// A wait's key that the key field cannot hold as it is, is shown escaped
// and refused: never stripped and sent as a different key.
func TestWaitKeyWithControlCharactersIsShownEscapedAndRefused(t *testing.T) {
	f, m := waitingModel(t, false)
	f.SetLog("t1", eventEntry(1, "hostile", t0, "pay\x1b[31mment"))
	m.tasks["t1"].stale = true
	m = at(t, m, time.Second)
	m = step(t, m, press("e"))
	if formOf(m) == nil {
		t.Fatal("no form")
	}
	if got := formOf(m).key.Value(); got != `pay\x1b[31mment` {
		t.Errorf("the key field shows %q, want it escaped", got)
	}
	v := formText(m)
	if !strings.Contains(v, `the wait's key pay\x1b[31mment cannot be sent: key contains a control character (\x1b at byte 3)`) {
		t.Errorf("the form does not say why:\n%s", v)
	}
	m = step(t, m, press("ctrl+s"))
	if confirmOf(m) != nil || f.Calls("PushEvent") != 0 || !strings.Contains(m.View(), "nothing was sent") {
		t.Fatalf("a key different from the screen's went on: %+v", confirmOf(m))
	}
}

func TestTypedKeyWithASpaceIsRefused(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("e"))
	m = step(t, m, press("shift+tab")) // back to the prefilled key
	m = typeText(t, m, " now")
	if !strings.Contains(formText(m), "key contains a space (at byte 7); event keys have none") {
		t.Errorf("the space is not flagged:\n%s", m.View())
	}
	m = step(t, m, press("ctrl+s"))
	if confirmOf(m) != nil || f.Calls("PushEvent") != 0 {
		t.Fatal("a key with a space went on")
	}
}

func paste(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true} }

// A paste over the engine's 4 MiB limit is refused in the one Update
// that receives it, before it is stored anywhere.
func TestPasteOverTheLimitIsRefusedAtOnce(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("e"))
	big := `{"pad":"` + strings.Repeat("x", 5_000_000) + `"}`
	m = step(t, m, paste(big))
	if formOf(m).payload.Value() != "" || formOf(m).pasted != "" {
		t.Fatal("the over-limit paste was stored")
	}
	v := formText(m)
	if !strings.Contains(v, "the paste is 4.8 MiB (5000010 bytes); with it the payload would be 5000010 bytes, over the engine's 4.0 MiB (4194304 bytes) message limit; nothing was inserted") {
		t.Errorf("the refusal does not give the size:\n%s", v)
	}
	m = step(t, m, press("ctrl+s"))
	if confirmOf(m) == nil || string(confirmOf(m).event.Payload) != "{}" {
		t.Fatalf("the form should still send its own (empty) payload: %+v", confirmOf(m))
	}
	_ = f
}

// A big paste under the limit is held as it is, checked once, and sent
// byte for byte.
func TestBigPasteIsHeldAndSentExactly(t *testing.T) {
	f, m := waitingModel(t, false)
	m = step(t, m, press("e"))
	big := "{\n  \"pad\": \"" + strings.Repeat("y", 1<<20) + "\"\n}"
	m = step(t, m, paste(big))
	if formOf(m).pasted != big || formOf(m).payloadErr != nil {
		t.Fatalf("held %d bytes, err %v", len(formOf(m).pasted), formOf(m).payloadErr)
	}
	if v := m.View(); !strings.Contains(v, "pasted 1.0 MiB (1048591 bytes), held as it is") || !strings.Contains(v, "valid JSON") {
		t.Errorf("form:\n%s", v)
	}
	m = step(t, m, press("ctrl+s"))
	m = step(t, m, press("enter"))
	if f.Calls("PushEvent") != 1 || string(f.LastEvent().Payload) != big {
		t.Fatalf("pushed %d, payload of %d bytes", f.Calls("PushEvent"), len(f.LastEvent().Payload))
	}
	// Backspace clears a held paste.
	m = step(t, m, press("e"))
	m = step(t, m, paste(big))
	m = step(t, m, tea.KeyMsg{Type: tea.KeyBackspace})
	if formOf(m).pasted != "" || formOf(m).payloadText != "{}" {
		t.Errorf("backspace did not clear the paste")
	}
}

// A paste longer than the editor's 10000 lines would be cut silently by
// the editor: it is refused instead.
func TestPasteOverTheEditorsLinesIsRefused(t *testing.T) {
	_, m := waitingModel(t, false)
	m = step(t, m, press("e"))
	m = typeText(t, m, "{")
	m = step(t, m, paste(strings.Repeat("\n", preflight.MaxPayloadLines)+"}"))
	if formOf(m).payload.Value() != "{" || !strings.Contains(formText(m), "the editor holds 10000; it was not inserted") {
		t.Errorf("payload %q\n%s", formOf(m).payload.Value()[:min(10, len(formOf(m).payload.Value()))], m.View())
	}
}

// The other fields refuse a paste over the message limit at once too, and
// keep their verdicts between frames.
func TestMetadataPasteOverTheLimitAndVerdicts(t *testing.T) {
	_, m := waitingModel(t, false)
	m = step(t, m, press("e"))
	for range 2 { // from the payload: scope, then metadata
		m = step(t, m, press("tab"))
	}
	if formOf(m).focus != fieldMeta {
		t.Fatalf("focus %d", formOf(m).focus)
	}
	m = step(t, m, paste(strings.Repeat("m", preflight.MaxMessage+1)))
	if formOf(m).meta.Value() != "" || !strings.Contains(formText(m), "more than the engine's 4.0 MiB (4194304 bytes) message holds; nothing was inserted") {
		t.Errorf("metadata paste: %d chars stored\n%s", len(formOf(m).meta.Value()), formText(m))
	}
	m = typeText(t, m, `{"a": 1`)
	if formOf(m).metaErr == nil || !strings.Contains(formText(m), "metadata: invalid JSON") {
		t.Errorf("metadata verdict: %v", formOf(m).metaErr)
	}
	m = typeText(t, m, `}`)
	ev, err := formOf(m).event()
	if err != nil || ev.Metadata["a"] != "1" {
		t.Errorf("event %+v, %v", ev, err)
	}
}

// The payload is checked when it changes, not when it is drawn: after a
// change, drawing does not change the verdict it shows.
func TestPayloadVerdictIsKeptBetweenFrames(t *testing.T) {
	_, m := waitingModel(t, false)
	m = step(t, m, press("e"))
	m = typeText(t, m, "{")
	if formOf(m).payloadErr == nil || formOf(m).payloadText != "{" {
		t.Fatalf("verdict after typing: %q %v", formOf(m).payloadText, formOf(m).payloadErr)
	}
	m = typeText(t, m, "}")
	if formOf(m).payloadErr != nil || !strings.Contains(m.View(), "valid JSON") {
		t.Errorf("verdict after closing: %v", formOf(m).payloadErr)
	}
}

// BenchmarkPasteOverTheLimit is one Update receiving a 5 or 10 MB paste:
// it is refused on its size, in time linear in the paste (compare the two).
func BenchmarkPasteOverTheLimit(b *testing.B) {
	for _, mb := range []int{5, 10} {
		b.Run(fmt.Sprintf("%dMB", mb), func(b *testing.B) {
			m := formModel(b)
			msg := paste(`{"pad":"` + strings.Repeat("x", mb*1_000_000) + `"}`)
			b.ResetTimer()
			for range b.N {
				next := update(m, msg)
				if formOf(next).notice == "" || formOf(next).payloadSize != 0 {
					b.Fatal("not refused")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/paste")
		})
	}
}

// BenchmarkBigPasteFrame is one frame of the form holding a 3 MB paste:
// it does not grow with the paste.
func BenchmarkBigPasteFrame(b *testing.B) {
	m := formModel(b)
	m = update(m, paste(`{"pad":"`+strings.Repeat("x", 3_000_000)+`"}`))
	b.ResetTimer()
	for range b.N {
		_ = m.View()
	}
}

// formModel is a model with the send-event form open on its payload, for
// benchmarks (step needs a *testing.T).
func formModel(b *testing.B) Model {
	b.Helper()
	f := fake.New()
	f.SetTasks(durableTask("t1", "wait", -time.Minute))
	f.SetLog("t1", eventEntry(1, "approval", t0, "approve"))
	m := newTestModel(f)
	queue := []tea.Msg{startMsg{}}
	for n := 0; len(queue) > 0; n++ {
		if n > 1000 {
			b.Fatal("message loop does not settle")
		}
		next, cmd := m.Update(queue[0])
		m, queue = next.(Model), append(queue[1:], run(cmd)...)
	}
	m = update(m, press("e"))
	if formOf(m) == nil || formOf(m).focus != fieldPayload {
		b.Fatal("no form")
	}
	return m
}

// formText is the form's text lines, unwrapped.
func formText(m Model) string {
	var out []string
	for _, l := range formOf(m).lines(0) {
		out = append(out, l.Text)
	}
	return strings.Join(out, "\n")
}
