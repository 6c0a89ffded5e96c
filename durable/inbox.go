package durable

import (
	"cmp"
	"slices"
	"time"
)

// SleepingGroup is the inbox group of waits that no event can end.
const SleepingGroup = "sleeping"

// Waiter is one open wait of one task, as the inbox lists it.
type Waiter struct {
	TaskID   string
	TaskName string
	Wait     Wait
}

// InboxGroup is the waits one event key would wake, or the pure sleeps.
type InboxGroup struct {
	Key      string // an event key, or SleepingGroup
	Sleeping bool
	Waiters  []Waiter // sorted by deadline (none last), then task name
	Labels   []string // distinct titles of its waits, in waiter order
	Next     time.Time
}

// Tasks is how many distinct tasks the group would wake.
func (g InboxGroup) Tasks() int {
	seen := map[string]bool{}
	for _, w := range g.Waiters {
		seen[w.TaskID] = true
	}
	return len(seen)
}

// Inbox groups every open wait by the event key that would satisfy it (a
// wait on an OR of two keys is in both groups) and puts pure sleeps under
// SleepingGroup. Event groups come first, most tasks first, then by key;
// the sleeping group is last. Within a group waiters are by deadline.
func Inbox(waiters []Waiter) []InboxGroup {
	byKey := map[string]*InboxGroup{}
	var keys []string
	add := func(key string, sleeping bool, w Waiter) {
		g, ok := byKey[key]
		if !ok {
			g = &InboxGroup{Key: key, Sleeping: sleeping}
			byKey[key] = g
			keys = append(keys, key)
		}
		g.Waiters = append(g.Waiters, w)
	}
	for _, w := range waiters {
		if len(w.Wait.EventKeys) == 0 {
			if w.Wait.Sleep > 0 {
				add(SleepingGroup, true, w)
			}
			continue
		}
		for _, k := range w.Wait.EventKeys {
			add(k, false, w)
		}
	}
	groups := make([]InboxGroup, 0, len(keys))
	for _, k := range keys {
		g := byKey[k]
		slices.SortStableFunc(g.Waiters, func(a, b Waiter) int {
			if c := compareDeadlines(a.Wait.Deadline, b.Wait.Deadline); c != 0 {
				return c
			}
			return cmp.Compare(a.TaskName, b.TaskName)
		})
		for _, w := range g.Waiters {
			if t := w.Wait.Title(); !slices.Contains(g.Labels, t) {
				g.Labels = append(g.Labels, t)
			}
			if !w.Wait.Deadline.IsZero() && (g.Next.IsZero() || w.Wait.Deadline.Before(g.Next)) {
				g.Next = w.Wait.Deadline
			}
		}
		groups = append(groups, *g)
	}
	slices.SortStableFunc(groups, func(a, b InboxGroup) int {
		if a.Sleeping != b.Sleeping {
			if a.Sleeping {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(b.Tasks(), a.Tasks()); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return groups
}

// compareDeadlines orders times with the zero time (no deadline) last.
func compareDeadlines(a, b time.Time) int {
	switch {
	case a.IsZero() && b.IsZero():
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}

// TimeoutRisk says whether a waiting task may time out before its wait
// ends: its time to timeout is shorter than the remaining sleep, or under
// threshold while it waits. Evicted tasks count: their timeout keeps
// running in this engine version.
func TimeoutRisk(timeoutAt time.Time, waits []Wait, now time.Time, threshold time.Duration) bool {
	if timeoutAt.IsZero() || len(waits) == 0 {
		return false
	}
	left := timeoutAt.Sub(now)
	if left < threshold {
		return true
	}
	if w, ok := NextDeadline(waits); ok && timeoutAt.Before(w.Deadline) {
		return true
	}
	return false
}
