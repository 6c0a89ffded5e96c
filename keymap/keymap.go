// Package keymap declares hatchtop's key bindings and their help text, one
// struct per scope, each a help.KeyMap. It holds no state: models get a copy
// from Default (or from a config file's overrides) and switch bindings off
// when a mode makes them meaningless.
package keymap

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// Nav is the movement shared by every scrolling scope.
type Nav struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
}

// Actions are the keys that change something in the engine. Read-only mode
// switches them all off (SetEnabled): the help does not list them, and a
// screen still matches the keys to say why they do nothing.
type Actions struct {
	SendEvent key.Binding
	Cancel    key.Binding
	Timeout   key.Binding
	Restore   key.Binding
	Replay    key.Binding
}

// Global is what works on every screen, text fields included.
type Global struct {
	Quit key.Binding // quits even from a form: never a letter
}

// List is the bindings of the task list.
type List struct {
	Nav
	Actions
	Open     key.Binding
	Inbox    key.Binding
	Workers  key.Binding
	Profiles key.Binding // the profile switcher; off when there is none to read
	Mark     key.Binding
	Filter   key.Binding
	Clear    key.Binding
	Messages key.Binding
	Help     key.Binding
	Quit     key.Binding
	// Attention opens the newest wait --notify told about; off when none.
	Attention key.Binding
	// Sort cycles the column the list is sorted by (one key rather than
	// k9s's shift+letter per column: R and G already mean replay and
	// bottom, and W is the workers screen's); SortReverse turns the
	// column's order around.
	Sort        key.Binding
	SortReverse key.Binding
	// Finished tasks: the toggle, dismissing one, the next failure.
	Show        key.Binding
	Dismiss     key.Binding
	NextFailure key.Binding
}

// Detail is the bindings of one task's detail.
type Detail struct {
	Nav
	Actions
	Branch   key.Binding // on a timeline entry
	NextTab  key.Binding
	PrevTab  key.Binding
	Tab1     key.Binding
	Tab2     key.Binding
	Tab3     key.Binding
	Tab4     key.Binding
	Tab5     key.Binding
	Follow   key.Binding
	Back     key.Binding
	Messages key.Binding
	Help     key.Binding
	Quit     key.Binding
	// Children: pick one of the runs the task spawned, open it; from a
	// child, open its parent.
	OpenChild key.Binding
	NextChild key.Binding
	PrevChild key.Binding
	Parent    key.Binding
	Attention key.Binding // as the list's
}

// Inbox is the bindings of the waits inbox.
type Inbox struct {
	Nav
	SendEvent key.Binding
	Open      key.Binding
	NextTask  key.Binding // among the selected key's waiting tasks
	PrevTask  key.Binding
	Back      key.Binding
	Messages  key.Binding
	Help      key.Binding
	Quit      key.Binding
	Attention key.Binding // as the list's
}

// Workers is the bindings of the workers screen: move among workers,
// pick among the selected one's tasks, open the picked task.
type Workers struct {
	Nav
	Open     key.Binding
	NextTask key.Binding
	PrevTask key.Binding
	Back     key.Binding
	Messages key.Binding
	Help     key.Binding
	Quit     key.Binding
}

// Profiles is the bindings of the profile switcher: move among the
// tenants on offer, switch to the selected one.
type Profiles struct {
	Nav
	Switch   key.Binding
	Back     key.Binding
	Messages key.Binding
	Help     key.Binding
	Quit     key.Binding
}

// Pager is the bindings of a read-only page over the others: the help and
// the messages.
type Pager struct {
	Nav
	Close key.Binding
	Quit  key.Binding
}

// Filter is the bindings while the filter input owns the keyboard.
type Filter struct {
	Accept key.Binding
	Cancel key.Binding
}

// Form is the bindings of a form or prompt; everything else is typed.
type Form struct {
	Submit  key.Binding
	Send    key.Binding // enter, outside the payload editor
	Next    key.Binding
	Prev    key.Binding
	PickKey key.Binding // another key of the wait's OR group
	Cancel  key.Binding
}

// Confirm is the bindings of a confirmation dialog.
type Confirm struct {
	Yes key.Binding
	No  key.Binding
}

// KeyMap is every scope's bindings.
type KeyMap struct {
	Global   Global
	List     List
	Detail   Detail
	Inbox    Inbox
	Workers  Workers
	Profiles Profiles
	Pager    Pager
	Filter   Filter
	Form     Form
	Confirm  Confirm
}

func b(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

func defaultNav() Nav {
	return Nav{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup", "page up", "pgup", "ctrl+b"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+f"),
		Top:      b("g", "top", "g", "home"),
		Bottom:   b("G", "bottom", "G", "end"),
	}
}

