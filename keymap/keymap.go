// Package keymap declares hatchtop's key bindings and their help text, one
// struct per scope, each a help.KeyMap. It holds no state: models get a copy
// from Default and switch bindings off when a mode makes them meaningless.
package keymap

import "github.com/charmbracelet/bubbles/key"

// List is the bindings of the task list.
type List struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Filter   key.Binding
	Clear    key.Binding
	Help     key.Binding
	Quit     key.Binding
}

// Filter is the bindings while the filter input owns the keyboard.
type Filter struct {
	Accept key.Binding
	Cancel key.Binding
}

// KeyMap is every scope's bindings.
type KeyMap struct {
	List   List
	Filter Filter
}

// Default returns the default bindings.
func Default() KeyMap {
	return KeyMap{
		List: List{
			Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
			Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
			PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
			PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
			Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
			Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
			Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
			Clear:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
			Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
			Quit:     key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		},
		Filter: Filter{
			Accept: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
			Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		},
	}
}

// ShortHelp is the footer's one line.
func (k List) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Filter, k.Help, k.Quit}
}

// FullHelp is the help screen, one column per group.
func (k List) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Filter, k.Clear},
		{k.Help, k.Quit},
	}
}

// ShortHelp is the footer while filtering.
func (k Filter) ShortHelp() []key.Binding { return []key.Binding{k.Accept, k.Cancel} }

// FullHelp is the same as ShortHelp: filtering has two keys.
func (k Filter) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }
