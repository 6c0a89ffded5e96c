package ui

import (
	"strconv"
	"strings"

	"github.com/hatchtop/hatchtop/durable"
)

// WorkersChromeHeight is the lines around the workers table: the two
// header lines, the screen's title line and the footer.
const WorkersChromeHeight = 4

// WorkerRow is one worker of the workers screen, in words already made
// (durations, slot counts); names and actions are the engine's text and
// are cleaned here. Under the selected worker its detail lines follow.
type WorkerRow struct {
	Name      string
	Status    string // ACTIVE, INACTIVE, PAUSED
	Heartbeat string // "2s ago"
	Slots     string // "2/5" used/total, "?/5" when the free count is unknown
	Durable   string // the durable slots, the same way; "" when none
	Actions   []string
	Tasks     int // active tasks on it that the store knows
	Selected  bool

	// Evicted is how many evicted tasks of its actions wait to be
	// restored into a slot; shown under the selected worker.
	Evicted   int
	TaskLines []WorkerTask
	// TasksBefore and TasksAfter are the active tasks on it that
	// TaskLines leaves out, before and after them: only the ones that
	// fit on screen are made.
	TasksBefore, TasksAfter int
}

// WorkerTask is one active task on the selected worker; Selected marks
// the one enter opens.
type WorkerTask struct {
	Task     string
	Workflow string
	Status   string
	Elapsed  string
	Wait     string
	Selected bool
}

var workerColumns = []column{
	{title: "WORKER", min: 12, fair: 24, weight: 3},
	{title: "STATUS", min: 8},
	{title: "HEARTBEAT", min: 9},
	{title: "SLOTS", min: 7},
	{title: "DURABLE", min: 9, drop: 2},
	{title: "ACTIONS", min: 7, drop: 1},
	{title: "TASKS", min: 5},
}

// WorkersTitle is the lines above the workers table: what it shows and
// how fresh, then, when the engine refused the last poll, why, wrapped on
// up to three lines so the reason is read whole. n is the lines drawn.
func WorkersTitle(note, refusal string, width int, st Styles) (out string, n int) {
	return PageTitle("workers", note, refusal, width, st)
}

// PageTitle is a page's title line, "title · note", and under it, when
// something went wrong, why, wrapped on up to three lines. n is the lines
// drawn.
func PageTitle(title, note, refusal string, width int, st Styles) (out string, n int) {
	w := drawable(width)
	lines := []string{cut(st.Title.Render(title)+st.Dim.Render(" · "+note), w, "…")}
	if refusal != "" {
		wrapped := wrap("✘ "+Clean(refusal), w)
		if len(wrapped) > 3 {
			wrapped = append(wrapped[:2], cut(wrapped[2]+" "+wrapped[3], w-1, "")+"…")
		}
		for _, l := range wrapped {
			lines = append(lines, st.Error.Render(l))
		}
	}
	return strings.Join(lines, "\n"), len(lines)
}

// WorkersTable renders the workers and, under the selected one, its
// actions, its evicted tasks and its active tasks, in exactly height lines.
func WorkersTable(rows []WorkerRow, offset, width, height int, empty string, st Styles) string {
	cells := make([][]string, len(rows))
	for r, row := range rows {
		cells[r] = []string{Clean(row.Name), Clean(row.Status), row.Heartbeat, row.Slots, row.Durable,
			strconv.Itoa(len(row.Actions)), strconv.Itoa(row.Tasks)}
	}
	g := newGrid(workerColumns, cells, width, st)
	gutter, width, widths := g.gutter, g.width, g.widths
	var lines []string
	if len(rows) == 0 && empty != "" {
		lines = append(lines, st.Dim.Render(gutter+fit("  "+empty, width)))
	}
	for r, row := range rows {
		line := joinWidths(cells[r], widths)
		if !row.Selected {
			lines = append(lines, gutter+fit(line, width))
			continue
		}
		mark := ""
		if st.Mono {
			mark = "> "
		}
		lines = append(lines, mark+st.Selected.Render(fit(line, width)))
		// The actions wrap on up to three lines; a worker may register many.
		acts := wrap("actions: "+cleanJoin(row.Actions, "(none)"), max(width-5, 10))
		if len(acts) > 3 {
			acts = append(acts[:2], cut(acts[2]+" "+acts[3], max(width-6, 10), "")+"…")
		}
		for i, a := range acts {
			indent := "   "
			if i > 0 {
				indent = "     "
			}
			lines = append(lines, gutter+cut(st.Dim.Render(indent+a), width, "…"))
		}
		if row.Evicted > 0 {
			lines = append(lines, gutter+cut(st.Phase[durable.PhaseEvicted].Render("   ◌ "+Count(row.Evicted, "evicted task")+
				" of its actions "+verb(row.Evicted, "waits", "wait")+" to be restored into a slot"), width, "…"))
		}
		if len(row.TaskLines) == 0 {
			lines = append(lines, gutter+cut(st.Dim.Render("   no active task known on it"), width, "…"))
		}
		picked := ""
		for _, t := range row.TaskLines {
			if st.Mono && t.Selected {
				picked = "  "
			}
		}
		if row.TasksBefore > 0 {
			lines = append(lines, gutter+cut(st.Dim.Render("   ⋮ "+strconv.Itoa(row.TasksBefore)+" more before"), width, "…"))
		}
		for _, t := range row.TaskLines {
			task, pick := Clean(t.Task), picked
			if t.Selected {
				task = st.Selected.Render(task)
				if st.Mono {
					pick = "> "
				}
			}
			sub := "   └ " + pick + task + st.Dim.Render("  "+Clean(t.Workflow)+"  "+Clean(t.Status)+"  "+t.Elapsed)
			if t.Wait != "" {
				sub += "  " + st.Label.Render(Clean(t.Wait))
			}
			lines = append(lines, gutter+cut(sub, width, "…"))
		}
		if row.TasksAfter > 0 {
			lines = append(lines, gutter+cut(st.Dim.Render("   ⋮ "+strconv.Itoa(row.TasksAfter)+" more"), width, "…"))
		}
	}
	return g.frame(workerColumns, lines, offset, height, st)
}

// grid is a table's frame: the gutter a monochrome selection mark needs,
// the width left, and the columns laid out in it, narrowed to what the
// cells use.
type grid struct {
	gutter string
	width  int
	widths []int
}

func newGrid(cols []column, cells [][]string, width int, st Styles) grid {
	g := grid{width: drawable(width)}
	if st.Mono {
		g.gutter, g.width = "  ", g.width-2 // for the "> " of the selection
	}
	g.widths = layout(cols, g.width)
	if slack := tableSlack(cells, g.widths, nil); slack > 0 {
		g.width -= slack
		g.widths = layout(cols, g.width)
	}
	return g
}

// frame is the column titles, then the lines from offset, in exactly
// height lines.
func (g grid) frame(cols []column, lines []string, offset, height int, st Styles) string {
	if offset > 0 && offset < len(lines) {
		lines = lines[offset:]
	}
	out := []string{st.Header.Render(g.gutter + fit(joinWidths(columnTitles(cols), g.widths), g.width))}
	for i := 0; i < height-1; i++ {
		if i < len(lines) {
			out = append(out, lines[i])
		} else {
			out = append(out, "")
		}
	}
	return strings.Join(out, "\n")
}

// cleanJoin is the cleaned items joined by ", ", or none when empty.
func cleanJoin(items []string, none string) string {
	if len(items) == 0 {
		return none
	}
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = Clean(s)
	}
	return strings.Join(out, ", ")
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
