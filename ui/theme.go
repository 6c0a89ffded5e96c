// Package ui renders hatchtop's screens. Its functions take plain data, a
// size and the Styles, and return strings: no state, no I/O, no clock.
package ui

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/hatchtop/hatchtop/durable"
)

// Styles is every style the screens use, built once per renderer so that no
// render path allocates styles.
type Styles struct {
	Title      lipgloss.Style
	Dim        lipgloss.Style
	Live       lipgloss.Style
	Warn       lipgloss.Style
	Error      lipgloss.Style
	Header     lipgloss.Style // the table's column header
	Selected   lipgloss.Style
	Overdue    lipgloss.Style
	Countdown  lipgloss.Style
	Label      lipgloss.Style
	FilterText lipgloss.Style
	Box        lipgloss.Style // the frame of dialogs and forms, as a lipgloss border
	Edge       lipgloss.Style // the colour of a frame drawn line by line
	Phase      map[durable.Phase]lipgloss.Style
	Key        lipgloss.Style // a key in a help hint
	// Mono is set when the renderer draws no colour or attributes (NO_COLOR,
	// TERM=dumb): selection, the active tab and replaced entries then
	// carry text marks ("> ", "[tab]", "- ") instead.
	Mono bool
}

// NewStyles builds the styles for a renderer; adaptive colours pick their
// light or dark variant from the renderer's background.
func NewStyles(r *lipgloss.Renderer) Styles {
	c := func(light, dark string) lipgloss.AdaptiveColor {
		return lipgloss.AdaptiveColor{Light: light, Dark: dark}
	}
	green, yellow, red, grey, blue, magenta := c("#1a7f37", "#3fb950"), c("#9a6700", "#d29922"),
		c("#cf222e", "#f85149"), c("#6e7781", "#8b949e"), c("#0969da", "#58a6ff"), c("#8250df", "#bc8cff")
	s := r.NewStyle
	// A background bar reads as "the cursor" the way k9s draws it; without
	// colours reverse video is the only mark there is.
	selected := s().Background(c("#ddf4ff", "#1f3a5f")).Foreground(c("#1f2328", "#e6edf3"))
	if r.ColorProfile() == termenv.Ascii {
		selected = s().Reverse(true)
	}
	return Styles{
		Title:      s().Bold(true),
		Dim:        s().Foreground(grey),
		Live:       s().Foreground(green).Bold(true),
		Warn:       s().Foreground(yellow).Bold(true),
		Error:      s().Foreground(red).Bold(true),
		Header:     s().Bold(true).Foreground(grey),
		Selected:   selected,
		Overdue:    s().Foreground(red),
		Countdown:  s().Foreground(blue),
		Label:      s(),
		FilterText: s().Foreground(magenta),
		Box:        s().Border(lipgloss.RoundedBorder()).BorderForeground(grey).Padding(0, 1),
		Edge:       s().Foreground(grey),
		Phase: map[durable.Phase]lipgloss.Style{
			durable.PhaseRunning:   s().Foreground(green),
			durable.PhaseQueued:    s().Foreground(grey),
			durable.PhaseEvicted:   s().Foreground(yellow),
			durable.PhaseCompleted: s().Foreground(blue),
			durable.PhaseFailed:    s().Foreground(red),
			durable.PhaseCancelled: s().Foreground(grey),
		},
		Key:  s().Bold(true),
		Mono: r.ColorProfile() == termenv.Ascii,
	}
}

// Glyph is the one-cell status mark of a phase; it carries meaning without
// colour too.
func Glyph(p durable.Phase) string {
	switch p {
	case durable.PhaseRunning:
		return "●"
	case durable.PhaseQueued:
		return "○"
	case durable.PhaseEvicted:
		return "◌" // dotted: the task holds no worker slot
	case durable.PhaseCompleted:
		return "✔"
	case durable.PhaseFailed:
		return "✘"
	case durable.PhaseCancelled:
		return "⊘"
	}
	return "?"
}
