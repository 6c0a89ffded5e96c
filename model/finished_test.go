package model

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
)

// finishedModel lists three running tasks: t1 (newest), t2, t3.
func finishedModel(t *testing.T) (*fake.Engine, Model) {
	t.Helper()
	f := fake.New()
	f.SetTasks(durableTask("t1", "charge", -time.Minute), durableTask("t2", "ship", -2*time.Minute),
		durableTask("t3", "notify", -3*time.Minute))
	for _, id := range []string{"t1", "t2", "t3"} {
		f.SetLog(id, sleepEntry(1, "nap", t0, time.Hour))
	}
	return f, startedModel(t, f)
}

// ended is a task as the engine reads it once it finished.
func ended(task durable.Task, s durable.Status, ran time.Duration, errText string) durable.Detail {
	task.Status = s
	return durable.Detail{Task: task, FinishedAt: task.StartedAt.Add(ran), Error: errText}
}

// finRow is the line of the list that names the task.
func finRow(view, name string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, " "+name+" ") {
			return l
		}
	}
	return ""
}

func TestAPushedFinishKeepsTheRowMarkedWithItsDurationAndIsNotPolled(t *testing.T) {
	f, m := finishedModel(t)
	f.SetDetail("t1", ended(m.tasks["t1"].task, durable.StatusCompleted, 42*time.Second, ""))
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskCompleted, RunID: "t1", TaskID: "t1"}))
	f.SetTasks(m.tasks["t2"].task, m.tasks["t3"].task) // the list no longer returns it
	logs, events := f.Calls("EventLog:t1"), f.Calls("TaskEvents:t1")
	for d := time.Second; d <= time.Minute; d += time.Second {
		m = at(t, m, d)
	}
	row := finRow(m.View(), "charge")
	if !strings.Contains(row, "✔ completed") || !strings.Contains(row, "42s") {
		t.Fatalf("the finished row is not kept marked with its duration: %q\n%s", row, m.View())
	}
	if n := f.Calls("TaskDetail:t1"); n != 1 {
		t.Errorf("the finished row was read %d times, want once", n)
	}
	if f.Calls("EventLog:t1") != logs || f.Calls("TaskEvents:t1") != events {
		t.Errorf("a finished task was polled: logs %d -> %d, events %d -> %d",
			logs, f.Calls("EventLog:t1"), events, f.Calls("TaskEvents:t1"))
	}
	if !strings.Contains(m.View(), "2 active, 1 finished") {
		t.Errorf("the header does not count the finished task:\n%s", m.View())
	}
}

func TestAFinishedTaskLeavesWhenItsWindowExpires(t *testing.T) {
	f, m := finishedModel(t)
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskCompleted, RunID: "t1", TaskID: "t1"}))
	f.SetTasks(m.tasks["t2"].task, m.tasks["t3"].task)
	m = at(t, m, DefaultFinishedWindow-time.Second)
	if st, ok := m.tasks["t1"]; !ok || !st.finished() {
		t.Fatal("the finished task left before its window")
	}
	m = at(t, m, DefaultFinishedWindow)
	if _, ok := m.tasks["t1"]; ok {
		t.Fatal("the finished task is still listed after its window")
	}
	if strings.Contains(m.View(), "charge") || strings.Contains(m.View(), "finished") {
		t.Errorf("the expired row is still drawn:\n%s", m.View())
	}
}

func TestTheWindowIsConfigurable(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "charge", -time.Minute))
	d := newTestModel(f)
	m := New(Deps{Engine: f, Since: d.since, Refresh: d.refresh, Now: t0, Styles: d.styles, Keys: d.keys,
		WholeList: true, Finished: time.Hour})
	m.tick, m.width, m.height = d.tick, d.width, d.height
	m = step(t, m, startMsg{})
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskFailed, RunID: "t1", TaskID: "t1"}))
	f.SetTasks()
	m = at(t, m, 59*time.Minute)
	if _, ok := m.tasks["t1"]; !ok {
		t.Fatal("a 1h window let the task go after 59m")
	}
	m = at(t, m, time.Hour)
	if _, ok := m.tasks["t1"]; ok {
		t.Fatal("a 1h window kept the task after 1h")
	}
}

