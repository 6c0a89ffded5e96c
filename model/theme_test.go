package model

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/keymap"
	"github.com/hatchtop/hatchtop/ui"
)

// themedModel is waitingModel's tasks on a renderer of the given profile,
// so the Styles New is given are the only ones the screen may draw with.
func themedModel(t *testing.T, profile termenv.Profile) Model {
	t.Helper()
	f := fake.New()
	f.SetTasks(durableTask("t1", "wait-or", -time.Minute), durableTask("t2", "sleeper", -2*time.Minute))
	f.SetLog("t1", eventEntry(1, "approval", t0, "approve"))
	f.SetLog("t2", sleepEntry(1, "nap", t0, time.Hour))
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(profile)
	r.SetHasDarkBackground(true)
	m := New(Deps{Engine: f, Since: 24 * time.Hour, Refresh: 2 * time.Second, Now: t0,
		Styles: ui.NewStyles(r), Keys: keymap.Default(), WholeList: true})
	m.tick = func() tea.Cmd { return nil }
	m.width, m.height = 120, 30
	return step(t, m, startMsg{})
}

// sgr is the escape sequence a style opens with, "" when it draws none.
func sgr(s lipgloss.Style) string {
	out := s.Render("x")
	i := strings.Index(out, "x")
	return out[:i]
}

// Behind a dialog the screen is dimmed in the theme's colour and keeps no
// colour of its own (the selected row's background would bleed into the
// box), and no line reaches the last column.
func TestDialogDimsTheScreenBehind(t *testing.T) {
	m := themedModel(t, termenv.TrueColor)
	if !strings.Contains(m.View(), "48;2;") {
		t.Fatalf("the list draws no selection background to strip:\n%q", m.View())
	}
	m = step(t, m, press("c"))
	v := m.View()
	lines := strings.Split(v, "\n")
	body := lines[:len(lines)-1] // the footer is the dialog's own
	dim := sgr(m.styles.Dim)
	if dim == "" {
		t.Fatal("the TrueColor theme has no dim colour")
	}
	if !strings.Contains(body[0], dim) || !strings.Contains(ansi.Strip(body[0]), "hatchtop") {
		t.Errorf("the header behind the dialog is not dimmed: %q", body[0])
	}
	for i, l := range body {
		if strings.Contains(l, "48;2;") {
			t.Errorf("line %d keeps a background colour of the screen: %q", i, l)
		}
		if w := ansi.StringWidth(l); w >= m.width {
			t.Errorf("line %d is %d cells wide on %d columns", i, w, m.width)
		}
	}
	if !strings.Contains(ansi.Strip(v), "Cancel 1 task?") {
		t.Errorf("no confirmation:\n%s", ansi.Strip(v))
	}
}

// The filter bar's hints are shown whole or not at all: a long filter at
// 80 columns leaves no "esc clear fil" behind.
func TestFilterBarKeepsHintsWhole(t *testing.T) {
	_, m := waitingModel(t, false)
	m.width = 80
	m = step(t, m, press("/"))
	full := ansi.Strip(m.help.View(m.keys.Filter))
	if !strings.Contains(full, "esc clear filter") {
		t.Fatalf("the filter's hints: %q", full)
	}
	// Whole hints from the start, or none.
	allowed := map[string]bool{"": true, full: true}
	for i := range full {
		if strings.HasPrefix(full[i:], " • ") {
			allowed[full[:i]] = true
		}
	}
	for n := 40; n <= 80; n++ {
		m.filter.SetValue(strings.Repeat("w", n))
		m.filter.CursorEnd()
		bar := ansi.Strip(lastLine(m.View()))
		if w := ansi.StringWidth(bar); w >= m.width {
			t.Fatalf("filter of %d: the bar is %d cells on %d columns", n, w, m.width)
		}
		rest := strings.TrimSpace(strings.TrimLeft(bar, "/w"))
		if !allowed[rest] {
			t.Fatalf("filter of %d: a hint cut mid-word: %q", n, bar)
		}
	}
}

// The bubbles (help, filter and form inputs, the payload editor, the
// spinner) draw with the Styles of the renderer hatchtop probed, not with
// lipgloss's global one: the theme's colours on a TrueColor terminal, no
// colour at all on a Mono one.
func TestBubblesTakeTheRenderersStyles(t *testing.T) {
	views := func(m Model) map[string]string {
		out := map[string]string{"footer": lastLine(m.View())}
		h := step(t, m, press("?"))
		for _, l := range strings.Split(h.View(), "\n") {
			if strings.Contains(ansi.Strip(l), "waits inbox") { // a row of the keys' columns
				out["help"] = l
			}
		}
		fl := step(t, m, press("/"))
		fl = typeText(t, fl, "wait")
		out["filter"] = lastLine(fl.View())
		e := step(t, m, press("e"))
		out["form payload"] = formOf(e).payload.View()
		out["form key"] = formOf(e).key.View()
		p := step(t, m, press("t"))
		if dp, ok := topIs[*durationPrompt](p); ok {
			out["timeout prompt"] = dp.field.View()
		} else {
			t.Fatalf("t opened no prompt:\n%s", p.View())
		}
		c := step(t, m, press("c"))
		c = update(c, press("enter")) // not run: the action stays in flight
		if c.busy == nil {
			t.Fatal("no action in flight after a confirmed cancel")
		}
		out["spinner"] = c.busy.spin.View()
		return out
	}

	m := themedModel(t, termenv.TrueColor)
	v := views(m)
	want := map[string]lipgloss.Style{
		"footer": m.styles.Dim, "help": m.styles.Dim, "filter": m.styles.FilterText,
		"form payload": m.styles.Dim, "form key": m.styles.Label, "timeout prompt": m.styles.Label,
		"spinner": m.styles.Warn,
	}
	for name, st := range want {
		if seq := sgr(st); seq != "" && !strings.Contains(v[name], seq) {
			t.Errorf("TrueColor %s does not draw with the theme's %q: %q", name, seq, v[name])
		}
	}

	mono := themedModel(t, termenv.Ascii)
	for name, s := range views(mono) {
		if strings.Contains(s, "38;") || strings.Contains(s, "48;") {
			t.Errorf("Mono %s draws colour: %q", name, s)
		}
	}
}

// The help's closing line is made from the binding that closes it, as
// every hint on screen is.
func TestHelpBackHintComesFromItsBinding(t *testing.T) {
	_, m := waitingModel(t, false)
	m = step(t, m, press("?"))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "esc goes back") {
		t.Errorf("the help does not say how to go back:\n%s", v)
	}
	m.keys.Pager.Close.SetHelp("⌫", "close")
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "⌫ goes back") || strings.Contains(v, "esc to go back") || strings.Contains(v, "esc goes back") {
		t.Errorf("the help's hint does not follow its binding:\n%s", v)
	}
}
