package ui

import (
	"slices"
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
	// TimedOut marks a failure that was the engine's timeout: ⏱.
	TimedOut bool
	// WaitSpans lets WAIT take ON's cells too: a finished row's error
	// line has no ON.
	WaitSpans bool
	// SlotReleased marks a running task that gave its worker slot back
	// (release_slot): ◐ released.
	SlotReleased bool
}

// The list's columns, in order. When space runs short the workflow goes
// first, then the status word (its glyph and colour stay), then the time
// to timeout, then what the wait is on, then the elapsed time. Spare width
// goes to TASK, WAIT and ON up to a fair width first (the end of a name,
// the label and the event key tell rows apart), then mostly to ON and
// WAIT: the other columns hold short values of a known width.
var listColumns = []column{
	{title: "STATUS", min: 11, drop: 2}, // "✔ completed", "⊘ cancelled"
	{title: "TASK", min: 14, fair: 16, max: 40, weight: 3},
	{title: "WORKFLOW", min: 10, max: 24, weight: 1, drop: 1},
	{title: "WAIT", min: 14, fair: 24, weight: 3},
	{title: "ON", min: 17, fair: 18, weight: 5, drop: 4}, // "payment:confirmed" whole at 80 columns
	{title: "REMAINING", min: 9},                         // "59m59s", "23h59m"; "overdue 59m59s" when there is room
	{title: "ATTEMPT", min: 9},                           // "5 (max 3)" after restarts: cut short it would read as another number
	{title: "TIMEOUT", min: 7, drop: 3},                  // "⚠ 4m59s"
	{title: "ELAPSED", min: 7, drop: 5},                  // "23h59m"
}

// wideRemaining is the width of REMAINING once the table has wideFrom
// cells (a 160-column terminal), room for "overdue 59m59s"; below it an
// overdue wait reads "-59m59s" and the label keeps those cells.
const (
	wideRemaining = 14
	wideFrom      = 150
)

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
// footer stays at the bottom. Column widths depend on width alone, bar
// the room kept for clusters a terminal may draw wider (tableSlack).
func Table(rows []Row, width, height int, empty string, st Styles) string {
	return SortedTable(rows, SortMark{}, width, height, empty, st)
}

// SortedTable is Table with the sort's arrow after its column's title
// (sort.go).
func SortedTable(rows []Row, mark SortMark, width, height int, empty string, st Styles) string {
	// Each row's cells are built (and engine text cleaned) once.
	cells := make([][]string, len(rows))
	for i, r := range rows {
		cells[i] = rowCells(r)
	}
	width = drawable(width)
	gutter := ""
	if st.Mono {
		gutter = "  " // room for the "> " that marks the selection without colour
		width -= 2
	}
	widths := sortedWidths(width, mark)
	if slack := tableSlack(cells, widths, rightAligned); slack > 0 {
		width -= slack // room for the cells a terminal may draw wider
		widths = sortedWidths(width, mark)
	}
	var b strings.Builder
	b.WriteString(st.Header.Render(gutter + fit(joinCells(titles(widths, mark), widths), width)))
	lines := 0
	if len(rows) == 0 && empty != "" {
		b.WriteString("\n" + st.Dim.Render(gutter+fit("  "+empty, width)))
		lines++
	}
	for i, r := range rows {
		b.WriteString("\n")
		if st.Mono {
			b.WriteString(selectionMark(r.Selected))
		}
		b.WriteString(renderRow(r, cells[i], widths, width, st))
		lines++
	}
	for ; lines < height; lines++ {
		b.WriteString("\n")
	}
	return b.String()
}

// selectionMark is the gutter of a row when colours are off.
func selectionMark(selected bool) string {
	if selected {
		return "> "
	}
	return "  "
}

// listWidths lays the list's columns out in width cells.
func listWidths(width int) []int { return sortedWidths(width, SortMark{}) }

// sortedWidths is listWidths keeping the sorted column (SortMark.keep).
func sortedWidths(width int, mark SortMark) []int {
	cols := append([]column(nil), listColumns...)
	mark.keep(cols)
	if width >= wideFrom {
		cols[colRemaining].min = wideRemaining
	}
	glyph := column{title: "S", min: 1} // keep the glyph, drop the word
	widths := layout(cols, width)
	for {
		if widths[colStatus] == 0 {
			cols[colStatus] = glyph
			widths = layout(cols, width)
		}
		// The label is what the list is for: short of its fair width, the
		// columns that give way first for the minimums (workflow, status
		// word, timeout) give way for it too; ON and ELAPSED do not.
		if widths[colWait] >= cols[colWait].fair {
			return widths
		}
		victim := -1
		for i, c := range cols {
			if widths[i] > 0 && c.drop > 0 && c.drop <= 3 && (victim < 0 || c.drop < cols[victim].drop) {
				victim = i
			}
		}
		switch victim {
		case -1:
			return widths
		case colStatus:
			cols[colStatus] = glyph
		default:
			cols[victim].off = true
		}
		widths = layout(cols, width)
	}
}

// rowCells is a row's text per column, engine text cleaned.
func rowCells(r Row) []string {
	return []string{
		statusCell(r), markPrefix(r.Marked) + Clean(r.Task), Clean(r.Workflow), Clean(r.Wait), Clean(r.On),
		r.Remaining, r.Attempt, r.Timeout, r.Elapsed,
	}
}

