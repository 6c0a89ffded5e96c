package model

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/hatchtop/hatchtop/attention"
	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/keymap"
)

// notifyModel is a started model with --notify writing into out.
func notifyModel(t *testing.T, f *fake.Engine, filter string, out *bytes.Buffer) Model {
	t.Helper()
	m := newTestModel(f)
	m.attn = newAttention(&Attention{Filter: attention.ParseFilter(filter), Out: out}, t0)
	return step(t, m, startMsg{})
}

func keyRune(r rune) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}} }

func TestNotifyOnANewEventWaitOnly(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "approve-old", -time.Hour), durableTask("t2", "sleeper", -time.Hour))
	// Stamped at start: an engine clock a little ahead of ours; the first
	// load is silent all the same.
	f.SetLog("t1", eventEntry(1, "awaiting old approval", t0, "order:approved"))
	f.SetLog("t2", sleepEntry(1, "nap", t0.Add(-time.Minute), time.Hour))
	var out bytes.Buffer
	m := notifyModel(t, f, "", &out)
	if out.Len() != 0 || m.tasks["t1"].logAt.IsZero() {
		t.Fatalf("the first load rang (or its logs were not read): %q", out.String())
	}
	if _, ok := m.attentionTarget(); ok || m.keys.List.Attention.Enabled() && (&listScreen{}).keys(&m).Attention.Enabled() {
		t.Fatal("the jump key is on with nothing notified")
	}
	if m = step(t, m, keyRune('a')); len(m.stack) != 1 {
		t.Fatal("the jump key opened something with nothing notified")
	}

	// A new run opens an event wait after start.
	f.SetTasks(durableTask("t1", "approve-old", -time.Hour), durableTask("t2", "sleeper", -time.Hour),
		durableTask("t3", "approve-new", 5*time.Second))
	f.SetLog("t3", eventEntry(1, "awaiting approval", t0.Add(6*time.Second), "order:approved"))
	m = at(t, m, 10*time.Second)
	want := "\a\x1b]9;hatchtop: approve-new: waits: awaiting approval (event order:approved)\a"
	if out.String() != want {
		t.Fatalf("wrote %q, want %q", out.String(), want)
	}
	if !strings.Contains(m.View(), "hatchtop: approve-new waits: awaiting approval") {
		t.Errorf("the footer does not say it:\n%s", m.View())
	}
	golden.RequireEqual(t, []byte(m.View()))

	// Its log read again (the selected row is polled) rings no more.
	for d := 12 * time.Second; d < 40*time.Second; d += 2 * time.Second {
		m = at(t, m, d)
	}
	if out.String() != want {
		t.Fatalf("rang again: %q", out.String())
	}

	// The key opens its detail; esc comes back to the list.
	if !(&listScreen{}).keys(&m).Attention.Enabled() {
		t.Fatal("the jump key is off with a notified wait open")
	}
	m = step(t, m, keyRune('a'))
	if d := m.detail(); d == nil || d.taskID != "t3" {
		t.Fatalf("the jump key opened %+v, want t3's detail", d)
	}
}

