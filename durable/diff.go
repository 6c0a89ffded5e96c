package durable

// ChangeKind says how an entry changed between two fetches of a log.
type ChangeKind string

// Kinds of change between two snapshots of an event log.
const (
	Added       ChangeKind = "added"
	Satisfied   ChangeKind = "satisfied"
	Unsatisfied ChangeKind = "unsatisfied" // the engine may flip an entry back
	Removed     ChangeKind = "removed"
)

// Change is one difference between two snapshots of a task's log.
type Change struct {
	Kind  ChangeKind
	Entry Entry // the newer version, or the old one when Removed
}

// Diff lists what changed from old to cur, in cur's order followed by the
// removed entries in old's order. Equal logs give no changes.
func Diff(old, cur []Entry) []Change {
	before := make(map[Key]Entry, len(old))
	for _, e := range old {
		before[e.Key()] = e
	}
	var out []Change
	seen := make(map[Key]bool, len(cur))
	for _, e := range cur {
		seen[e.Key()] = true
		prev, ok := before[e.Key()]
		switch {
		case !ok:
			out = append(out, Change{Kind: Added, Entry: e})
		case e.Satisfied && !prev.Satisfied:
			out = append(out, Change{Kind: Satisfied, Entry: e})
		case !e.Satisfied && prev.Satisfied:
			out = append(out, Change{Kind: Unsatisfied, Entry: e})
		}
	}
	for _, e := range old {
		if !seen[e.Key()] {
			out = append(out, Change{Kind: Removed, Entry: e})
		}
	}
	return out
}

// NextDeadline is the open wait with the earliest deadline, if any wait has
// one. The scheduler refetches a task's log when it passes.
func NextDeadline(waits []Wait) (earliest Wait, ok bool) {
	for _, w := range waits {
		if w.Deadline.IsZero() {
			continue
		}
		if !ok || w.Deadline.Before(earliest.Deadline) {
			earliest, ok = w, true
		}
	}
	return earliest, ok
}
