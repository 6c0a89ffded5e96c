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