func defaultActions() Actions {
	return Actions{
		SendEvent: b("e", "send event", "e"),
		Cancel:    b("c", "cancel", "c"),
		Timeout:   b("t", "refresh timeout", "t"),
		Restore:   b("r", "restore evicted", "r"),
		Replay:    b("R", "replay", "R"),
	}
}

// Default returns the default bindings.
func Default() KeyMap {
	help, quit, msgs := b("?", "help", "?"), b("q", "quit", "q"), b("M", "messages", "M")
	attn := b("a", "newest notified wait", "a")
	return KeyMap{
		Global: Global{Quit: b("ctrl+c", "quit", "ctrl+c")},
		List: List{
			Nav:      defaultNav(),
			Actions:  defaultActions(),
			Open:     b("enter", "details", "enter"),
			Inbox:    b("w", "waits inbox", "w"),
			Workers:  b("W", "workers", "W"),
			Profiles: b("P", "profiles", "P"),
			Mark:     b("space", "mark", " "),
			Filter:   b("/", "filter", "/"),
			Clear:    b("esc", "clear filter/marks", "esc"),
			Messages: msgs,
			Help:     help,
			Quit:     quit,

			Attention:   attn,
			Sort:        b("s", "sort by next column", "s"),
			SortReverse: b("S", "reverse sort", "S"),
			Show:        b("F", "active/finished/both", "F"),
			Dismiss:     b("d", "dismiss finished", "d"),
			NextFailure: b("!", "next failure", "!"),
		},
		Detail: Detail{
			Nav:      defaultNav(),
			Actions:  defaultActions(),
			Branch:   b("b", "replay from entry", "b"),
			NextTab:  b("tab", "next tab", "tab", "right", "l"),
			PrevTab:  b("shift+tab", "previous tab", "shift+tab", "left", "h"),
			Tab1:     b("1", "overview", "1"),
			Tab2:     b("2", "timeline", "2"),
			Tab3:     b("3", "stream", "3"),
			Tab4:     b("4", "logs", "4"),
			Tab5:     b("5", "data", "5"),
			Follow:   b("f", "follow", "f"),
			Back:     b("esc", "back", "esc", "backspace"),
			Messages: msgs,
			Help:     help,
			Quit:     quit,

			OpenChild: b("enter", "open child", "enter"),
			NextChild: b("n", "next child", "n"),
			PrevChild: b("N", "previous child", "N"),
			Parent:    b("p", "open parent", "p"),
			Attention: attn,
		},
		Inbox: Inbox{
			Nav:       defaultNav(),
			SendEvent: b("e", "send event", "e"),
			Open:      b("enter", "open task", "enter"),
			NextTask:  b("tab", "next task", "tab", "right", "l"),
			PrevTask:  b("shift+tab", "previous task", "shift+tab", "left", "h"),
			Back:      b("esc", "back", "esc", "w", "backspace"),
			Messages:  msgs,
			Help:      help,
			Quit:      quit,
			Attention: attn,
		},
		Workers: Workers{
			Nav:      defaultNav(),
			Open:     b("enter", "open task", "enter"),
			NextTask: b("tab", "next task", "tab", "right", "l"),
			PrevTask: b("shift+tab", "previous task", "shift+tab", "left", "h"),
			Back:     b("esc", "back", "esc", "W", "backspace"),
			Messages: msgs,
			Help:     help,
			Quit:     quit,
		},
		Profiles: Profiles{
			Nav:      defaultNav(),
			Switch:   b("enter", "switch to it", "enter"),
			Back:     b("esc", "back", "esc", "P", "backspace"),
			Messages: msgs,
			Help:     help,
			Quit:     quit,
		},
		Pager: Pager{
			Nav:   defaultNav(),
			Close: b("esc", "close", "esc", "?", "backspace"),
			Quit:  quit,
		},
		Filter: Filter{
			Accept: b("enter", "keep filter", "enter"),
			Cancel: b("esc", "clear filter", "esc"),
		},
		Form: Form{
			Submit:  b("ctrl+s", "send", "ctrl+s"),
			Send:    b("enter", "send", "enter"),
			Next:    b("tab", "next field", "tab"),
			Prev:    b("shift+tab", "previous field", "shift+tab"),
			PickKey: b("↑/↓", "pick the key", "up", "down"),
			Cancel:  b("esc", "cancel", "esc"),
		},
		Confirm: Confirm{
			Yes: b("enter", "confirm", "enter"),
			No:  b("esc", "back out", "esc", "n"),
		},
	}
}

func (a Actions) list() []key.Binding {
	return []key.Binding{a.SendEvent, a.Cancel, a.Timeout, a.Restore, a.Replay}
}

func (n Nav) list() []key.Binding {
	return []key.Binding{n.Up, n.Down, n.PageUp, n.PageDown, n.Top, n.Bottom}
}