func TestDismissDropsTheSelectedFinishedRowOnly(t *testing.T) {
	_, m := finishedModel(t)
	m = step(t, m, press("d")) // t1, running: nothing
	if _, ok := m.tasks["t1"]; !ok {
		t.Fatal("dismiss dropped an active task")
	}
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskCancelled, RunID: "t1", TaskID: "t1"}))
	if !strings.Contains(finRow(m.View(), "charge"), "⊘ cancelled") {
		t.Fatalf("no cancelled row:\n%s", m.View())
	}
	m = step(t, m, press("d"))
	if _, ok := m.tasks["t1"]; ok || strings.Contains(m.View(), "charge") {
		t.Fatalf("dismiss kept the finished row:\n%s", m.View())
	}
}

func TestTheToggleShowsBothThenActiveThenFinished(t *testing.T) {
	_, m := finishedModel(t)
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskCompleted, RunID: "t2", TaskID: "t2"}))
	names := func() (out []string) {
		for _, id := range m.shown {
			out = append(out, id)
		}
		return out
	}
	if got := strings.Join(names(), ","); got != "t1,t2,t3" {
		t.Fatalf("both: %s", got)
	}
	m = step(t, m, press("F"))
	if got := strings.Join(names(), ","); got != "t1,t3" || !strings.Contains(m.View(), "showing active only") {
		t.Fatalf("active only: %s\n%s", got, m.View())
	}
	m = step(t, m, press("F"))
	if got := strings.Join(names(), ","); got != "t2" || !strings.Contains(m.View(), "showing finished only") {
		t.Fatalf("finished only: %s\n%s", got, m.View())
	}
	m = step(t, m, press("F"))
	if got := strings.Join(names(), ","); got != "t1,t2,t3" || strings.Contains(m.View(), "showing") {
		t.Fatalf("both again: %s\n%s", got, m.View())
	}
}

func TestTheNextFailureKeyAndTheHeaderCount(t *testing.T) {
	f, m := finishedModel(t)
	f.SetDetail("t2", ended(m.tasks["t2"].task, durable.StatusFailed, 5*time.Second, "card declined: insufficient funds\n  at charge (worker.ts:12)"))
	f.SetDetail("t3", ended(m.tasks["t3"].task, durable.StatusFailed, 30*time.Second, "task timed out after 30s"))
	if strings.Contains(m.View(), "failed") {
		t.Fatalf("a failure count with no failure:\n%s", m.View())
	}
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskFailed, RunID: "t2", TaskID: "t2"}))
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskFailed, RunID: "t3", TaskID: "t3"}))
	v := m.View()
	if !strings.Contains(v, "✘ failed 2") {
		t.Errorf("the header does not count the failures:\n%s", v)
	}
	if row := finRow(v, "ship"); !strings.Contains(row, "✘ failed") || !strings.Contains(row, "card declined: insufficient funds") || strings.Contains(row, "worker.ts") {
		t.Errorf("the failed row does not show its error's first line: %q", row)
	}
	if row := finRow(v, "notify"); !strings.Contains(row, "⏱ timed out") || !strings.Contains(row, "30s") {
		t.Errorf("the timed-out row: %q", row)
	}
	if m.selectedID != "t1" {
		t.Fatalf("selected %s", m.selectedID)
	}
	for _, want := range []string{"t2", "t3", "t2"} { // wraps around
		m = step(t, m, press("!"))
		if m.selectedID != want {
			t.Fatalf("next failure selected %s, want %s", m.selectedID, want)
		}
	}
	m = step(t, m, press("d"))
	if !strings.Contains(m.View(), "✘ failed 1") {
		t.Errorf("the count does not follow a dismiss:\n%s", m.View())
	}
}

