package ui

import (
	"strconv"
	"strings"

	"github.com/hatchtop/hatchtop/durable"
)

// Row is one task of the list, already turned into text by the model. Text
// from the engine is cleaned here, not by the caller.
type Row struct {
	Phase     durable.Phase
	Task      string
	Workflow  string
	Wait      string // the label or a description of the open wait
	On        string // what the wait waits on
	Remaining string // the countdown, "overdue 3s", or ""
	Overdue   bool
	Attempt   string
	Elapsed   string
	Timeout   string // time left before the engine times the task out
	// TimeoutRisk marks a wait that may outlast the task's timeout.
	TimeoutRisk bool
	Selected    bool
	Marked      bool // marked for a bulk action
}

// The list's columns, in order. When space runs short the workflow goes
// first, then the status word (its glyph and colour stay), then what the
// wait is on, then the elapsed time.
var listColumns = []column{
	{title: "STATUS", min: 9, weight: 1, drop: 2}, // grows to "✔ completed" when a feed says so
	{title: "TASK", min: 14, weight: 3},
	{title: "WORKFLOW", min: 10, weight: 2, drop: 1},
	{title: "WAIT", min: 20, weight: 5},
	{title: "ON", min: 12, weight: 3, drop: 4},
	{title: "REMAINING", min: 10},
	{title: "ATTEMPT", min: 7}, // wider when an attempt passed its maximum
	{title: "TIMEOUT", min: 8, drop: 3},
	{title: "ELAPSED", min: 7, drop: 5},
}

const (
	colStatus = iota
	colTask
	colWorkflow
	colWait
	colOn
	colRemaining
	colAttempt
	colTimeout
	colElapsed
)

// ListChromeHeight is the number of lines around the table body: two header
// lines, the column titles and the footer.
const ListChromeHeight = 4

// Table renders the column titles and the given rows (the visible window
// only) in width cells. Short bodies are padded to height lines so the
// footer stays at the bottom.
func Table(rows []Row, width, height int, empty string, st Styles) string {
	// Each row's cells are built (and engine text cleaned) once, for both
	// the column widths and the drawing.
	cells := make([][]string, len(rows))
	for i, r := range rows {
		cells[i] = rowCells(r)
	}
	want := contentWidths(listColumns, cells)
	width = drawable(width)
	widths := listWidths(width, want)
	if slack := tableSlack(cells, widths, rightAligned); slack > 0 {
		width -= slack // room for the cells a terminal may draw wider
		widths = listWidths(width, want)
	}
	var b strings.Builder
	b.WriteString(st.Header.Render(fit(joinCells(titles(widths), widths), width)))
	lines := 0
	if len(rows) == 0 && empty != "" {
		b.WriteString("\n" + st.Dim.Render(fit("  "+empty, width)))
		lines++
	}
	for i, r := range rows {
		b.WriteString("\n")
		b.WriteString(renderRow(r, cells[i], widths, width, st))
		lines++
	}
	for ; lines < height; lines++ {
		b.WriteString("\n")
	}
	return b.String()
}

// listWidths lays the list's columns out in width cells.
func listWidths(width int, want []int) []int {
	widths := layout(attemptFits(listColumns, want), width, want)
	if widths[colStatus] == 0 {
		widths = layout(attemptFits(withStatusGlyph(), want), width, want) // keep the glyph, drop the word
	}
	return widths
}

// attemptFits widens ATTEMPT to its content ("5 (max 3)" after restarts),
// up to a bound: an attempt cut short would read as another number.
func attemptFits(cols []column, want []int) []column {
	if want[colAttempt] <= cols[colAttempt].min {
		return cols
	}
	out := append([]column(nil), cols...)
	out[colAttempt].min = min(want[colAttempt], 14)
	return out
}

// rowCells is a row's text per column, engine text cleaned.
func rowCells(r Row) []string {
	return []string{
		Glyph(r.Phase) + " " + string(r.Phase), markPrefix(r.Marked) + Clean(r.Task), Clean(r.Workflow), Clean(r.Wait), Clean(r.On),
		r.Remaining, r.Attempt, r.Timeout, r.Elapsed,
	}
}