// SetEnabled switches every action on or off.
func (a *Actions) SetEnabled(on bool) {
	for _, p := range []*key.Binding{&a.SendEvent, &a.Cancel, &a.Timeout, &a.Restore, &a.Replay} {
		p.SetEnabled(on)
	}
}

// ShortHelp is the footer's one line.
func (k List) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Open, k.Inbox, k.Filter, k.Help, k.Quit}
}

// FullHelp is the help screen, one column per group.
func (k List) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		k.Nav.list(),
		{k.Open, k.Inbox, k.Workers, k.Profiles, k.Filter, k.Clear, k.Mark, k.Sort, k.SortReverse, k.Attention},
		{k.Show, k.Dismiss, k.NextFailure},
		k.Actions.list(),
		{k.Messages, k.Help, k.Quit},
	}
}

// ShortHelp is the footer of the detail.
func (k Detail) ShortHelp() []key.Binding {
	return []key.Binding{k.NextTab, k.Up, k.Down, k.Follow, k.Branch, k.OpenChild, k.NextChild, k.Parent, k.Back, k.Help}
}

// FullHelp is the help screen of the detail.
func (k Detail) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		k.Nav.list(),
		{k.NextTab, k.PrevTab, k.Tab1, k.Tab2, k.Tab3, k.Tab4, k.Tab5, k.Follow},
		append(k.Actions.list(), k.Branch),
		{k.OpenChild, k.NextChild, k.PrevChild, k.Parent, k.Attention},
		{k.Back, k.Messages, k.Help, k.Quit},
	}
}

// ShortHelp is the footer of the inbox.
func (k Inbox) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.NextTask, k.SendEvent, k.Open, k.Back, k.Help}
}

// FullHelp is the help screen of the inbox.
func (k Inbox) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Nav.list(), {k.SendEvent, k.Open, k.NextTask, k.PrevTask, k.Attention}, {k.Back, k.Messages, k.Help, k.Quit}}
}

// ShortHelp is the footer of the workers screen.
func (k Workers) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.NextTask, k.Open, k.Back, k.Help}
}

// FullHelp is the help screen of the workers screen.
func (k Workers) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Nav.list(), {k.Open, k.NextTask, k.PrevTask}, {k.Back, k.Messages, k.Help, k.Quit}}
}

// ShortHelp is the footer of the profile switcher.
func (k Profiles) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.Switch, k.Back, k.Help}
}

// FullHelp is the help screen of the profile switcher.
func (k Profiles) FullHelp() [][]key.Binding {
	return [][]key.Binding{k.Nav.list(), {k.Switch}, {k.Back, k.Messages, k.Help, k.Quit}}
}

// ShortHelp is the footer of the help and messages pages.
func (k Pager) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down, k.Close, k.Quit} }

// FullHelp is the same keys, grouped.
func (k Pager) FullHelp() [][]key.Binding { return [][]key.Binding{k.Nav.list(), {k.Close, k.Quit}} }

// ShortHelp is the one global key.
func (k Global) ShortHelp() []key.Binding { return []key.Binding{k.Quit} }

// FullHelp is the same as ShortHelp.
func (k Global) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// ShortHelp is the footer while filtering.
func (k Filter) ShortHelp() []key.Binding { return []key.Binding{k.Accept, k.Cancel} }

// FullHelp is the same as ShortHelp: filtering has two keys.
func (k Filter) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// ShortHelp is the footer of a form.
func (k Form) ShortHelp() []key.Binding {
	return []key.Binding{k.Submit, k.Send, k.Next, k.PickKey, k.Cancel}
}

// FullHelp is the same as ShortHelp.
func (k Form) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Submit, k.Send, k.Next, k.Prev, k.PickKey, k.Cancel}}
}

// ShortHelp is the footer of a confirmation.
func (k Confirm) ShortHelp() []key.Binding { return []key.Binding{k.Yes, k.No} }

