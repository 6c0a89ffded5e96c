package ui

import (
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/hatchtop/hatchtop/durable"
)

// colourLayout is plainStyles with the marks of a colour screen: the text
// as a terminal with colours lays it out, minus the escapes.
func colourLayout() Styles {
	st := plainStyles()
	st.Mono = false
	return st
}

func tableLines(rows []Row, width int, st Styles) []string {
	return strings.Split(Table(rows, width, 0, "", st), "\n")
}

// Filtering to one row, or a feed turning a row "completed", must not move
// the columns: widths come from the terminal's width alone.
func TestListColumnsDoNotMoveWithTheRows(t *testing.T) {
	for _, w := range []int{80, 120, 160, 240} {
		all := tableLines(sampleRows(), w, colourLayout())
		one := tableLines(sampleRows()[4:], w, colourLayout())
		done := sampleRows()[4:]
		done[0].Phase = durable.PhaseCompleted
		completed := tableLines(done, w, colourLayout())
		if all[0] != one[0] || all[0] != completed[0] {
			t.Errorf("%d columns: the titles moved with the rows:\n%s\n%s\n%s", w, all[0], one[0], completed[0])
		}
		if all[5] != one[1] {
			t.Errorf("%d columns: the same row drew differently alone:\n%q\n%q", w, all[5], one[1])
		}
	}
}

// At 240 columns the spare width goes to the wait's label and what it is
// on; the short columns keep the width their values need.
func TestListSpareWidthGoesToWaitAndOn(t *testing.T) {
	widths := listWidths(drawable(240))
	fixed := map[int]int{colStatus: 11, colRemaining: wideRemaining, colAttempt: 9, colTimeout: 7, colElapsed: 7}
	for col, want := range fixed {
		if widths[col] != want {
			t.Errorf("column %s is %d wide, want %d", listColumns[col].title, widths[col], want)
		}
	}
	if widths[colTask] > 40 || widths[colWorkflow] > 24 {
		t.Errorf("TASK %d, WORKFLOW %d: past their bounds", widths[colTask], widths[colWorkflow])
	}
	if widths[colWait] < 50 || widths[colOn] < 60 {
		t.Errorf("WAIT %d, ON %d: the spare width went elsewhere (%v)", widths[colWait], widths[colOn], widths)
	}
	t.Logf("widths at 240: %v, at 80: %v", widths, listWidths(drawable(80)))
	// At 80 the countdown is as wide as its title, no wider.
	if w := listWidths(drawable(80)); w[colRemaining] != len("REMAINING") {
		t.Errorf("REMAINING is %d wide at 80 columns", w[colRemaining])
	}
}

// At 80x24 two tasks that share a long prefix stay apart: the name is cut
// in the middle, keeping the end that differs.
func TestTaskNamesCutInTheMiddle(t *testing.T) {
	rows := []Row{
		{Phase: durable.PhaseRunning, Task: "sleep-labelled-long-name-3", Wait: "nap", Attempt: "1/1"},
		{Phase: durable.PhaseRunning, Task: "sleep-labelled-long-name-7", Wait: "nap", Attempt: "1/1"},
	}
	out := Table(rows, 80, 0, "", colourLayout())
	for _, want := range []string{"sleep-l…g-name-3", "sleep-l…g-name-7"} {
		if !strings.Contains(out, want) {
			t.Errorf("80 columns lost the end of the name %q:\n%s", want, out)
		}
	}
}

