package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// A worker with many actions and hostile text: the actions wrap on at
// most three lines, nothing raw reaches the screen, no line reaches the
// last column. Run with -update to refresh.
func TestWorkersTableGoldens(t *testing.T) {
	var actions []string
	for i := range 14 {
		actions = append(actions, fmt.Sprintf("workflow-%02d:task-%02d", i, i))
	}
	actions[3] = "evil:\x1b]0;pwned\x07\u202eaction"
	rows := []WorkerRow{
		{Name: "hatchtop-demo", Status: "ACTIVE", Heartbeat: "1s ago", Slots: "0/50", Durable: "7/500", Actions: actions, Tasks: 2, Selected: true,
			Evicted: 2, TaskLines: []WorkerTask{
				{Task: "sleep-labelled-1", Workflow: "sleep-labelled", Status: "running", Elapsed: "3m", Wait: "\x1b[31mred label\x1b[0m", Selected: true},
				{Task: "wait-event-1", Workflow: "wait-event", Status: "running", Elapsed: "1m", Wait: "awaiting payment"},
			}},
		{Name: "spare\x1b[2J", Status: "INACTIVE\x1b[5m", Heartbeat: "3h ago", Slots: "?/2", Tasks: 0},
	}
	for _, width := range []int{80, 160} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			st := plainStyles()
			title, n := WorkersTitle("2 workers · every 5s while open", "list workers: the engine at http://x rejected the token (HTTP 403: you may not list the workers of this tenant, ask its owner)", width, st)
			out := title + "\n" + WorkersTable(rows, 0, width, 14-n, "", st)
			for i, l := range strings.Split(out, "\n") {
				if w := safeWidth(l); w >= width {
					t.Errorf("line %d is %d wide at %d: %q", i, w, width, l)
				}
			}
			if strings.ContainsAny(out, "\x1b\x07\u202e") {
				t.Errorf("raw control characters: %q", out)
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}