// A task the list stops returning with no push: its status is read once,
// and the row says what the engine says.
func TestAMissedFinishIsReadOnceAndMarked(t *testing.T) {
	f, m := finishedModel(t)
	f.SetDetail("t1", ended(m.tasks["t1"].task, durable.StatusFailed, 10*time.Second, "boom"))
	f.SetTasks(m.tasks["t2"].task, m.tasks["t3"].task)
	for d := time.Second; d <= 10*time.Second; d += time.Second {
		m = at(t, m, d)
	}
	if row := finRow(m.View(), "charge"); !strings.Contains(row, "✘ failed") || !strings.Contains(row, "boom") {
		t.Fatalf("a missed finish is not marked from its read: %q\n%s", row, m.View())
	}
	if n := f.Calls("TaskDetail:t1"); n != 1 {
		t.Errorf("read %d times, want once", n)
	}
	// The engine does not know one at all: it leaves.
	f.SetTasks(m.tasks["t3"].task)
	for d := 11 * time.Second; d <= 20*time.Second; d += time.Second {
		m = at(t, m, d)
	}
	if _, ok := m.tasks["t2"]; ok {
		t.Error("a task the engine does not know is still listed")
	}
}

// A retried failure: the feed says FAILED, the next poll has it queued.
func TestAFailureTheEngineRetriesIsActiveAgain(t *testing.T) {
	f, m := finishedModel(t)
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskFailed, RunID: "t1", TaskID: "t1"}))
	again := m.tasks["t1"].task
	again.Status, again.Attempt = durable.StatusQueued, 2
	f.SetTasks(again, m.tasks["t2"].task, m.tasks["t3"].task)
	m = at(t, m, 3*time.Second)
	if st := m.tasks["t1"]; st.finished() || st.task.Status != durable.StatusQueued {
		t.Fatalf("a retried task is still finished: %+v", st.task)
	}
	if strings.Contains(m.View(), "failed") {
		t.Errorf("the failure is still counted:\n%s", m.View())
	}
}

// The golden of the list with finished rows: completed, failed with its
// error's first line, timed out, cancelled, and active ones.
func TestFinishedRowsGolden(t *testing.T) {
	f, m := finishedModel(t)
	f.SetDetail("t1", ended(m.tasks["t1"].task, durable.StatusCompleted, 42*time.Second, ""))
	f.SetDetail("t2", ended(m.tasks["t2"].task, durable.StatusFailed, 5*time.Second, "card declined: insufficient funds\nstack"))
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskCompleted, RunID: "t1", TaskID: "t1"}))
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskFailed, RunID: "t2", TaskID: "t2"}))
	m = at(t, m, time.Second)
	for _, w := range []int{80, 160} {
		m.width = w
		t.Run(fmt.Sprint(w), func(t *testing.T) { golden.RequireEqual(t, []byte(m.View())) })
	}
}

func TestTheErrorLineIsTheMessagesFirstLine(t *testing.T) {
	for in, want := range map[string]string{
		"card declined\nat x":    "card declined",
		"\n  \n boom \x1b[31m\n": "boom",
		`{"message":"rejected: card declined\nsecond","stack":"Error"}`: "rejected: card declined",
		`{"other":1}`: `{"other":1}`,
		"":            "",
	} {
		if got := errFirstLine(in); got != want {
			t.Errorf("errFirstLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// v0.105.0 leaves a timed-out task's error empty: its TIMED_OUT event says it.
func TestATimeoutWithNoMessageReadsFromItsEvent(t *testing.T) {
	f, m := finishedModel(t)
	d := ended(m.tasks["t1"].task, durable.StatusFailed, 30*time.Second, "")
	d.Events = []durable.TaskEvent{{Type: "TIMED_OUT", Message: "Task exceeded timeout of 30s"}}
	f.SetDetail("t1", d)
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskFailed, RunID: "t1", TaskID: "t1"}))
	if row := finRow(m.View(), "charge"); !strings.Contains(row, "⏱ timed out") || !strings.Contains(row, "Task exceeded timeout of 30s") {
		t.Errorf("the timed-out row: %q", row)
	}
}

// A finished task waits for nothing: the inbox no longer counts it.
func TestAFinishedTaskLeavesTheInbox(t *testing.T) {
	m := inboxModel(t)
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskCompleted, RunID: "t1", TaskID: "t1"}))
	m = step(t, m, press("w"))
	g, _ := m.selectedGroup()
	if g.Key != "payment:confirmed" || len(g.Waiters) != 1 || g.Waiters[0].TaskID != "t2" {
		t.Fatalf("the inbox still counts the finished task: %+v", g)
	}
}

