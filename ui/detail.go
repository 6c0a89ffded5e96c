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
// multi-line value (pretty JSON, an error) shown under the name. Wrap
// wraps its long lines (an error's message is read whole) instead of
// cutting them.
type Field struct {
	Name  string
	Value string
	Tone  Tone
	Block []string
	Wrap  bool
}

// Section is a titled group of fields. Lead sections are drawn before
// the others (in their order), so what needs acting on (open waits) is
// above the fold.
type Section struct {
	Title  string
	Fields []Field
	Lead   bool
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
		switch {
		case i == h.Active && st.Mono:
			tabs[i] = st.Title.Render("[" + strings.TrimSpace(label) + "]") // no colour: brackets mark it
		case i == h.Active:
			tabs[i] = st.Selected.Render(label)
		default:
			tabs[i] = st.Dim.Render(label)
		}
	}
	return cut(title, width, "…") + "\n" + cut(strings.Join(tabs, " "), width, "…")
}

// SectionLines renders sections as aligned "name  value" lines, wrapping
// nothing: long values are cut at the width, blocks are indented below.
// Lead sections come first. A value that starts with its own name
// ("attempt  attempt 1/3") is shown without the repeat.
func SectionLines(secs []Section, width int, st Styles) []string {
	width = drawable(width)
	secs = leadFirst(secs)
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
			v := Clean(f.Value)
			if rest, ok := strings.CutPrefix(v, n+" "); ok && n != "" {
				v = rest
			}
			line := st.Dim.Render(name) + tone(f.Tone, st).Render(v)
			out = append(out, cut(line, width, "…"))
			for _, l := range f.Block {
				out = append(out, blockLines(Clean(l), f.Wrap, width)...)
			}
		}
	}
	return out
}

// blockLines is one line of a field's block, indented under its name:
// cut at the width, or wrapped keeping its own indent (a stack's frames).
func blockLines(l string, wrapped bool, width int) []string {
	if !wrapped {
		return []string{cut("    "+l, width, "…")}
	}
	body := strings.TrimLeft(l, " ")
	pad := "    " + strings.Repeat(" ", min(len(l)-len(body), 8))
	var out []string
	for _, part := range wrap(body, max(width-len(pad), 10)) {
		out = append(out, cut(pad+part, width, "…"))
	}
	return out
}

// leadFirst is secs with the Lead sections moved to the front, each group
// in its order.
func leadFirst(secs []Section) []Section {
	out := make([]Section, 0, len(secs))
	for _, s := range secs {
		if s.Lead {
			out = append(out, s)
		}
	}
	for _, s := range secs {
		if !s.Lead {
			out = append(out, s)
		}
	}
	return out
}

// Window is the height lines of all from offset, for a scrolled pane: when
// lines are hidden above or below, the first or last line says how many
// and which way, so nothing is silently below the fold.
func Window(all []string, offset, height, width int, st Styles) []string {
	if height <= 0 {
		return nil
	}
	offset = max(min(offset, len(all)-height), 0)
	end := min(offset+height, len(all))
	out := append([]string(nil), all[offset:end]...)
	if below := len(all) - end; below > 0 && len(out) > 1 {
		out[len(out)-1] = st.Dim.Render(cut("↓ "+strconv.Itoa(below+1)+" more", drawable(width), "…"))
	}
	if offset > 0 && len(out) > 2 {
		out[0] = st.Dim.Render(cut("↑ "+strconv.Itoa(offset+1)+" more", drawable(width), "…"))
	}
	return out
}

// TimelineRow is one item of the durable event-log timeline.
type TimelineRow struct {
	Ref        string // "b1 n3", or "b1 n1-4" for folded memos; shown as EntryText says
	Kind       string // the engine's kind ("WAIT_FOR", "MEMO ×3"); shown as EntryKindText says
	Label      string
	On         string
	Registered string
	State      string
	Tone       Tone
	Superseded bool
	Selected   bool
}

var timelineColumns = []column{
	{title: "#", min: 5, max: 11, weight: 1}, // "12", "3–9", "3, branch 2" or "3 b2"
	{title: "KIND", min: 9},                  // "child run", "12 memos"
	{title: "LABEL", min: 14, weight: 3},
	{title: "ON", min: 12, fair: 18, weight: 3, drop: 2},
	{title: "REGISTERED", min: 10, drop: 1},
	{title: "STATE", min: 16, max: 40, weight: 2},
}

// TimelineLines renders the timeline: a header line, then one per row.
// Without colour a "> " marks the selected row and a "- " the replaced
// ones (TimelineNote says so).
func TimelineLines(rows []TimelineRow, width int, st Styles) []string {
	cells := make([][]string, len(rows))
	for r, row := range rows {
		cells[r] = []string{EntryText(row.Ref), EntryKindText(row.Kind), Clean(row.Label), Clean(row.On), row.Registered, Clean(row.State)}
	}
	width = drawable(width)
	gutter := ""
	if st.Mono {
		gutter, width = "  ", width-2
	}
	widths := layout(timelineColumns, width)
	if slack := tableSlack(cells, widths, nil); slack > 0 {
		width -= slack
		widths = layout(timelineColumns, width)
	}
	out := []string{st.Header.Render(gutter + fit(joinWidths(columnTitles(timelineColumns), widths), width))}
	for r, row := range rows {
		c := cells[r]
		if safeWidth(c[0]) > widths[0] {
			c[0] = entryText(row.Ref, true)
		}
		for i := range c {
			if i == timelineOn {
				c[i] = fitOn(c[i], widths[i])
			} else {
				c[i] = fit(c[i], widths[i])
			}
		}
		line := fit(joinFitted(c, widths), width)
		mark := ""
		if st.Mono {
			mark = "  "
			switch {
			case row.Selected:
				mark = "> "
			case row.Superseded:
				mark = "- "
			}
		}
		switch {
		case row.Selected:
			out = append(out, mark+st.Selected.Render(line))
		case row.Superseded:
			out = append(out, mark+st.Dim.Render(line))
		default:
			out = append(out, mark+tone(row.Tone, st).Render(line))
		}
	}
	return out
}

const timelineOn = 3 // the ON column of timelineColumns

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
