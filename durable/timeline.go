package durable

import "sort"

// TimelineItem is one line of a task's durable event log as a timeline:
// an entry, or a run of consecutive MEMO entries folded into one.
type TimelineItem struct {
	Entry      Entry // the entry; for a fold, its first entry
	Folded     int   // >1 when this item stands for that many MEMO entries
	LastNode   int64 // the last node of a fold
	Superseded bool  // replaced by a later branch
}

// Timeline orders every entry of every branch by node then branch, marks
// the ones a later branch replaced, and folds runs of MEMO entries of the
// same branch, which only record memoised values.
func Timeline(entries []Entry) []TimelineItem {
	current := map[Key]bool{}
	for _, e := range Current(entries) {
		current[e.Key()] = true
	}
	sorted := append([]Entry(nil), entries...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].NodeID != sorted[j].NodeID {
			return sorted[i].NodeID < sorted[j].NodeID
		}
		return sorted[i].BranchID < sorted[j].BranchID
	})
	var out []TimelineItem
	for _, e := range sorted {
		sup := !current[e.Key()]
		if n := len(out); n > 0 && e.Kind == EntryMemo {
			prev := &out[n-1]
			if prev.Entry.Kind == EntryMemo && prev.Entry.BranchID == e.BranchID && prev.Superseded == sup {
				prev.Folded = max(prev.Folded, 1) + 1
				prev.LastNode = e.NodeID
				continue
			}
		}
		out = append(out, TimelineItem{Entry: e, LastNode: e.NodeID, Superseded: sup})
	}
	return out
}
