package ui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
)

// The bubbles components build their default styles on lipgloss's global
// renderer, which probes os.Stdout on its own and may disagree with the
// renderer hatchtop probed (NO_COLOR, a light background, a pipe). These
// functions dress them in Styles instead, which are bound to that renderer.

// HelpStyles is the bubbles help's styles: keys bold, descriptions and
// separators dimmed, as FitHelp draws them.
func HelpStyles(st Styles) help.Styles {
	return help.Styles{
		Ellipsis:       st.Dim,
		ShortKey:       st.Key,
		ShortDesc:      st.Dim,
		ShortSeparator: st.Dim,
		FullKey:        st.Key,
		FullDesc:       st.Dim,
		FullSeparator:  st.Dim,
	}
}

// StyleTextInput sets a text input's styles, its cursor's included.
func StyleTextInput(ti *textinput.Model, st Styles) {
	ti.PromptStyle = st.FilterText
	ti.TextStyle = st.Label
	ti.PlaceholderStyle = st.Dim
	ti.CompletionStyle = st.Dim
	ti.Cursor.Style = st.Label
	ti.Cursor.TextStyle = st.Label
}

// StyleTextArea sets a text area's focused and blurred styles and its
// cursor's, and makes them the ones it draws with; call it after New.
// Blurred, the text is dimmed: it does not take keys.
func StyleTextArea(ta *textarea.Model, st Styles) {
	focused := textarea.Style{
		Base:             st.Label,
		CursorLine:       st.Label,
		CursorLineNumber: st.Dim,
		EndOfBuffer:      st.Dim,
		LineNumber:       st.Dim,
		Placeholder:      st.Dim,
		Prompt:           st.FilterText,
		Text:             st.Label,
	}
	blurred := focused
	blurred.Text, blurred.CursorLine, blurred.Prompt = st.Dim, st.Dim, st.Dim
	ta.FocusedStyle, ta.BlurredStyle = focused, blurred
	ta.Cursor.Style = st.Label
	ta.Cursor.TextStyle = st.Label
	// The text area draws with a pointer to one of the two, set by Focus
	// and Blur only (New points it at a default copy): point it again. A
	// focused area's cursor already blinks, so Focus's Cmd is not needed.
	if ta.Focused() {
		_ = ta.Focus()
	} else {
		ta.Blur()
	}
}

// SpinnerStyle is the style of the spinner of an action in flight, the
// footer's Busy colour.
func SpinnerStyle(st Styles) spinner.Option { return spinner.WithStyle(st.Warn) }