// ON keeps the event key one would send: the words around it go first.
func TestOnKeepsTheEventKey(t *testing.T) {
	rows := []Row{
		{Phase: durable.PhaseEvicted, Task: "wait-event", Wait: "awaiting payment confirmation", On: "event payment:confirmed", Attempt: "1/1"},
		{Phase: durable.PhaseRunning, Task: "wait-or", Wait: "approval", On: "sleep 10m | event approval:granted", Attempt: "1/1"},
	}
	out := Table(rows, 80, 0, "", colourLayout())
	for _, want := range []string{"payment:confirmed", "approval:granted "} {
		if !strings.Contains(out, want) {
			t.Errorf("80 columns cut the event key %q:\n%s", want, out)
		}
	}
	if got := fitOn("event e2e:approval:granted | sleep 10m", 27); got != "e2e:approval:granted …     " {
		t.Errorf("an event first in an OR: %q", got)
	}
	if got := fitOn("event a-very-long-event-key:with-a-suffix", 16); ansi.StringWidth(got) != 16 || !strings.HasSuffix(strings.TrimSpace(got), "suffix") {
		t.Errorf("a key longer than the column is cut in its middle: %q", got)
	}
}

// An overdue wait and an attempt past its maximum read right in the
// narrow columns ("5/3" would read as another count: it stays whole); at
// 160 columns the overdue words fit.
func TestNarrowCountdownsKeepTheirMeaning(t *testing.T) {
	r := Row{Phase: durable.PhaseRunning, Task: "t", Remaining: "overdue 59m59s", Overdue: true, Attempt: "5 (max 3)"}
	narrow := Table([]Row{r}, 80, 0, "", colourLayout())
	if !strings.Contains(narrow, "-59m59s") || !strings.Contains(narrow, "5 (max 3)") {
		t.Errorf("80 columns:\n%s", narrow)
	}
	wide := Table([]Row{r}, 160, 0, "", colourLayout())
	if !strings.Contains(wide, "overdue 59m59s") || !strings.Contains(wide, "5 (max 3)") {
		t.Errorf("160 columns:\n%s", wide)
	}
}

// Without colour (NO_COLOR, TERM=dumb) the selection, the active tab and
// the replaced timeline entries still show.
func TestMonoMarksWhatColourWould(t *testing.T) {
	st := plainStyles()
	if !st.Mono {
		t.Fatal("an Ascii renderer must give Mono styles")
	}
	lines := tableLines(sampleRows(), 80, st)
	if !strings.HasPrefix(lines[1], "> ") || !strings.HasPrefix(lines[2], "  ") {
		t.Errorf("the selected row is not marked:\n%s", strings.Join(lines, "\n"))
	}
	head := DetailHeader(DetailHead{Task: "t", Phase: durable.PhaseRunning, Status: "running", Tabs: []string{"overview", "timeline"}, Active: 1}, 80, st)
	if !strings.Contains(head, "[2 timeline]") || strings.Contains(head, "[1") {
		t.Errorf("the active tab is not marked:\n%s", head)
	}
	tl := TimelineLines([]TimelineRow{{Ref: "b1 n1", Kind: "WAIT_FOR", Superseded: true}, {Ref: "b2 n1", Kind: "WAIT_FOR", Selected: true}, {Ref: "b2 n2", Kind: "MEMO"}}, 80, st)
	if !strings.HasPrefix(tl[1], "- ") || !strings.HasPrefix(tl[2], "> ") || !strings.HasPrefix(tl[3], "  ") {
		t.Errorf("timeline marks:\n%s", strings.Join(tl, "\n"))
	}
	inbox := InboxTable([]InboxRow{{Key: "a", Selected: true}, {Key: "b"}}, 0, 80, 4, "", st)
	if l := strings.Split(inbox, "\n"); !strings.HasPrefix(l[1], "> ") || !strings.HasPrefix(l[2], "  ") {
		t.Errorf("inbox selection:\n%s", inbox)
	}
	// With colour the marks stay out of the way.
	if l := tableLines(sampleRows(), 80, colourLayout()); strings.HasPrefix(l[1], ">") {
		t.Errorf("a colour screen got the mono mark: %q", l[1])
	}
}