// An error's text is the engine's: escapes and controls never reach the screen.
func TestAHostileErrorLineIsCleaned(t *testing.T) {
	f, m := finishedModel(t)
	f.SetDetail("t1", ended(m.tasks["t1"].task, durable.StatusFailed, time.Second, "\x1b[2J\x1b]0;pwned\x07bad\u202e news\r\nmore"))
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskFailed, RunID: "t1", TaskID: "t1"}))
	v := m.View()
	row := finRow(v, "charge")
	if strings.ContainsAny(v, "\x1b\x07\r\u202e") || !strings.Contains(row, "bad news") || strings.Contains(row, "more") {
		t.Errorf("the error line is not cleaned: %q", row)
	}
}

// A finished row takes a replay, not a cancel or a timeout refresh.
func TestAFinishedRowOffersReplayNotCancel(t *testing.T) {
	_, m := finishedModel(t)
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskCompleted, RunID: "t1", TaskID: "t1"}))
	k := (&listScreen{}).keys(&m)
	if k.Cancel.Enabled() || k.Timeout.Enabled() || !k.Replay.Enabled() || !k.Dismiss.Enabled() {
		t.Errorf("keys of a finished row: cancel %v, timeout %v, replay %v, dismiss %v",
			k.Cancel.Enabled(), k.Timeout.Enabled(), k.Replay.Enabled(), k.Dismiss.Enabled())
	}
}

// The open detail of a task that finishes reads its log once more, so its
// timeline shows how the last wait ended; nothing more is polled.
func TestTheOpenDetailOfAFinishedTaskReadsItsLogOnce(t *testing.T) {
	f, m := finishedModel(t)
	m.openDetail() // t1, the newest, is selected
	m = ticks(t, m, time.Second, 3*time.Second)
	satisfied := sleepEntry(1, "nap", t0, time.Hour)
	satisfied.Satisfied = true
	f.SetLog("t1", satisfied)
	f.SetDetail("t1", ended(m.tasks["t1"].task, durable.StatusCompleted, 42*time.Second, ""))
	logs := f.Calls("EventLog:t1")
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskCompleted, RunID: "t1", TaskID: "t1"}))
	f.SetTasks(m.tasks["t2"].task, m.tasks["t3"].task) // the list no longer returns it
	m = ticks(t, m, 4*time.Second, time.Minute)
	if n := f.Calls("EventLog:t1") - logs; n != 1 {
		t.Fatalf("the open detail of the finished task read its log %d times after the finish, want once", n)
	}
	if d := m.detail(); d == nil || len(d.entries) != 1 || !d.entries[0].Satisfied {
		t.Fatalf("the detail's timeline does not show the wait satisfied: %+v", d)
	}
	if len(m.tasks["t1"].waits) != 0 {
		t.Errorf("the final read reopened the finished task's waits: %v", m.tasks["t1"].waits)
	}
}

