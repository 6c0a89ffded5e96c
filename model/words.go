package model

import "fmt"

// entryRef names an entry of the durable event log in words: "node 3" on
// the first branch, "branch 2 node 3" on a later one.
func entryRef(branch, node int64) string {
	if branch <= 1 {
		return fmt.Sprintf("node %d", node)
	}
	return fmt.Sprintf("branch %d node %d", branch, node)
}