func TestCountAndPlural(t *testing.T) {
	for _, c := range []struct {
		n          int
		noun, want string
	}{{0, "task", "0 tasks"}, {1, "task", "1 task"}, {2, "wait", "2 waits"}, {1, "feed", "1 feed"}, {3, "match", "3 matches"}, {2, "box", "2 boxes"}} {
		if got := Count(c.n, c.noun); got != c.want {
			t.Errorf("Count(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}

func TestHeaderFeedsInWords(t *testing.T) {
	h := sampleHeader()
	h.FeedsLive = 1
	if l := firstHeaderLine(h, 160); !strings.Contains(l, "1 feed streaming") || strings.Contains(l, "feeds") {
		t.Errorf("one feed: %q", l)
	}
	h.FeedsLive, h.FeedsRetrying = 2, 1
	if l := firstHeaderLine(h, 160); !strings.Contains(l, "2 feeds streaming · ◌ 1 feed reconnecting") {
		t.Errorf("two and one: %q", l)
	}
}

func TestTimelineInPlainWords(t *testing.T) {
	cases := map[string]string{"b1 n3": "3", "b1 n3-6": "3–6", "b1 n1-n4": "1–4", "b2 n5": "5, branch 2", "x": "x"}
	for ref, want := range cases {
		if got := EntryText(ref); got != want {
			t.Errorf("EntryText(%q) = %q, want %q", ref, got, want)
		}
	}
	kinds := map[string]string{"WAIT_FOR": "wait", "RUN": "child run", "MEMO": "memo", "MEMO ×3": "3 memos", "SOME_NEW": "some new"}
	for k, want := range kinds {
		if got := EntryKindText(k); got != want {
			t.Errorf("EntryKindText(%q) = %q, want %q", k, got, want)
		}
	}
	out := strings.Join(TimelineLines([]TimelineRow{{Ref: "b1 n1", Kind: "WAIT_FOR", Label: "nap", State: "waiting"}}, 80, colourLayout()), "\n")
	if strings.Contains(out, "WAIT_FOR") || strings.Contains(out, "b1 n1") {
		t.Errorf("engine jargon in the rows:\n%s", out)
	}
	if n := TimelineNote(colourLayout()); !strings.Contains(n, "WAIT_FOR") || !strings.Contains(n, "branch") {
		t.Errorf("the note does not explain the engine's words: %q", n)
	}
}

func TestSectionsLeadFirstAndNoRepeatedName(t *testing.T) {
	secs := []Section{
		{Title: "attempts and timing", Fields: []Field{{Name: "attempt", Value: "attempt 1/1"}, {Name: "worker", Value: WorkerText("py-worker", "4f1e9f4a-2b8e-1c0d-5a11-707d08553c4b")}}},
		{Title: "open waits", Lead: true, Fields: []Field{{Name: "nap", Value: "sleep 2m"}}},
	}
	lines := SectionLines(secs, 80, colourLayout())
	if lines[0] != "open waits" {
		t.Errorf("open waits are not first:\n%s", strings.Join(lines, "\n"))
	}
	out := strings.Join(lines, "\n")
	if strings.Contains(out, "attempt 1/1") || !strings.Contains(out, "attempt  1/1") {
		t.Errorf("attempt repeats its name:\n%s", out)
	}
	if !strings.Contains(out, "py-worker (4f1e9f4a)") {
		t.Errorf("the worker is not shown by name:\n%s", out)
	}
	if got := WorkerText("", "4f1e9f4a-2b8e"); got != "4f1e9f4a-2b8e" {
		t.Errorf("no name: %q", got)
	}
}

func TestWindowSaysWhatIsHidden(t *testing.T) {
	all := []string{"a", "b", "c", "d", "e", "f"}
	st := colourLayout()
	if got := Window(all, 0, 4, 80, st); got[3] != "↓ 3 more" || got[0] != "a" {
		t.Errorf("top: %q", got)
	}
	if got := Window(all, 2, 4, 80, st); got[0] != "↑ 3 more" || got[3] != "f" {
		t.Errorf("bottom: %q", got)
	}
	if got := Window(all[:3], 0, 4, 80, st); len(got) != 3 || got[2] != "c" {
		t.Errorf("all fits: %q", got)
	}
}

func TestFooterHintsWholeOrNotAtAll(t *testing.T) {
	help := "enter open • / filter • esc clear filter • ? help"
	for w := 10; w <= 60; w++ {
		out := Footer(FooterData{Help: help}, w, colourLayout())
		if !strings.HasPrefix(help, out) || (out != help && out != "" && !strings.HasPrefix(help[len(out):], " • ")) {
			t.Errorf("at %d cells the footer cut a hint: %q", w, out)
		}
		if ansi.StringWidth(out) >= w {
			t.Errorf("at %d cells the footer is %d wide", w, ansi.StringWidth(out))
		}
	}
}

func colourStyles() Styles {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(true)
	return NewStyles(r)
}

// A dialog over the screen: the screen stays, dimmed and without its own
// colours; the box sits in the middle, whole, and no line reaches the
// last column, wide clusters beside the box included.
func TestOverlayDimsTheScreenBehindABox(t *testing.T) {
	st := colourStyles()
	var screen []string
	for i := range 10 {
		screen = append(screen, st.Error.Render(strings.Repeat("支払", 10)+" row "+strconv.Itoa(i)))
	}
	box := Dialog("Cancel 1 task?", []DialogLine{{Text: "it stops for good"}}, 40, 10, st)
	out := Overlay(strings.Join(screen, "\n"), box, 60, 10, st)
	lines := strings.Split(out, "\n")
	if len(lines) != 10 {
		t.Fatalf("%d lines, want 10", len(lines))
	}
	red := st.Error.Render("x")
	red = red[:strings.Index(red, "x")]
	dim := st.Dim.Render("x")
	dim = dim[:strings.Index(dim, "x")]
	for i, l := range lines {
		if strings.Contains(l, red) {
			t.Errorf("line %d keeps the screen's colour: %q", i, l)
		}
		if w := ansi.StringWidth(l); w >= 60 {
			t.Errorf("line %d is %d cells wide", i, w)
		}
	}
	plain := ansi.Strip(out)
	if !strings.Contains(plain, "Cancel 1 task?") || !strings.Contains(plain, "row 0") || !strings.Contains(plain, "row 9") {
		t.Errorf("box or screen missing:\n%s", plain)
	}
	if !strings.HasPrefix(lines[0], dim) {
		t.Errorf("the screen is not dimmed: %q", lines[0])
	}
	// The box is centred: its top edge is as far from the left as its
	// right edge from the drawable width.
	for _, l := range strings.Split(plain, "\n") {
		if i := strings.Index(l, "╭"); i >= 0 {
			left := ansi.StringWidth(l[:i])
			right := 59 - left - ansi.StringWidth(strings.TrimRight(l[i:], " ")[:strings.Index(l[i:], "╮")+len("╮")])
			if d := left - right; d < -1 || d > 1 {
				t.Errorf("box not centred: %d cells left, %d right: %q", left, right, l)
			}
		}
	}
}

func TestFitHelpDropsWholeHints(t *testing.T) {
	st := colourLayout()
	bs := []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel"), key.WithDisabled()),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
	}
	if got := FitHelp(bs, 80, st); got != "enter open • esc clear filter • ? help" {
		t.Errorf("wide: %q", got)
	}
	if got := FitHelp(bs, 29, st); got != "enter open" {
		t.Errorf("narrow: %q", got)
	}
}

// The bubbles components take their styles from the probed renderer: a
// colour renderer's styles colour them even where the global renderer
// (a test has no terminal) would not.
func TestBubblesStylesFollowTheRenderer(t *testing.T) {
	st := colourStyles()
	if h := HelpStyles(st); h.ShortKey.Render("q") == "q" || h.ShortDesc.Render("quit") == "quit" {
		t.Error("help styles draw no style on a colour renderer")
	}
	ti := textinput.New()
	StyleTextInput(&ti, st)
	ti.Placeholder = "payload"
	if v := ti.View(); !strings.Contains(v, "\x1b[") {
		t.Errorf("text input drawn without the renderer's styles: %q", v)
	}
	ta := textarea.New()
	ta.SetValue("{}")
	before := ta.View()
	StyleTextArea(&ta, st)
	if after := ta.View(); after == before {
		t.Errorf("text area drawn with its default styles after StyleTextArea: %q", after)
	}
	mono := HelpStyles(plainStyles())
	if mono.ShortKey.Render("q") != "q" {
		t.Error("an Ascii renderer's help styles draw escapes")
	}
}

func TestInputFooterKeepsHintsWhole(t *testing.T) {
	help := "enter apply • esc clear filter"
	for w := 10; w <= 60; w++ {
		out := InputFooter("/ payment", help, w)
		if ansi.StringWidth(out) >= w {
			t.Errorf("at %d cells the footer is %d wide: %q", w, ansi.StringWidth(out), out)
		}
		if hints, ok := strings.CutPrefix(out, "/ payment   "); ok && !strings.HasPrefix(help, hints) {
			t.Errorf("at %d cells: %q", w, out)
		} else if ok && hints != help && !strings.HasPrefix(help[len(hints):], " • ") {
			t.Errorf("at %d cells a hint was cut: %q", w, out)
		}
	}
}

// The task picked among a key's several waiters is marked: "> " without
// colour, the selection's style with it; a lone waiter is not.
func TestInboxMarksThePickedWaiter(t *testing.T) {
	rows := []InboxRow{{Key: "pay", Selected: true, Waiters: []InboxWaiter{{Task: "a", Title: "x"}, {Task: "b", Title: "y", Selected: true}}}}
	mono := NewStyles(func() *lipgloss.Renderer {
		r := lipgloss.NewRenderer(nil)
		r.SetColorProfile(termenv.Ascii)
		return r
	}())
	l := strings.Split(InboxTable(rows, 0, 80, 5, "", mono), "\n")
	if !strings.Contains(l[2], "└   a") || !strings.Contains(l[3], "└ > b") {
		t.Errorf("mono inbox waiters:\n%s", strings.Join(l, "\n"))
	}
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.TrueColor)
	colour := NewStyles(r)
	l = strings.Split(InboxTable(rows, 0, 80, 5, "", colour), "\n")
	if !strings.Contains(l[3], colour.Selected.Render("b")) || strings.Contains(l[2], colour.Selected.Render("a")) || strings.Contains(ansi.Strip(l[3]), ">") {
		t.Errorf("colour inbox waiters:\n%q\n%q", l[2], l[3])
	}
	rows[0].Waiters = rows[0].Waiters[:1]
	if l := strings.Split(InboxTable(rows, 0, 80, 5, "", mono), "\n"); !strings.Contains(l[2], "└ a") {
		t.Errorf("a lone waiter: %q", l[2])
	}
}

// A toast's hint stays whole at the end; the text is cut for it, and only
// a footer too narrow for a few cells of text drops the hint.
func TestFooterKeepsTheToastHint(t *testing.T) {
	st := colourLayout()
	f := FooterData{Toast: "hatchtop: approve-new waits: awaiting approval (event order:approved)", ToastHint: "a jumps to it"}
	for _, w := range []int{80, 60, 40} {
		out := ansi.Strip(Footer(f, w, st))
		if !strings.HasSuffix(out, "… · a jumps to it") || ansi.StringWidth(out) >= w {
			t.Errorf("%d columns: %q", w, out)
		}
	}
	if out := ansi.Strip(Footer(f, 120, st)); out != f.Toast+" · a jumps to it" {
		t.Errorf("120 columns: %q", out)
	}
	if out := ansi.Strip(Footer(f, 20, st)); strings.Contains(out, "jumps") || ansi.StringWidth(out) >= 20 {
		t.Errorf("20 columns: %q", out)
	}
}
