package model

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/ui"
)

// screen is one layer of the stack: a page (list, inbox, detail, help,
// messages), a bar over a page (the filter) or a dialog over a page (form,
// prompt, confirmation). The root owns the store; a screen holds only its
// own state, is a pointer changed in place, and reads the store through m.
//
// Adding a screen is its type with these four methods in its own file,
// plus the line that pushes it.
type screen interface {
	// update handles a key while the screen is on top. It may change the
	// root through m: the store's view state, the stack, the feedback.
	update(m *Model, msg tea.KeyMsg) tea.Cmd
	// view draws a page's area above the footer, a dialog's box placed in
	// that area, or a bar's footer line.
	view(m *Model) string
	// bindings is the screen's keys with the ones the state makes
	// meaningless switched off; help and footer show only enabled ones.
	// It is a function of the state, asked for where it is used, so it is
	// as of the last Update and never stale.
	bindings(m *Model) help.KeyMap
	// layer says how the root draws it over what is below.
	layer() layer
}

// layer is how a screen is drawn.
type layer int

const (
	pageLayer   layer = iota // the whole screen above the footer
	barLayer                 // the page below, with the screen's line as the footer
	dialogLayer              // a box over the page below, dimmed
)

// inputScreen is a screen with a text input: it takes the messages other
// than keys (cursor blinks and the like) and resizes with the terminal.
type inputScreen interface {
	screen
	input(msg tea.Msg) tea.Cmd
	setSize(width, height int)
}

// top is the screen on show.
func (m *Model) top() screen { return m.stack[len(m.stack)-1] }

// push opens s over what is on show. A dialog starts clean: the last
// feedback belongs to what came before.
func (m *Model) push(s screen) {
	if s.layer() == dialogLayer {
		m.toast = toast{}
	}
	if in, ok := s.(inputScreen); ok {
		in.setSize(m.width, m.height)
	}
	m.stack = append(m.stack[:len(m.stack):len(m.stack)], s)
}

// pop closes the top screen; the list at the bottom stays.
func (m *Model) pop() {
	if len(m.stack) > 1 {
		m.stack = m.stack[: len(m.stack)-1 : len(m.stack)-1]
	}
}

// popTo closes every screen above the topmost s.
func (m *Model) popTo(s screen) {
	for i := len(m.stack) - 1; i > 0; i-- {
		if m.stack[i] == s {
			m.stack = m.stack[: i+1 : i+1]
			return
		}
	}
}

// topIs returns the top screen as a T, if it is one.
func topIs[T screen](m Model) (T, bool) {
	t, ok := m.stack[len(m.stack)-1].(T)
	return t, ok
}

// find returns the topmost screen of type T on the stack.
func find[T screen](m Model) (T, bool) {
	for i := len(m.stack) - 1; i >= 0; i-- {
		if t, ok := m.stack[i].(T); ok {
			return t, true
		}
	}
	var zero T
	return zero, false
}

// detail is the open detail, the topmost on the stack; nil when none.
func (m Model) detail() *detailState {
	d, _ := find[*detailState](m)
	return d
}

// onKey routes a key: the global ones first, then the top screen.
func (m Model) onKey(msg tea.KeyMsg) (Model, tea.Cmd) {
	if key.Matches(msg, m.keys.Global.Quit) {
		return m, tea.Quit
	}
	cmd := m.top().update(&m, msg)
	return m, cmd
}

// pageKeys handles the keys every page shares; ok is false for others.
func (m *Model) pageKeys(msg tea.KeyMsg, helpKey, quit, messages key.Binding) (tea.Cmd, bool) {
	switch {
	case key.Matches(msg, quit):
		return tea.Quit, true
	case key.Matches(msg, helpKey):
		m.push(&helpScreen{})
		return nil, true
	case key.Matches(msg, messages):
		m.push(&messagesScreen{})
		return nil, true
	}
	return nil, false
}

// View draws the stack: the top page whole, a bar over its page, a dialog
// over its page dimmed; the footer is always the top screen's.
func (m Model) View() string {
	if m.width == 0 {
		return "hatchtop: starting…"
	}
	top := m.top()
	switch top.layer() {
	case barLayer:
		return m.pageBelow(len(m.stack)-1) + "\n" + top.view(&m)
	case dialogLayer:
		return ui.Overlay(m.pageBelow(len(m.stack)-1), top.view(&m), m.width, m.dialogHeight(), m.styles) + "\n" + m.footer()
	}
	return top.view(&m) + "\n" + m.footer()
}

// pageBelow draws the page under the screen at i, without its footer.
func (m Model) pageBelow(i int) string {
	for j := i - 1; j >= 0; j-- {
		if m.stack[j].layer() == pageLayer {
			return m.stack[j].view(&m)
		}
	}
	return ""
}

// dialogHeight is the area a dialog is placed in: all but the footer.
func (m Model) dialogHeight() int { return max(m.height-1, 5) }

// footer is the top screen's keys, or the feedback that takes their place.
func (m Model) footer() string {
	f := ui.FooterData{Help: m.help.View(m.top().bindings(&m)), Error: m.message, Marked: len(m.marks)}
	if m.busy != nil {
		f.Busy = m.busy.spin.View() + " " + m.busy.label + "…"
	}
	if m.toast.text != "" {
		f.Toast, f.ToastTone, f.ToastHint = m.toast.text, m.toast.tone, m.toast.hint
	}
	return ui.Footer(f, m.width, m.styles)
}

// withGlobal is a screen's bindings with the global ones, for the help.
type withGlobal struct {
	help.KeyMap
	global help.KeyMap
}

func (w withGlobal) FullHelp() [][]key.Binding {
	return append(w.KeyMap.FullHelp(), w.global.FullHelp()...)
}

// hint is "enter confirms" from a binding: the key as the help names it,
// so a rebind in the config file changes the text too. Empty when the
// binding is off.
func hint(b key.Binding, what string) string {
	if !b.Enabled() {
		return ""
	}
	return b.Help().Key + " " + what
}

// hints joins the hints that are on.
func hints(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " · ")
}
