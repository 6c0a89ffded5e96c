package ui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/hatchtop/hatchtop/durable"
)

// DetailChromeHeight is the lines around the detail's content: the two
// header lines, the task's title and tab bar, and the footer.
const DetailChromeHeight = 5

// Tone is how a value reads: plain, unknown, good news or a warning.
type Tone int

// Tones of a value.
const (
	Plain Tone = iota
	Unknown
	Good
	Warning
	Bad
)

// Field is one "name  value" line of a section; Block, when set, is a
// multi-line value (pretty JSON, an error) shown under the name.
type Field struct {
	Name  string
	Value string
	Tone  Tone
	Block []string
}

// Section is a titled group of fields.
type Section struct {
	Title  string
	Fields []Field
}

// DetailHead is the title line and tab bar of a task's detail.
type DetailHead struct {
	Task    string
	Phase   durable.Phase
	Status  string // the phase word, or more: "evicted · restoring"
	Attempt string
	Warn    string // the timeout warning, if any
	Tabs    []string
	Active  int
}

// DetailHeader renders the task's title line and the tab bar.
func DetailHeader(h DetailHead, width int, st Styles) string {
	width = drawable(width)
	title := st.Phase[h.Phase].Render(Glyph(h.Phase)+" "+Clean(h.Status)) + " " + st.Title.Render(Clean(h.Task))
	if h.Attempt != "" {
		title += st.Dim.Render(" · " + h.Attempt)
	}
	if h.Warn != "" {
		title += " " + st.Warn.Render("⚠ "+Clean(h.Warn))
	}
	tabs := make([]string, len(h.Tabs))
	for i, t := range h.Tabs {
		label := " " + strconv.Itoa(i+1) + " " + t + " "
		if i == h.Active {
			tabs[i] = st.Selected.Render(label)
		} else {
			tabs[i] = st.Dim.Render(label)
		}
	}
	return cut(title, width, "…") + "\n" + cut(strings.Join(tabs, " "), width, "…")
}

// SectionLines renders sections as aligned "name  value" lines, wrapping
// nothing: long values are cut at the width, blocks are indented below.
func SectionLines(secs []Section, width int, st Styles) []string {
	width = drawable(width)
	nameW := 0
	for _, s := range secs {
		for _, f := range s.Fields {
			nameW = max(nameW, ansi.StringWidth(Clean(f.Name)))
		}
	}
	var out []string
	for i, s := range secs {
		if i > 0 {
			out = append(out, "")
		}
		out = append(out, st.Header.Render(cut(Clean(s.Title), width, "…")))
		for _, f := range s.Fields {
			n := Clean(f.Name) // metadata keys are the engine's
			name := "  " + n + strings.Repeat(" ", nameW-ansi.StringWidth(n)) + "  "
			line := st.Dim.Render(name) + tone(f.Tone, st).Render(Clean(f.Value))
			out = append(out, cut(line, width, "…"))
			for _, l := range f.Block {
				out = append(out, cut("    "+Clean(l), width, "…"))
			}
		}
	}
	return out
}

// TimelineRow is one item of the durable event-log timeline.
type TimelineRow struct {
	Ref        string // "b1 n3", or "b1 n1-n4" for folded memos
	Kind       string
	Label      string
	On         string
	Registered string
	State      string
	Tone       Tone
	Superseded bool
	Selected   bool
}

var timelineColumns = []column{
	{title: "ENTRY", min: 8},
	{title: "KIND", min: 9},
	{title: "LABEL", min: 14, weight: 3},
	{title: "ON", min: 12, weight: 3, drop: 2},
	{title: "REGISTERED", min: 10, drop: 1},
	{title: "STATE", min: 16, weight: 2},
}

// TimelineLines renders the timeline: a header line, then one per row.
func TimelineLines(rows []TimelineRow, width int, st Styles) []string {
	cells := make([][]string, len(rows))
	for r, row := range rows {
		cells[r] = []string{Clean(row.Ref), Clean(row.Kind), Clean(row.Label), Clean(row.On), row.Registered, Clean(row.State)}
	}
	width = drawable(width)
	want := contentWidths(timelineColumns, cells)
	widths := layout(timelineColumns, width, want)
	if slack := tableSlack(cells, widths, nil); slack > 0 {
		width -= slack
		widths = layout(timelineColumns, width, want)
	}
	out := []string{st.Header.Render(fit(joinWidths(columnTitles(timelineColumns), widths), width))}
	for r, row := range rows {
		line := joinWidths(cells[r], widths)
		switch {
		case row.Selected:
			out = append(out, st.Selected.Render(fit(line, width)))
		case row.Superseded:
			out = append(out, st.Dim.Render(fit(line, width)))
		default:
			out = append(out, tone(row.Tone, st).Render(fit(line, width)))
		}
	}
	return out
}

// joinWidths fits each cell to its width, skipping dropped columns.
func joinWidths(cells []string, widths []int) string { return joinAligned(cells, widths, nil) }

// TextLines cleans engine text (stream output, log lines) line by line and
// cuts each at the width. Callers pass only the lines on screen.
func TextLines(lines []string, width int) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = cut(Clean(l), drawable(width), "…")
	}
	return out
}

// Pane stacks a note line and content lines into exactly height lines.
func Pane(note string, lines []string, height, width int, st Styles) string {
	out := make([]string, 0, height)
	if note != "" {
		out = append(out, st.Dim.Render(cut(note, drawable(width), "…")))
	}
	for _, l := range lines {
		if len(out) == height {
			break
		}
		out = append(out, l)
	}
	for len(out) < height {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}

func tone(t Tone, st Styles) lipgloss.Style {
	switch t {
	case Unknown:
		return st.Dim
	case Good:
		return st.Live
	case Warning:
		return st.Warn
	case Bad:
		return st.Error
	}
	return st.Label
}