// statusCell is the glyph and word of a row's status; a failure by the
// engine's timeout reads "⏱ timed out".
func statusCell(r Row) string {
	if r.TimedOut {
		return "⏱ timed out"
	}
	if r.SlotReleased && r.Phase == durable.PhaseRunning {
		return SlotReleasedGlyph + " released"
	}
	return Glyph(r.Phase) + " " + string(r.Phase)
}

func titles(widths []int, mark SortMark) []string {
	out := make([]string, len(listColumns))
	for i, c := range listColumns {
		out[i] = c.title
		if i == colStatus && widths[i] == 1 {
			out[i] = "S"
		}
	}
	mark.arrow(out)
	return out
}

func joinCells(cells []string, widths []int) string { return joinAligned(cells, widths, rightAligned) }

// renderRow draws one row from its cells, which it may change.
func renderRow(r Row, cells []string, widths []int, width int, st Styles) string {
	if widths[colStatus] == 1 {
		cells[colStatus], _, _ = strings.Cut(statusCell(r), " ") // no room for the word
	}
	if widths[colTimeout] == 0 && r.TimeoutRisk {
		cells[colRemaining] = "⚠ " + cells[colRemaining] // the warning outlives its column
	}
	cells[colRemaining] = shortOverdue(cells[colRemaining], widths[colRemaining])
	if r.WaitSpans && widths[colOn] > 0 {
		spanned := slices.Clone(widths)
		spanned[colWait] += 1 + spanned[colOn]
		spanned[colOn] = 0
		widths = spanned
	}
	for i, c := range cells {
		cells[i] = fitCell(i, c, widths[i])
	}
	if r.Selected {
		// One style over the plain line: inner colours would end the reverse video.
		return st.Selected.Render(fit(joinFitted(cells, widths), width))
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
	return joinFitted(cells, widths)
}

// joinFitted joins cells already fitted to their widths, skipping the
// dropped columns.
func joinFitted(cells []string, widths []int) string {
	parts := make([]string, 0, len(cells))
	for i, c := range cells {
		if widths[i] > 0 {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, " ")
}

// shortOverdue turns "overdue 3m2s" into "-3m2s" when the column is too
// narrow for the words: a negative time left reads as overdue.
func shortOverdue(s string, w int) string {
	if rest, ok := strings.CutPrefix(s, "overdue "); ok && safeWidth(s) > w {
		return "-" + rest
	}
	if rest, ok := strings.CutPrefix(s, "⚠ overdue "); ok && safeWidth(s) > w {
		return "⚠ -" + rest
	}
	return s
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
	switch {
	case w == 0:
		return ""
	case rightAligned(col):
		return fitRight(s, w)
	case col == colTask:
		return fitMiddle(s, w)
	case col == colOn:
		return fitOn(s, w)
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
	// ToastHint is the key that acts on the toast ("a jumps to it"): kept
	// whole after it, the toast's text cut to make room.
	ToastHint string
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
		return toastLine(prefix, f, width, st)
	case f.Error != "":
		return cut(prefix+st.Error.Render(Clean(f.Error)), width, "…")
	}
	// Hints go whole or not at all: "esc clear filte" helps no one.
	return prefix + FitHints(f.Help, width-safeWidth(prefix))
}

// toastLine is the toast cut to width, its hint whole at the end when
// there is room for it and a few cells of the text.
func toastLine(prefix string, f FooterData, width int, st Styles) string {
	ts := tone(f.ToastTone, st)
	text := ts.Render(Clean(f.Toast))
	if f.ToastHint == "" {
		return cut(prefix+text, width, "…")
	}
	hint := ts.Render(" · " + Clean(f.ToastHint))
	room := width - safeWidth(hint)
	if room < safeWidth(prefix)+10 {
		return cut(prefix+text, width, "…")
	}
	return cut(prefix+text, room, "…") + hint
}

// InputFooter is the bottom line while an input has the keys (the filter):
// the input's view, then as many whole hints as fit after it.
func InputFooter(input, help string, width int) string {
	width = drawable(width)
	input = cut(input, width, "")
	rest := width - safeWidth(input) - 3
	if hints := FitHints(help, rest); hints != "" && rest > 0 {
		return input + "   " + hints
	}
	return input
}

// HelpScreen renders the full help with notes below it and then back, the
// hint of the key that closes it (made from its binding by the caller, so
// a rebind shows; "" for none), in width×height.
func HelpScreen(fullHelp string, notes []string, back string, width, height int, st Styles) string {
	var b strings.Builder
	b.WriteString(st.Title.Render("hatchtop — keys") + "\n\n")
	b.WriteString(fullHelp)
	b.WriteString("\n\n")
	for _, n := range notes {
		// Wrapped, not cut: a note is read whole. Notes may quote the engine.
		for _, l := range wrap(Clean(n), drawable(width)) {
			b.WriteString(st.Dim.Render(l) + "\n")
		}
	}
	if back != "" {
		b.WriteString("\n" + st.Dim.Render(Clean(back)))
	}
	lines := strings.Split(b.String(), "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		lines[i] = cut(l, drawable(width), "…") // the keys' columns too
	}
	return strings.Join(lines, "\n")
}