// REST may still show the wait open when the finish is pushed: the open
// detail reads the log again, 2 s apart, until it shows the wait ended,
// three times at most.
func TestTheOpenDetailOfAFinishedTaskReadsAgainWhileTheLogLags(t *testing.T) {
	f, m := finishedModel(t)
	f.SetLog("t1", eventEntry(1, "approval", t0, "approve"))
	m.openDetail() // t1
	m = ticks(t, m, time.Second, 3*time.Second)
	f.SetDetail("t1", ended(m.tasks["t1"].task, durable.StatusCompleted, 42*time.Second, ""))
	logs := f.Calls("EventLog:t1")
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskCompleted, RunID: "t1", TaskID: "t1"}))
	f.SetTasks(m.tasks["t2"].task, m.tasks["t3"].task)
	m = ticks(t, m, 4*time.Second, 5*time.Second) // the first read still shows it waiting
	satisfied := eventEntry(1, "approval", t0, "approve")
	satisfied.Satisfied = true
	f.SetLog("t1", satisfied)
	m = ticks(t, m, 6*time.Second, time.Minute)
	if n := f.Calls("EventLog:t1") - logs; n < 2 || n > finalLogReads {
		t.Fatalf("the open detail read the finished task's log %d times, want 2 to %d", n, finalLogReads)
	}
	if d := m.detail(); d == nil || len(d.entries) != 1 || !d.entries[0].Satisfied {
		t.Fatalf("the detail's timeline does not show the wait satisfied: %+v", d)
	}
}

// A key that is not in the hints does nothing: on a finished row (in the
// list and in its detail) the actions that cannot apply to it open no
// dialog and say nothing; the replay still does.
func TestTheActionsOffForAFinishedRowDoNothing(t *testing.T) {
	f, m := finishedModel(t)
	f.SetDetail("t1", ended(m.tasks["t1"].task, durable.StatusCompleted, 42*time.Second, ""))
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskCompleted, RunID: "t1", TaskID: "t1"}))
	if m.selectedID != "t1" || !m.tasks["t1"].finished() {
		t.Fatalf("selected %q, finished %v", m.selectedID, m.tasks["t1"].finished())
	}
	nothing := func(where string, m Model, keys ...string) {
		t.Helper()
		for _, k := range keys {
			before := len(m.stack)
			m.toast = toast{}
			m = step(t, m, press(k))
			if len(m.stack) != before || m.toast.text != "" {
				t.Errorf("%s: %s on a finished task opened %T or said %q", where, k, m.top(), m.toast.text)
			}
		}
	}
	nothing("list", m, "c", "t", "r")
	if m = step(t, m, press("R")); confirmOf(m) == nil {
		t.Fatal("R opened no replay confirmation for a finished row")
	}
	m = step(t, m, press("esc"))
	m = step(t, m, press("enter"))
	if d := m.detail(); d == nil || d.taskID != "t1" {
		t.Fatalf("no detail of t1: %+v", d)
	}
	nothing("detail", m, "c", "t", "r")
	m = step(t, m, press("2"))
	nothing("timeline", m, "b")
}

// The TypeScript SDK reports an error as JSON with its message and stack:
// the data tab shows them as text, the message wrapped to be read whole.
func TestTheDataTabShowsAnSDKErrorAsText(t *testing.T) {
	f, m := finishedModel(t)
	sdk := `{"message":"order 1042 rejected: the card was declined by the issuer after three attempts, see the payment provider's dashboard\nsecond line","stack":"Error: order 1042 rejected\n    at charge (/app/worker.ts:42:11)\n    at run (/app/worker.ts:90:3)"}`
	f.SetDetail("t1", ended(m.tasks["t1"].task, durable.StatusFailed, 42*time.Second, sdk))
	m = step(t, m, feedEvent(durable.RunEvent{Kind: durable.TaskFailed, RunID: "t1", TaskID: "t1"}))
	m.width, m.height = 80, 24
	m = step(t, m, press("enter"))
	m = step(t, m, press("5"))
	out := m.View()
	if strings.Contains(out, `{"message"`) {
		t.Errorf("the raw JSON is on screen:\n%s", out)
	}
	for _, want := range []string{"provider's dashboard", "second line", "at charge (/app/worker.ts:42:11)"} {
		if !strings.Contains(out, want) {
			t.Errorf("%q is not on screen:\n%s", want, out)
		}
	}
	golden.RequireEqual(t, []byte(out))
}