func TestNotifyFilterAndBurst(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t0", "first", -time.Hour))
	f.SetLog("t0", sleepEntry(1, "nap", t0.Add(-time.Minute), time.Hour))
	var out bytes.Buffer
	m := notifyModel(t, f, "approv,refund:", &out)

	f.SetTasks(durableTask("t0", "first", -time.Hour),
		durableTask("a", "by-label", time.Second), durableTask("b", "by-key", 2*time.Second),
		durableTask("c", "no-match", 3*time.Second), durableTask("d", "sleeps", 4*time.Second),
		durableTask("e", "approve-too", 4*time.Second))
	f.SetLog("a", eventEntry(1, "Needs APPROVAL", t0.Add(5*time.Second), "x"))
	f.SetLog("b", eventEntry(1, "", t0.Add(5*time.Second), "refund:ok"))
	f.SetLog("c", eventEntry(1, "payment", t0.Add(5*time.Second), "pay"))
	f.SetLog("d", sleepEntry(1, "approval later", t0.Add(5*time.Second), time.Hour))
	f.SetLog("e", eventEntry(1, "approve me", t0.Add(5*time.Second), "k"))
	m = at(t, m, 10*time.Second)
	// The first of a burst rings at once; the others wait for the gap.
	if n := strings.Count(out.String(), "\a\x1b]9;"); n != 1 {
		t.Fatalf("%d notifications at once for a burst: %q", n, out.String())
	}
	m = at(t, m, 11*time.Second)
	if n := strings.Count(out.String(), "\a\x1b]9;"); n != 1 {
		t.Fatalf("rang again inside the gap: %q", out.String())
	}
	// After it, one notification for the rest: the newest, counting the other.
	m = at(t, m, 10*time.Second+notifyGap)
	if n := strings.Count(out.String(), "\a\x1b]9;"); n != 2 || !strings.Contains(out.String(), "(and 1 more)") {
		t.Fatalf("after the gap: %q", out.String())
	}
	for _, never := range []string{"no-match", "sleeps", "approval later"} {
		if strings.Contains(out.String(), never) {
			t.Errorf("%q notified: %q", never, out.String())
		}
	}
	if got := len(m.attn.recent); got != 3 {
		t.Fatalf("%d notified waits kept, want 3 (by-label, by-key, approve-too)", got)
	}
}

func TestNotifyOffWritesNothing(t *testing.T) {
	if newAttention(nil, t0) != nil || newAttention(&Attention{}, t0) != nil {
		t.Fatal("no --notify, or no terminal to write to, must be off")
	}
	f := fake.New()
	f.SetTasks(durableTask("t1", "x", time.Second))
	f.SetLog("t1", eventEntry(1, "l", t0.Add(time.Second), "k"))
	m := startedModel(t, f)
	m = at(t, m, 5*time.Second)
	if m.keys.List.Attention.Enabled() && (&listScreen{}).keys(&m).Attention.Enabled() {
		t.Fatal("the jump key is on without --notify")
	}
}

func TestNotifyHostileLabelKeepsTheScreen(t *testing.T) {
	f := fake.New()
	var out bytes.Buffer
	m := notifyModel(t, f, "", &out)
	evil := "sign\x1b]9;forged\x07 \x1b[2J\u202eplease\u202c \u009c" + strings.Repeat("long ", 60)
	f.SetTasks(durableTask("t1", "evil\x1b[31m-task\a", time.Second))
	f.SetLog("t1", eventEntry(1, evil, t0.Add(2*time.Second), "k\x1b\\ey"))
	for _, w := range []int{80, 160} {
		m.width = w
		m = at(t, m, 5*time.Second)
		for i, l := range strings.Split(m.View(), "\n") {
			if ansi.StringWidth(l) >= w {
				t.Errorf("%d columns: line %d reaches the last column: %q", w, i, l)
			}
			if strings.ContainsAny(l, "\x1b\a\u202e\u009c") {
				t.Errorf("%d columns: line %d holds a control: %q", w, i, l)
			}
		}
	}
	if n := strings.Count(out.String(), "\x1b"); n != 1 || strings.Contains(out.String(), "forged") {
		t.Errorf("the notification holds more than its own sequence: %q", out.String())
	}
	m.width = 80
	golden.RequireEqual(t, []byte(m.View()))
}

