package model

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/store"
)

// sleepers is three labelled sleeps created oldest to newest whose
// deadlines are in another order: the newest wakes first.
func sleepers(t *testing.T) (Model, *fake.Engine) {
	t.Helper()
	f := fake.New()
	f.SetTasks(durableTask("long", "charlie", -3*time.Minute), durableTask("mid", "alpha", -2*time.Minute),
		durableTask("short", "Bravo", -time.Minute))
	f.SetLog("long", sleepEntry(1, "nap long", t0.Add(-time.Minute), 10*time.Minute))
	f.SetLog("mid", sleepEntry(1, "nap mid", t0.Add(-time.Minute), 5*time.Minute))
	f.SetLog("short", sleepEntry(1, "nap short", t0.Add(-time.Minute), 2*time.Minute))
	return startedModel(t, f), f
}

func pressSort(t *testing.T, m Model, keys string) Model {
	t.Helper()
	for _, k := range keys {
		m = step(t, m, press(string(k)))
	}
	return m
}

// The header's title line, where the arrow is.
func titleLine(m Model) string { return strings.Split(m.View(), "\n")[2] }

// s walks the columns in their first direction and back to newest first;
// S reverses the column, and is off (not in the help) while there is none.
func TestSortKeyCyclesAndReverses(t *testing.T) {
	m, _ := sleepers(t)
	if got := m.shown; !slices.Equal(got, []string{"short", "mid", "long"}) {
		t.Fatalf("default order %v, want newest first", got)
	}
	if (&listScreen{}).keys(&m).SortReverse.Enabled() || strings.ContainsAny(titleLine(m), "↑↓") {
		t.Fatal("the default order offers a reverse or shows an arrow")
	}
	want := []string{"STATUS↑", "TASK↑", "WAIT↑", "REMAINING↑", "ATTEMPT↓", "TIMEOUT↑", "ELAPSED↓"}
	for i, w := range want {
		m = pressSort(t, m, "s")
		if !strings.Contains(titleLine(m), w) {
			t.Fatalf("press %d: titles %q lack %q", i+1, titleLine(m), w)
		}
		if !(&listScreen{}).keys(&m).SortReverse.Enabled() {
			t.Fatalf("press %d: reverse is off", i+1)
		}
	}
	m = pressSort(t, m, "s")
	if m.index.Sort() != (store.Sort{}) || strings.ContainsAny(titleLine(m), "↑↓") {
		t.Fatalf("the cycle does not end on newest first: %+v %q", m.index.Sort(), titleLine(m))
	}
	m = pressSort(t, m, "S") // nothing to reverse
	if m.index.Sort() != (store.Sort{}) {
		t.Fatalf("S reversed the default order: %+v", m.index.Sort())
	}

	m = pressSort(t, m, "ss") // TASK↑, case folded
	if got := m.shown; !slices.Equal(got, []string{"mid", "short", "long"}) {
		t.Fatalf("by task %v, want alpha, Bravo, charlie", got)
	}
	m = pressSort(t, m, "S")
	if got := m.shown; !slices.Equal(got, []string{"long", "short", "mid"}) || !strings.Contains(titleLine(m), "TASK↓") {
		t.Fatalf("by task reversed %v %q", got, titleLine(m))
	}
}

// A sort changes the order, not the selection: the cursor follows its task.
func TestSortKeepsTheSelectedTask(t *testing.T) {
	m, _ := sleepers(t)
	m = pressSort(t, m, "j") // mid
	if m.selectedID != "mid" {
		t.Fatalf("selected %q", m.selectedID)
	}
	m = pressSort(t, m, "ssss") // REMAINING↑: short, mid, long
	if m.selectedID != "mid" || m.shown[m.cursor] != "mid" || m.cursor != 1 {
		t.Fatalf("selected %q at %d after the sort, want mid at 1 (%v)", m.selectedID, m.cursor, m.shown)
	}
}

// Countdowns moving, sleeps running out and their logs read again do not
// move rows sorted by task: the keys are names, not what ticks.
func TestTicksDoNotReorderRowsSortedByTask(t *testing.T) {
	m, _ := sleepers(t)
	m = pressSort(t, m, "ss")
	want := slices.Clone(m.shown)
	for s := 1; s <= 400; s += 7 { // past every deadline: logs are fetched again
		m = at(t, m, time.Duration(s)*time.Second)
		if !slices.Equal(m.shown, want) {
			t.Fatalf("at t0+%ds the rows moved: %v, want %v", s, m.shown, want)
		}
		if !m.index.Sorted() {
			t.Fatalf("at t0+%ds the order is waiting to be sorted again", s)
		}
	}
}

