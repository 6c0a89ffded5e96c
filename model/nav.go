package model

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/keymap"
)

// farAway moves past either end; callers clamp.
const farAway = 1 << 30

// navStep is how far a movement key moves in a screen whose page is page
// rows; ok is false for any other key. Top and bottom go far away.
func navStep(msg tea.KeyMsg, n keymap.Nav, page int) (step int, ok bool) {
	switch {
	case key.Matches(msg, n.Up):
		return -1, true
	case key.Matches(msg, n.Down):
		return 1, true
	case key.Matches(msg, n.PageUp):
		return -page, true
	case key.Matches(msg, n.PageDown):
		return page, true
	case key.Matches(msg, n.Top):
		return -farAway, true
	case key.Matches(msg, n.Bottom):
		return farAway, true
	}
	return 0, false
}