func TestNotifyJumpFromTheInbox(t *testing.T) {
	f := fake.New()
	var out bytes.Buffer
	m := notifyModel(t, f, "", &out)
	f.SetTasks(durableTask("t1", "approve", time.Second), durableTask("t2", "other", 2*time.Second))
	f.SetLog("t1", eventEntry(1, "approve me", t0.Add(2*time.Second), "k"))
	f.SetLog("t2", sleepEntry(1, "nap", t0.Add(2*time.Second), time.Hour))
	m = at(t, m, 5*time.Second)
	m = step(t, m, keyRune('w'))
	if _, ok := topIs[*inboxScreen](m); !ok {
		t.Fatal("the inbox did not open")
	}
	if !m.top().bindings(&m).(keymap.Inbox).Attention.Enabled() {
		t.Fatal("the jump key is off in the inbox")
	}
	m = step(t, m, keyRune('a'))
	if d := m.detail(); d == nil || d.taskID != "t1" {
		t.Fatalf("the jump key opened %+v, want t1's detail", d)
	}
	m = step(t, m, tea.KeyMsg{Type: tea.KeyEsc})
	if _, ok := topIs[*inboxScreen](m); !ok {
		t.Fatal("esc did not go back to the inbox")
	}
}

// From a detail the jump key opens the notified task's detail in place
// of the open one: esc goes back to what was under it, and jumps do not
// pile up. It is off in the detail of that very task.
func TestNotifyJumpFromADetail(t *testing.T) {
	f := fake.New()
	f.SetTasks(durableTask("t1", "sleeper", -time.Hour))
	f.SetLog("t1", sleepEntry(1, "nap", t0.Add(-time.Minute), time.Hour))
	var out bytes.Buffer
	m := notifyModel(t, f, "", &out)
	m = step(t, m, tea.KeyMsg{Type: tea.KeyEnter})
	if d := m.detail(); d == nil || d.taskID != "t1" {
		t.Fatalf("enter opened %+v, want t1's detail", d)
	}
	f.SetTasks(durableTask("t1", "sleeper", -time.Hour), durableTask("t2", "approve", 5*time.Second))
	f.SetLog("t2", eventEntry(1, "approve me", t0.Add(6*time.Second), "k"))
	m = at(t, m, 10*time.Second)
	if out.Len() == 0 {
		t.Fatal("the new wait did not ring")
	}
	if !m.top().bindings(&m).(keymap.Detail).Attention.Enabled() {
		t.Fatal("the jump key is off in another task's detail")
	}
	m = step(t, m, keyRune('a'))
	if d := m.detail(); d == nil || d.taskID != "t2" || len(m.stack) != 2 {
		t.Fatalf("the jump key opened %+v over %d screens, want t2's detail in place of t1's", d, len(m.stack))
	}
	if m.top().bindings(&m).(keymap.Detail).Attention.Enabled() {
		t.Error("the jump key is on in the notified task's own detail")
	}
	m = step(t, m, keyRune('a'))
	if d := m.detail(); d == nil || d.taskID != "t2" || len(m.stack) != 2 {
		t.Fatalf("a in the notified task's detail changed the stack: %+v, %d screens", d, len(m.stack))
	}
	m = step(t, m, tea.KeyMsg{Type: tea.KeyEsc})
	if _, ok := topIs[*listScreen](m); !ok || m.selectedID != "t2" {
		t.Fatalf("esc did not go back to the list on t2: %T, %q", m.top(), m.selectedID)
	}
}

// At 80 columns the notification's footer keeps "a jumps to it" whole:
// the wait's text is cut to make room for it.
func TestNotifyFooterAt80Golden(t *testing.T) {
	f := fake.New()
	var out bytes.Buffer
	m := notifyModel(t, f, "", &out)
	m.width = 80
	f.SetTasks(durableTask("t3", "approve-new", 5*time.Second))
	f.SetLog("t3", eventEntry(1, "awaiting approval", t0.Add(6*time.Second), "order:approved"))
	m = at(t, m, 10*time.Second)
	lines := strings.Split(m.View(), "\n")
	footer := lines[len(lines)-1]
	if !strings.HasSuffix(footer, "· a jumps to it") || !strings.Contains(footer, "hatchtop: approve-new waits:") {
		t.Errorf("footer %q does not end with the jump hint", footer)
	}
	belowLastColumn(t, m.View(), 80)
	golden.RequireEqual(t, []byte(m.View()))
}