// Sorted by REMAINING the rows follow the deadlines, and move when one
// does: a new, shorter sleep puts its task first; a sleep that ends (no
// open wait) goes last.
func TestSortByRemainingFollowsDeadlines(t *testing.T) {
	m, _ := sleepers(t)
	m = pressSort(t, m, "ssss")
	if got := m.shown; !slices.Equal(got, []string{"short", "mid", "long"}) {
		t.Fatalf("by remaining %v, want short, mid, long", got)
	}
	m = update(m, logMsg{taskID: "long", entries: []durable.Entry{sleepEntry(2, "quick nap", t0, 30*time.Second)}})
	if got := m.shown; !slices.Equal(got, []string{"long", "short", "mid"}) {
		t.Fatalf("after long's new 30s sleep %v, want long first", got)
	}
	m = update(m, logMsg{taskID: "short", entries: nil})
	if got := m.shown; !slices.Equal(got, []string{"long", "mid", "short"}) {
		t.Fatalf("after short's sleep ended %v, want it last", got)
	}
	m = pressSort(t, m, "S")
	if got := m.shown; !slices.Equal(got, []string{"mid", "long", "short"}) {
		t.Fatalf("reversed %v, want the latest deadline first and no sleep still last", got)
	}
}

// Sorted by TIMEOUT the rows follow the rebuilt execution deadline.
func TestSortByTimeoutFollowsTheDeadline(t *testing.T) {
	m, _ := sleepers(t)
	m = pressSort(t, m, "ssssss")
	for id, d := range map[string]time.Duration{"long": time.Minute, "short": time.Hour} {
		st := m.tasks[id]
		st.timeoutHint = t0.Add(d)
		m.rebuildDeadline(st)
	}
	m = update(m, tickMsg(t0.Add(time.Second)))
	if got := m.shown; !slices.Equal(got, []string{"long", "short", "mid"}) {
		t.Fatalf("by timeout %v, want long (1m), short (1h), mid (unknown)", got)
	}
}

// The sort reads what the filter lets through and survives list polls.
func TestSortUnderFilterAndPolls(t *testing.T) {
	m, _ := sleepers(t)
	m = pressSort(t, m, "ssss")
	m.filter.SetValue("nap")
	m.applyFilter()
	m = at(t, m, 3*time.Second) // a list poll at the refresh
	if got := m.shown; !slices.Equal(got, []string{"short", "mid", "long"}) {
		t.Fatalf("filtered and polled %v", got)
	}
	m.filter.SetValue("mid")
	m.applyFilter()
	if got := m.shown; !slices.Equal(got, []string{"mid"}) {
		t.Fatalf("filter %v", got)
	}
}

// Sorting changes nothing in the engine: it works read-only.
func TestSortWorksReadOnly(t *testing.T) {
	m, _ := sleepers(t)
	m.readOnly = true
	m = pressSort(t, m, "ssss")
	if !strings.Contains(titleLine(m), "REMAINING↑") {
		t.Fatalf("read-only: %q", titleLine(m))
	}
}

// The list sorted by REMAINING at 120 columns, with its help note. Run
// with -update to refresh.
func TestSortedListGolden(t *testing.T) {
	m, _ := sleepers(t)
	m.height = 10
	m = pressSort(t, m, "ssss")
	t.Run("list", func(t *testing.T) { golden.RequireEqual(t, []byte(m.View())) })
	if note := m.sortNote(); !strings.Contains(note, "s sorts by STATUS, TASK") ||
		!strings.Contains(note, "· S reverses") {
		t.Errorf("help note %q", note)
	}
}

// With no rows there is nothing to sort: s and S are off, not in the help,
// and pressing them does nothing. A filter that leaves no row is the same.
func TestSortIsOffOnAnEmptyList(t *testing.T) {
	m := startedModel(t, fake.New())
	k := (&listScreen{}).keys(&m)
	if k.Sort.Enabled() || k.SortReverse.Enabled() {
		t.Fatalf("sort %v, reverse %v on an empty list", k.Sort.Enabled(), k.SortReverse.Enabled())
	}
	m = pressSort(t, m, "sS")
	if got := m.index.Sort(); got != (store.Sort{}) {
		t.Errorf("s on an empty list sorted by %+v", got)
	}
	m = pressSort(t, m, "?")
	if v := m.View(); strings.Contains(v, "sort by next column") || strings.Contains(v, "sorts by STATUS") {
		t.Errorf("the help of an empty list offers the sort:\n%s", v)
	}

	m, _ = sleepers(t)
	m = pressSort(t, m, "s") // by STATUS, then a filter that matches nothing
	m.filter.SetValue("no such task")
	m.applyFilter()
	if k := (&listScreen{}).keys(&m); k.Sort.Enabled() || k.SortReverse.Enabled() {
		t.Fatal("sort is on with no row shown")
	}
	m = pressSort(t, m, "sS")
	if got := m.index.Sort(); got != (store.Sort{By: store.ByStatus}) {
		t.Errorf("s with no row shown moved the sort to %+v", got)
	}
}
