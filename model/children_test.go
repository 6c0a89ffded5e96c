package model

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/keymap"
)

// childEngine is the fake engine with children by parent task.
type childEngine struct {
	*fake.Engine
	mu       sync.Mutex
	children map[string][]durable.Task
	err      error
	calls    int
}

func (c *childEngine) Children(_ context.Context, parent string, _ time.Time) ([]durable.Task, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	return c.children[parent], c.err
}

func (c *childEngine) asked() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

func runEntry(node int64, label string, inserted time.Time, workflow string, done bool) durable.Entry {
	e := durable.Entry{NodeID: node, BranchID: 1, Kind: durable.EntryRun, Label: label, InsertedAt: inserted, Satisfied: done,
		Conditions: []durable.Condition{{Kind: durable.CondChild, WorkflowName: workflow}}}
	if done {
		e.SatisfiedAt = inserted.Add(time.Minute)
	}
	return e
}

// A parent "orchestrate" that spawned two children: "nap" still waited
// on, "charge" finished; "nap" is its own task and names its parent.
func childFixture() *childEngine {
	f := fake.New()
	parent := durableTask("p1", "orchestrate", -5*time.Minute)
	nap := durableTask("c1", "nap", -3*time.Minute)
	charge := durableTask("c2", "charge", -4*time.Minute)
	charge.Status = durable.StatusCompleted
	f.SetTasks(parent, nap)
	f.SetLog("p1", runEntry(1, "charging", t0.Add(-4*time.Minute), "charge", true),
		runEntry(2, "child nap", t0.Add(-3*time.Minute), "nap", false))
	f.SetDetail("c1", durable.Detail{Task: nap, ParentTaskID: "p1"})
	f.SetDetail("p1", durable.Detail{Task: parent})
	f.SetLog("c1", sleepEntry(1, "napping", t0.Add(-3*time.Minute), 10*time.Minute))
	return &childEngine{Engine: f, children: map[string][]durable.Task{"p1": {charge, nap}}}
}

func openTask(t *testing.T, m Model, id string) Model {
	t.Helper()
	for i := 0; i < 10 && m.selectedID != id; i++ {
		m = step(t, m, press("j"))
	}
	if m.selectedID != id {
		t.Fatalf("cannot select %s", id)
	}
	return step(t, m, press("enter"))
}

// The children are read once when the detail opens, listed with their
// status and the parent's wait on each, and enter opens the picked one;
// the child names its parent and p comes back to it.
func TestChildrenListedAndOpened(t *testing.T) {
	c := childFixture()
	m := modelOn(t, c)
	m.height = 60
	if n := c.asked(); n != 0 {
		t.Fatalf("children asked %d times with no detail open", n)
	}
	m = openTask(t, m, "p1")
	if n := c.asked(); n != 1 {
		t.Fatalf("opening asked %d times, want 1", n)
	}
	view := m.View()
	for _, want := range []string{"children", "▸ charge", "completed · charge · wait \"charging\" done · c2",
		"nap", "running · nap · its wait \"napping\"", "waited on as \"child nap\" for 3m · c1", "enter open child",
		"child nap · run nap (c1) running"} {
		if !strings.Contains(view, want) {
			t.Errorf("view lacks %q:\n%s", want, view)
		}
	}
	for s := 1; s <= 30; s++ {
		m = at(t, m, time.Duration(s)*time.Second)
	}
	if n := c.asked(); n != 1 {
		t.Errorf("30 s with nothing changed asked %d times, want 1", n)
	}
	m = step(t, m, press("n"))
	if l := lineWith(m.View(), "· c1"); !strings.Contains(l, "▸ nap") {
		t.Errorf("n did not pick nap: %q", l)
	}
	m = step(t, m, press("enter"))
	d := m.detail()
	if d == nil || d.taskID != "c1" {
		t.Fatalf("enter opened %+v, want c1", d)
	}
	if view := m.View(); !strings.Contains(view, "parent task") || !strings.Contains(view, "p1") || !strings.Contains(view, "p open parent") {
		t.Errorf("child's view:\n%s", view)
	}
	m = step(t, m, press("p"))
	if d := m.detail(); d == nil || d.taskID != "p1" || len(m.stack) != 2 {
		t.Fatalf("p opened %+v over a stack of %d, want back to p1's detail", d, len(m.stack))
	}
}