func withStatusGlyph() []column {
	cols := append([]column(nil), listColumns...)
	cols[colStatus] = column{title: "S", min: 1}
	return cols
}

func titles(widths []int) []string {
	out := make([]string, len(listColumns))
	for i, c := range listColumns {
		out[i] = c.title
		if i == colStatus && widths[i] == 1 {
			out[i] = "S"
		}
	}
	return out
}

func joinCells(cells []string, widths []int) string { return joinAligned(cells, widths, rightAligned) }

// renderRow draws one row from its cells, which it may change.
func renderRow(r Row, cells []string, widths []int, width int, st Styles) string {
	if widths[colStatus] == 1 {
		cells[colStatus] = Glyph(r.Phase) // no room for the word
	}
	if widths[colTimeout] == 0 && r.TimeoutRisk {
		cells[colRemaining] = "⚠ " + cells[colRemaining] // the warning outlives its column
	}
	if r.Selected {
		// One style over the plain line: inner colours would end the reverse video.
		return st.Selected.Render(fit(joinCells(cells, widths), width))
	}
	for i, c := range cells {
		cells[i] = fitCell(i, c, widths[i])
	}
	cells[colStatus] = st.Phase[r.Phase].Render(cells[colStatus])
	if r.Overdue {
		cells[colRemaining] = st.Overdue.Render(cells[colRemaining])
	} else {
		cells[colRemaining] = st.Countdown.Render(cells[colRemaining])
	}
	if r.TimeoutRisk {
		cells[colTimeout] = st.Warn.Render(cells[colTimeout])
	}
	cells[colOn] = st.Dim.Render(cells[colOn])
	parts := make([]string, 0, len(cells))
	for i, c := range cells {
		if widths[i] > 0 {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, " ")
}

func markPrefix(marked bool) string {
	if marked {
		return "◆ "
	}
	return ""
}

// rightAligned columns hold numbers and countdowns, which read better so.
func rightAligned(col int) bool {
	return col == colRemaining || col == colAttempt || col == colTimeout || col == colElapsed
}

func fitCell(col int, s string, w int) string {
	if rightAligned(col) {
		return fitRight(s, w)
	}
	return fit(s, w)
}

// FooterData is what the bottom line may show, most urgent first: an
// action in flight, its answer, the last error, then the keys.
type FooterData struct {
	Help      string
	Busy      string // spinner and label of an action in flight
	Toast     string // an action's answer
	ToastTone Tone
	Error     string // the last failed poll
	Marked    int
}

// Footer renders the bottom line.
func Footer(f FooterData, width int, st Styles) string {
	width = drawable(width)
	prefix := ""
	if f.Marked > 0 {
		prefix = st.Warn.Render("◆ "+strconv.Itoa(f.Marked)+" marked") + "  "
	}
	switch {
	case f.Busy != "":
		return cut(prefix+st.Warn.Render(Clean(f.Busy)), width, "…")
	case f.Toast != "":
		return cut(prefix+tone(f.ToastTone, st).Render(Clean(f.Toast)), width, "…")
	case f.Error != "":
		return cut(prefix+st.Error.Render(Clean(f.Error)), width, "…")
	}
	return cut(prefix+f.Help, width, "…")
}

// HelpScreen renders the full help with notes below it, in width×height.
func HelpScreen(fullHelp string, notes []string, width, height int, st Styles) string {
	var b strings.Builder
	b.WriteString(st.Title.Render("hatchtop — keys") + "\n\n")
	b.WriteString(fullHelp)
	b.WriteString("\n\n")
	for _, n := range notes {
		b.WriteString(st.Dim.Render(Clean(n)) + "\n") // notes may quote the engine
	}
	b.WriteString("\n" + st.Dim.Render("press ? or esc to go back"))
	lines := strings.Split(b.String(), "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		lines[i] = cut(l, drawable(width), "…") // the keys' columns too
	}
	return strings.Join(lines, "\n")
}
