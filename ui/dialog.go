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
	var body []string
	for _, l := range lines {
		if l.Widget != "" {
			for _, w := range strings.Split(l.Widget, "\n") {
				body = append(body, ansi.Truncate(w, inner, "…"))
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
	box := st.Box.Width(inner + 2).
		Render(st.Title.Render(Clean(title)) + "\n\n" + strings.Join(body, "\n"))
	return lipgloss.Place(width, height, lipgloss.Center, lipgloss.Center, box)
}

// wrap breaks s into lines of at most w cells at spaces.
func wrap(s string, w int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			switch {
			case line == "":
				line = word
			case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= w:
				line += " " + word
			default:
				out = append(out, line)
				line = word
			}
			for ansi.StringWidth(line) > w {
				out = append(out, ansi.Truncate(line, w, ""))
				line = string([]rune(line)[len([]rune(ansi.Truncate(line, w, ""))):])
			}
		}
		out = append(out, line)
	}
	return out
}
