package model

import (
	"fmt"
	"strconv"
)

// count is "1 task", "3 tasks": plain English in place of "task(s)".
// Every noun hatchtop counts takes an s.
//
// TODO(ui.Count): the ui branch adds ui.Count(n, noun); use it once merged.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// entryRef names an entry of the durable event log in words: "node 3" on
// the first branch, "branch 2 node 3" on a later one.
func entryRef(branch, node int64) string {
	if branch <= 1 {
		return fmt.Sprintf("node %d", node)
	}
	return fmt.Sprintf("branch %d node %d", branch, node)
}
