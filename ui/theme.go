// Package ui renders hatchtop's screens. Its functions take plain data, a
// size and the Styles, and return strings: no state, no I/O, no clock.
package ui

import (
	"strconv"

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

// NewStyles builds the styles for a renderer. Each colour is resolved here,
// once: the light or dark variant by the renderer's background, then
// converted to the renderer's colour profile. An adaptive colour would do
// both on every Render (a locked look at the background and a hex-to-palette
// search per styled cell, a third of an idle list's View); the output is
// the same.
// Styles therefore follow the renderer's background and profile as they
// are when NewStyles is called.
func NewStyles(r *lipgloss.Renderer) Styles {
	dark, profile := r.HasDarkBackground(), r.ColorProfile()
	c := func(light, darkHex string) lipgloss.TerminalColor {
		hex := light
		if dark {
			hex = darkHex
		}
		return resolve(profile, hex)
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

// resolve is hex as a colour of profile that lipgloss renders without
// converting again: a palette index for the 256- and 16-colour profiles
// (the index termenv's own conversion picks), the hex itself for true
// colour (nothing to convert) and for no colour (nothing is drawn).
func resolve(profile termenv.Profile, hex string) lipgloss.TerminalColor {
	switch c := profile.Color(hex).(type) {
	case termenv.ANSI256Color:
		return lipgloss.Color(strconv.Itoa(int(c)))
	case termenv.ANSIColor:
		return lipgloss.Color(strconv.Itoa(int(c)))
	}
	return lipgloss.Color(hex)
}

// SlotReleasedGlyph is a running task without its worker slot: half of
// running's ●, as evicted's ◌ holds none at all.
const SlotReleasedGlyph = "◐"

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