// FullHelp is the same as ShortHelp.
func (k Confirm) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// byName is every rebindable binding by its config-file name; a name may
// stand for the same action in several scopes.
func (k *KeyMap) byName() map[string][]*key.Binding {
	return map[string][]*key.Binding{
		"up":              {&k.List.Up, &k.Detail.Up, &k.Inbox.Up, &k.Workers.Up, &k.Profiles.Up, &k.Pager.Up},
		"down":            {&k.List.Down, &k.Detail.Down, &k.Inbox.Down, &k.Workers.Down, &k.Profiles.Down, &k.Pager.Down},
		"page_up":         {&k.List.PageUp, &k.Detail.PageUp, &k.Inbox.PageUp, &k.Workers.PageUp, &k.Profiles.PageUp, &k.Pager.PageUp},
		"page_down":       {&k.List.PageDown, &k.Detail.PageDown, &k.Inbox.PageDown, &k.Workers.PageDown, &k.Profiles.PageDown, &k.Pager.PageDown},
		"top":             {&k.List.Top, &k.Detail.Top, &k.Inbox.Top, &k.Workers.Top, &k.Profiles.Top, &k.Pager.Top},
		"bottom":          {&k.List.Bottom, &k.Detail.Bottom, &k.Inbox.Bottom, &k.Workers.Bottom, &k.Profiles.Bottom, &k.Pager.Bottom},
		"open":            {&k.List.Open},
		"inbox":           {&k.List.Inbox},
		"mark":            {&k.List.Mark},
		"filter":          {&k.List.Filter},
		"show_finished":   {&k.List.Show},
		"dismiss":         {&k.List.Dismiss},
		"next_failure":    {&k.List.NextFailure},
		"help":            {&k.List.Help, &k.Detail.Help, &k.Inbox.Help, &k.Workers.Help, &k.Profiles.Help},
		"quit":            {&k.List.Quit, &k.Detail.Quit, &k.Inbox.Quit, &k.Workers.Quit, &k.Profiles.Quit, &k.Pager.Quit},
		"messages":        {&k.List.Messages, &k.Detail.Messages, &k.Inbox.Messages, &k.Workers.Messages, &k.Profiles.Messages},
		"next_task":       {&k.Inbox.NextTask, &k.Workers.NextTask},
		"previous_task":   {&k.Inbox.PrevTask, &k.Workers.PrevTask},
		"workers":         {&k.List.Workers},
		"profiles":        {&k.List.Profiles},
		"switch_profile":  {&k.Profiles.Switch},
		"send_event":      {&k.List.SendEvent, &k.Detail.SendEvent, &k.Inbox.SendEvent},
		"cancel":          {&k.List.Cancel, &k.Detail.Cancel},
		"refresh_timeout": {&k.List.Timeout, &k.Detail.Timeout},
		"restore":         {&k.List.Restore, &k.Detail.Restore},
		"replay":          {&k.List.Replay, &k.Detail.Replay},
		"branch":          {&k.Detail.Branch},
		"follow":          {&k.Detail.Follow},
		"open_child":      {&k.Detail.OpenChild},
		"next_child":      {&k.Detail.NextChild},
		"previous_child":  {&k.Detail.PrevChild},
		"parent":          {&k.Detail.Parent},
		"next_tab":        {&k.Detail.NextTab},
		"previous_tab":    {&k.Detail.PrevTab},
		"form_submit":     {&k.Form.Submit},
		"confirm":         {&k.Confirm.Yes},
		"attention":       {&k.List.Attention, &k.Inbox.Attention, &k.Detail.Attention},
		"sort":            {&k.List.Sort},
		"sort_reverse":    {&k.List.SortReverse},
	}
}

// Names lists the names a config file may rebind, sorted.
func (k KeyMap) Names() []string {
	names := make([]string, 0, 24)
	for n := range k.byName() {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Rebind returns the bindings with name bound to keys instead, or says
// why not: an unknown name, no keys, or a key another binding of the same
// scope already uses.
func (k KeyMap) Rebind(name string, keys []string) (KeyMap, error) {
	if _, ok := k.byName()[name]; !ok {
		return k, fmt.Errorf("unknown key binding %q (known: %s)", name, strings.Join(k.Names(), ", "))
	}
	if len(keys) == 0 || slices.Contains(keys, "") {
		return k, fmt.Errorf("key binding %q: give at least one key", name)
	}
	out := k
	for _, b := range out.byName()[name] {
		desc := b.Help().Desc
		b.SetKeys(keys...)
		b.SetHelp(strings.Join(keys, "/"), desc)
	}
	if err := out.Conflicts(); err != nil {
		return k, fmt.Errorf("key binding %q: %w", name, err)
	}
	return out, nil
}

// Conflicts reports a key bound twice within one scope.
func (k KeyMap) Conflicts() error {
	scopes := []struct {
		name   string
		groups [][]key.Binding
	}{
		{"list", k.List.FullHelp()}, {"detail", k.Detail.FullHelp()}, {"inbox", k.Inbox.FullHelp()},
		{"workers", k.Workers.FullHelp()},
		{"form", k.Form.FullHelp()}, {"confirm", k.Confirm.FullHelp()}, {"help", k.Pager.FullHelp()},
	}
	for _, s := range scopes {
		seen := map[string]string{}
		for _, g := range s.groups {
			for _, b := range g {
				for _, key := range b.Keys() {
					if prev, ok := seen[key]; ok && prev != b.Help().Desc {
						return fmt.Errorf("%q would be both %q and %q in the %s", key, prev, b.Help().Desc, s.name)
					}
					seen[key] = b.Help().Desc
				}
			}
		}
	}
	return nil
}