// A child's finish, seen as its RUN entry satisfied in the parent's log,
// reads the children again; nothing else does.
func TestChildrenReadAgainOnFinish(t *testing.T) {
	c := childFixture()
	m := modelOn(t, c)
	m = openTask(t, m, "p1")
	nap := durableTask("c1", "nap", -3*time.Minute)
	nap.Status = durable.StatusCompleted
	c.mu.Lock()
	c.children["p1"][1] = nap
	c.mu.Unlock()
	c.SetLog("p1", runEntry(1, "charging", t0.Add(-4*time.Minute), "charge", true),
		runEntry(2, "child nap", t0.Add(-3*time.Minute), "nap", true))
	m = step(t, m, logMsg{taskID: "p1", entries: mustLog(t, c, "p1")})
	if n := c.asked(); n != 2 {
		t.Fatalf("a finished RUN entry asked %d times, want 2", n)
	}
	if view := m.View(); !strings.Contains(view, "completed · nap · wait \"child nap\" done") {
		t.Errorf("view:\n%s", view)
	}
}

func mustLog(t *testing.T, c *childEngine, id string) []durable.Entry {
	t.Helper()
	e, err := c.EventLog(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A token that may not see the children says so; the keys stay off.
func TestChildrenNotVisible(t *testing.T) {
	c := childFixture()
	c.err = engine.ErrUnauthorized
	m := modelOn(t, c)
	m = openTask(t, m, "p1")
	if view := m.View(); !strings.Contains(view, "not visible to this token") {
		t.Errorf("view:\n%s", view)
	}
	for s := 1; s <= 60; s++ {
		m = at(t, m, time.Duration(s)*time.Second)
	}
	if n := c.asked(); n != 1 {
		t.Errorf("a refusal was asked again %d times in a minute", n-1)
	}
	if k := m.top().bindings(&m).(keymap.Detail); k.OpenChild.Enabled() || k.Parent.Enabled() {
		t.Error("children keys on with no child")
	}
}

func TestChildrenGolden(t *testing.T) {
	c := childFixture()
	m := modelOn(t, c)
	m.width, m.height = 100, 40
	m = openTask(t, m, "p1")
	golden.RequireEqual(t, []byte(m.View()))
}

// A child that is a row takes its finish from the push, with no read of
// the children; the parent's own end reads them once more.
func TestChildFinishByPushAndParentEnd(t *testing.T) {
	c := childFixture()
	m := modelOn(t, c)
	m.height = 60
	m = openTask(t, m, "p1")
	// What onRunFinished does with a pushed finish (the fake has no watch).
	m.finish(m.tasks["c1"], durable.StatusCompleted)
	c.SetTasks(durableTask("p1", "orchestrate", -5*time.Minute)) // c1 has left the active list
	m = at(t, m, time.Second)
	if n := c.asked(); n != 1 {
		t.Errorf("the child's finish asked %d times, want still 1", n)
	}
	view := m.View()
	if l := lineWith(view, "· c1"); !strings.Contains(l, "completed · nap") {
		t.Errorf("the child's line after its finish: %q\n%s", l, view)
	}
	if !strings.Contains(lineWith(view, "· c1"), `wait "child nap" over: the child finished`) {
		t.Errorf("the parent's wait on the finished child: %q", lineWith(view, "· c1"))
	}
	if !strings.Contains(view, "run nap (c1) completed") {
		t.Errorf("the wait does not say the child finished:\n%s", view)
	}
	m.finish(m.tasks["p1"], durable.StatusCompleted)
	c.SetTasks()
	m = at(t, m, 2*time.Second)
	if n := c.asked(); n != 2 {
		t.Errorf("the parent's end asked %d times, want 2", n)
	}
}
