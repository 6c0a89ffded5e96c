package ui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// DialogLine is one line of a dialog: text from hatchtop or the engine
// (cleaned here), or an already rendered widget (an input's View).
type DialogLine struct {
	Text   string
	Widget string // rendered by a bubbles component; not cleaned
	Tone   Tone
}

// Dialog draws a bordered box with a title and lines, centred in a
// width×height area. It is used for forms, prompts and confirmations.
func Dialog(title string, lines []DialogLine, width, height int, st Styles) string {
	inner := min(max(width-8, 20), 96)
	body := dialogBody(title, lines, inner, st)
	return place(frame(body, inner, st), inner+4, drawable(width), height)
}

func dialogBody(title string, lines []DialogLine, inner int, st Styles) []string {
	body := []string{st.Title.Render(cut(Clean(title), inner, "…")), ""}
	for _, l := range lines {
		if l.Widget != "" {
			for _, w := range strings.Split(l.Widget, "\n") {
				body = append(body, cut(w, inner, "…"))
			}
			continue
		}
		if l.Text == "" {
			body = append(body, "")
			continue
		}
		for _, w := range wrap(Clean(l.Text), inner) {
			body = append(body, tone(l.Tone, st).Render(w))
		}
	}
	return body
}

// place centres a box of boxWidth cells in a w×height area, every line
// shifted alike: lipgloss.Place would centre each line by its own width.
func place(box string, boxWidth, w, height int) string {
	lines := strings.Split(box, "\n")
	left := strings.Repeat(" ", max(w-boxWidth, 0)/2)
	top := max(height-len(lines), 0) / 2
	out := make([]string, 0, max(height, len(lines)))
	for range top {
		out = append(out, "")
	}
	for _, l := range lines {
		out = append(out, fitSafe(left+l, w))
	}
	for len(out) < height {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}

// frame draws a rounded border with a space of padding around lines of at
// most inner cells. Lines are padded by safeWidth: a terminal that draws a
// cluster wider than the renderer counts it keeps the right edge in place
// (and on screen), one that agrees with the renderer shows that line's
// edge a little to the left. Text lines are long, so narrowing the whole
// box by the widest disagreement, as the tables do, could leave nothing.
func frame(lines []string, inner int, st Styles) string {
	b := lipgloss.RoundedBorder()
	out := make([]string, 0, len(lines)+2)
	out = append(out, st.Edge.Render(b.TopLeft+strings.Repeat(b.Top, inner+2)+b.TopRight))
	for _, l := range lines {
		pad := strings.Repeat(" ", max(inner-safeWidth(l), 0))
		out = append(out, st.Edge.Render(b.Left)+" "+l+pad+" "+st.Edge.Render(b.Right))
	}
	out = append(out, st.Edge.Render(b.BottomLeft+strings.Repeat(b.Bottom, inner+2)+b.BottomRight))
	return strings.Join(out, "\n")
}

// fitSafe makes a padded line fit w cells on any terminal: the padding
// lipgloss adds is measured by the renderer, so a line holding clusters a
// terminal may draw wider gives up trailing spaces, or is cut.
func fitSafe(l string, w int) string {
	over := safeWidth(l) - w
	if over <= 0 {
		return l
	}
	if trimmed := strings.TrimRight(l, " "); len(l)-len(trimmed) >= over {
		return l[:len(l)-over]
	}
	return cut(l, w, "")
}

// wrap breaks s (cleaned text, no styles) into lines of at most w cells
// by safeWidth, at spaces; a word longer than a line breaks between
// grapheme clusters.
func wrap(s string, w int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
				line = word
			case safeWidth(line)+1+safeWidth(word) <= w:
				line += " " + word
			default:
				out = append(out, line)
				line = word
			}
			for safeWidth(line) > w {
				head := cut(line, w, "")
				if head == "" {
					head, _ = ansi.FirstGraphemeCluster(line, ansi.GraphemeWidth)
				}
				out = append(out, head)
				line = line[len(head):]
			}
		}
		out = append(out, line)
	}
	return out
}

// Overlay draws box (a Dialog or any rendered block) centred over screen,
// a rendered width×height screen, whose lines it dims: the screen stays
// visible behind the dialog but reads as inactive. The screen's own styles
// are stripped and each line is re-rendered with st.Dim, so no colour of
// the screen leaks into the box or past it. The box's lines replace the
// cells they cover; the dimmed screen shows on both sides. Widths are the
// renderer's, by grapheme cluster, and every line is kept out of the last
// column as Screen does. Without colour (st.Mono) the screen is shown as
// it is, plain: the frame alone sets the box apart.
func Overlay(screen, box string, width, height int, st Styles) string {
	w := drawable(width)
	back := strings.Split(screen, "\n")
	for len(back) < height {
		back = append(back, "")
	}
	if height > 0 && len(back) > height {
		back = back[:height]
	}
	for i, l := range back {
		back[i] = cut(ansi.Strip(l), w, "")
	}
	boxLines := strings.Split(strings.TrimRight(box, "\n"), "\n")
	// A Dialog is already placed in its area: keep only its box's lines.
	boxLines = trimBlank(boxLines)
	indent := -1
	for _, l := range boxLines {
		if t := strings.TrimLeft(l, " "); t != "" && (indent < 0 || len(l)-len(t) < indent) {
			indent = len(l) - len(t)
		}
	}
	for i, l := range boxLines {
		if len(l) >= indent && indent > 0 {
			boxLines[i] = l[indent:]
		}
	}
	boxW := 0
	for _, l := range boxLines {
		boxW = max(boxW, safeWidth(l))
	}
	boxW = min(boxW, w)
	left := max(w-boxW, 0) / 2
	top := max(len(back)-len(boxLines), 0) / 2
	for i, bl := range boxLines {
		row := top + i
		if row >= len(back) {
			break
		}
		bl = cut(bl, boxW, "")
		l := back[row]
		leftPart := padCells(cutCells(l, left), left)
		rightPart := ansi.TruncateLeft(l, left+boxW, "")
		if ansi.StringWidth(l) <= left+boxW {
			rightPart = ""
		}
		line := dimmed(leftPart, st) + bl + strings.Repeat(" ", max(boxW-safeWidth(bl), 0)) + dimmed(rightPart, st)
		back[row] = fitSafe(line, w)
	}
	for i := range back {
		if i < top || i >= top+len(boxLines) {
			back[i] = dimmed(back[i], st)
		}
	}
	return strings.Join(back, "\n")
}

// trimBlank drops the blank lines above and below a block.
func trimBlank(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(ansi.Strip(lines[0])) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(ansi.Strip(lines[len(lines)-1])) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// cutCells is the first n cells of plain s; a wide cluster that would
// straddle the edge is left out (padCells fills its place).
func cutCells(s string, n int) string {
	out, used := "", 0
	for s != "" {
		c, cw := ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
		if c == "" || used+max(cw, codePointCells(c)) > n {
			break
		}
		out += c
		used += cw
		s = s[len(c):]
	}
	return out
}

func padCells(s string, n int) string {
	return s + strings.Repeat(" ", max(n-safeWidth(s), 0))
}

// dimmed renders plain text with the Dim style; blank text stays as it is.
func dimmed(s string, st Styles) string {
	if strings.TrimSpace(s) == "" {
		return s
	}
	return st.Dim.Render(s)
}
