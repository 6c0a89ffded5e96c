package ui

import (
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/mattn/go-runewidth"

	"github.com/hatchtop/hatchtop/durable"
)

// hostile are strings that terminals and the renderer measure differently,
// or that steer the terminal: each goes into a label, an event key and a
// stream line.
var hostile = []struct{ name, s string }{
	{"soft hyphen", "pay\u00adment"},
	{"skin tone", "ok 👍🏽 go"},
	{"vs16", "love ❤️ it"},
	{"zwj flag", "pride 🏳️\u200d🌈 flag"},
	{"devanagari", "क्षत्रिय प्रतीक्षा"},
	{"rtl override", "invoice \u202egnp.exe"},
	{"all at once", "👍🏽👍🏽👍🏽 क्षत्रिय 🏳️\u200d🌈❤️\u00ad\u202e"},
	{"escapes", "\x1b]0;pwned\x07\x1b[31mred\x1b[0m \u009b2J"},
	{"family zwj", "team 👨\u200d👩\u200d👧 here"},
	{"flags", "ship 🇯🇵🇫🇷 to"},
	{"keycap", "press 1\ufe0f\u20e3 now"},
	{"vs16 text", "sun ☀\ufe0f and ✈\ufe0f"},
	{"wide cjk", "支払い確認待ち-支払い確認待ち"},
}

func hostileRows() []Row {
	var rows []Row
	for i, h := range hostile {
		rows = append(rows, Row{
			Phase: durable.PhaseRunning, Task: "task-" + strconv.Itoa(i) + "-" + h.s, Workflow: h.s,
			Wait: h.s, On: "event " + h.s, Remaining: "1m" + strconv.Itoa(i) + "s", Attempt: "1/1",
			Timeout: "4m", Elapsed: "9s", Selected: i == 1,
		})
	}
	return rows
}

// hostileScreens renders every screen part that shows engine text with the
// hostile strings in it, in width columns.
func hostileScreens(w int) string {
	st := plainStyles()
	var parts []string
	h := sampleHeader()
	h.Addr, h.Version, h.Filter = hostile[1].s+":7077", hostile[4].s, hostile[6].s
	parts = append(parts, Header(h, w, st))
	parts = append(parts, Table(hostileRows(), w, len(hostile)+1, "", st))

	var inbox []InboxRow
	var timeline []TimelineRow
	var stream []string
	var fields []Field
	for i, h := range hostile {
		inbox = append(inbox, InboxRow{Key: h.s, Wakes: 1, Labels: h.s, Next: "2m", Selected: i == 0,
			Waiters: []InboxWaiter{{Task: h.s, Title: h.s, Remaining: "2m"}}})
		timeline = append(timeline, TimelineRow{Ref: "b1 n" + strconv.Itoa(i), Kind: "wait\x1b[2J", Label: h.s,
			On: "event " + h.s, Registered: "12:00:00", State: "open " + h.s, Selected: i == 2})
		stream = append(stream, strings.Repeat(h.s+" ", 12))
		fields = append(fields, Field{Name: "label", Value: strings.Repeat(h.s+" ", 10), Block: []string{h.s}},
			Field{Name: "meta " + h.s, Value: "a metadata key"})
	}
	parts = append(parts, InboxTable(inbox, 0, w, len(hostile)+3, "", st))
	parts = append(parts, strings.Join(TimelineLines(timeline, w, st), "\n"))
	parts = append(parts, Pane("stream · "+hostile[1].s, TextLines(stream, w), len(stream)+1, w, st))
	parts = append(parts, strings.Join(SectionLines([]Section{{Title: hostile[3].s, Fields: fields}}, w, st), "\n"))
	parts = append(parts, DetailHeader(DetailHead{Task: hostile[4].s, Phase: durable.PhaseRunning, Status: "running",
		Attempt: "attempt 1/1", Warn: hostile[1].s, Tabs: []string{"overview", "timeline"}}, w, st))
	parts = append(parts, Dialog("Send event "+hostile[3].s, []DialogLine{{Text: "key " + hostile[2].s},
		{Text: strings.Repeat(hostile[4].s+" ", 12)}, {Text: strings.Repeat("👍🏽", 60)}}, w, 9, st))
	parts = append(parts, Footer(FooterData{Toast: strings.Repeat(hostile[1].s, 20)}, w, st))
	// A dialog over a screen of hostile rows: the box and the dimmed rows
	// beside it share lines.
	screen := Table(hostileRows(), w, len(hostile)+1, "", st)
	box := Dialog("Cancel "+hostile[8].s+"?", []DialogLine{{Text: hostile[9].s}, {Text: hostile[12].s}, {Text: hostile[11].s}}, min(w, 60), 7, st)
	parts = append(parts, Overlay(screen, box, w, len(hostile)+2, st))
	parts = append(parts, HelpScreen(strings.Repeat("keys "+Clean(hostile[6].s)+" ", 10),
		[]string{strings.Repeat(hostile[4].s, 10), "reason: " + hostile[6].s}, "esc goes back", w, 9, st))
	return strings.Join(parts, "\n")
}

// Goldens of every screen part with the hostile strings, at 80 and 160
// columns. No line may reach the last column, by the renderer's measure
// nor by a terminal that draws code point by code point, and no control
// from the strings may reach the screen. Run with -update to refresh.
func TestHostileStringsGoldens(t *testing.T) {
	for _, w := range []int{80, 160} {
		t.Run(strconv.Itoa(w), func(t *testing.T) {
			out := hostileScreens(w)
			for i, line := range strings.Split(out, "\n") {
				if lw := ansi.StringWidth(line); lw >= w {
					t.Errorf("line %d is %d cells by the renderer, reaching column %d: %q", i, lw, w, line)
				}
				if cw := codePointWidth(line); cw >= w {
					t.Errorf("line %d is %d cells drawn code point by code point, reaching column %d: %q", i, cw, w, line)
				}
			}
			if strings.ContainsAny(out, "\u00ad\u200d\u202e\x1b\u009b") {
				t.Errorf("a format or bidi control reached the screen:\n%q", out)
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}

// codePointWidth measures a line the way a terminal without grapheme
// clusters does, one code point at a time as wcwidth does: marks and
// format characters take nothing, other code points their width in
// go-runewidth's tables (independent of the renderer's), at least one.
func codePointWidth(line string) int {
	n := 0
	for _, r := range ansi.Strip(line) {
		if !unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
			n += max(runewidth.RuneWidth(r), 1)
		}
	}
	return n
}
