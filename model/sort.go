package model

import (
	"strings"

	"github.com/hatchtop/hatchtop/store"
	"github.com/hatchtop/hatchtop/ui"
)

// sortStep is one stop of the sort key's cycle: the store's key, the
// column that shows the arrow, and the direction it starts in (the one
// most often wanted: soonest deadline, A to Z, most attempts, longest
// running).
type sortStep struct {
	by   store.By
	col  ui.Column
	desc bool
	name string // for the help's note
}

// sortCycle is the order the sort key cycles through, from the default
// (newest first) and back to it.
var sortCycle = []sortStep{
	{by: store.ByCreated, name: "newest first"},
	{by: store.ByStatus, col: ui.ColumnStatus, name: "STATUS"},
	{by: store.ByTask, col: ui.ColumnTask, name: "TASK"},
	{by: store.ByWait, col: ui.ColumnWait, name: "WAIT"},
	{by: store.ByRemaining, col: ui.ColumnRemaining, name: "REMAINING"},
	{by: store.ByAttempt, col: ui.ColumnAttempt, desc: true, name: "ATTEMPT"},
	{by: store.ByTimeout, col: ui.ColumnTimeout, name: "TIMEOUT"},
	{by: store.ByElapsed, col: ui.ColumnElapsed, desc: true, name: "ELAPSED"},
}

func sortStepOf(by store.By) int {
	for i, s := range sortCycle {
		if s.by == by {
			return i
		}
	}
	return 0
}

// cycleSort moves the list to the next sort key, in its first direction.
func (m *Model) cycleSort() {
	next := sortCycle[(sortStepOf(m.index.Sort().By)+1)%len(sortCycle)]
	m.index.SetSort(store.Sort{By: next.by, Desc: next.desc})
	m.reorder()
}

// reverseSort turns the current key's order around; the default order
// has no key to reverse.
func (m *Model) reverseSort() {
	s := m.index.Sort()
	if s.By == store.ByCreated {
		return
	}
	s.Desc = !s.Desc
	m.index.SetSort(s)
	m.reorder()
}

// sortMark is the arrow the list's header shows.
func (m Model) sortMark() ui.SortMark {
	s := m.index.Sort()
	if s.By == store.ByCreated {
		return ui.SortMark{}
	}
	return ui.SortMark{On: true, Column: sortCycle[sortStepOf(s.By)].col, Desc: s.Desc}
}

// syncSortKeys hands the store the keys of a task that its summary does
// not hold, as its row shows them: the first open wait's title and sleep
// deadline, the time to timeout. It runs when those change (a log, the
// deadline rebuilt, a new summary), and the store re-sorts only if the key
// sorted by moved; Update then takes the new order (reorder).
func (m *Model) syncSortKeys(st *taskState) {
	var e store.Extra
	if len(st.waits) > 0 {
		e.Wait, e.SleepAt = st.waits[0].Title(), st.waits[0].Deadline
	}
	if at, ok := m.timeoutAt(st); ok {
		e.TimeoutAt = at
	}
	m.index.SetExtra(st.task.ID, e)
}

// sortNote is the help's line on the sort keys, from their bindings as
// the list's state enables them; short, as the help must fit 80x24.
func (m Model) sortNote() string {
	k := (&listScreen{}).keys(&m)
	if !k.Sort.Enabled() {
		return ""
	}
	names := make([]string, 0, len(sortCycle)-1)
	for _, s := range sortCycle[1:] {
		names = append(names, s.name)
	}
	return hints(hint(k.Sort, "sorts by "+strings.Join(names, ", ")+", then newest first again"),
		hint(k.SortReverse, "reverses")) + "; rows without the value stay last."
}
