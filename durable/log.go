package durable

import (
	"sort"
	"time"
)

// EntryKind is the kind of a durable event-log entry.
type EntryKind string

// Entry kinds written by the engine.
const (
	EntryRun     EntryKind = "RUN"
	EntryWaitFor EntryKind = "WAIT_FOR"
	EntryMemo    EntryKind = "MEMO"
)

// ConditionKind is what one wait condition waits on.
type ConditionKind string

// Condition kinds in a wait's data.
const (
	CondSleep ConditionKind = "SLEEP"
	CondEvent ConditionKind = "USER_EVENT"
	CondChild ConditionKind = "CHILD_WORKFLOW"
)

// Condition is one thing a wait waits on. Or, when set, makes it a group of
// alternatives (any one satisfies it) and the other fields are empty.
type Condition struct {
	Kind         ConditionKind
	Sleep        time.Duration // for CondSleep; 0 when the engine could not parse it
	EventKey     string        // for CondEvent, already namespaced
	WorkflowName string        // for CondChild
	Or           []Condition
}

// IsOr reports whether the condition is an OR group.
func (c Condition) IsOr() bool { return len(c.Or) > 0 }

// Entry is one durable event-log entry. The top-level Conditions must all be
// satisfied (AND); each may itself be an OR group.
type Entry struct {
	NodeID      int64
	BranchID    int64
	Kind        EntryKind
	Label       string // the wait label (userMessage); may be empty
	InsertedAt  time.Time
	Satisfied   bool
	SatisfiedAt time.Time // zero while unsatisfied
	Conditions  []Condition
}

// Key identifies an entry within its task's log.
type Key struct {
	Branch int64
	Node   int64
}

// Key returns the entry's identity.
func (e Entry) Key() Key { return Key{Branch: e.BranchID, Node: e.NodeID} }

// Current drops entries superseded by a later branch and returns the rest
// ordered by node. A branch B starts at the smallest node id among its
// entries; entries of earlier branches at or after that node were replaced.
func Current(entries []Entry) []Entry {
	start := map[int64]int64{} // branch -> first node
	for _, e := range entries {
		if n, ok := start[e.BranchID]; !ok || e.NodeID < n {
			start[e.BranchID] = e.NodeID
		}
	}
	out := make([]Entry, 0, len(entries))
	for _, e := range entries {
		if !superseded(e, start) {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].NodeID != out[j].NodeID {
			return out[i].NodeID < out[j].NodeID
		}
		return out[i].BranchID < out[j].BranchID
	})
	return out
}

func superseded(e Entry, start map[int64]int64) bool {
	for b, n := range start {
		if b > e.BranchID && e.NodeID >= n {
			return true
		}
	}
	return false
}
