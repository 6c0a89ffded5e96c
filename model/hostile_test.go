package model

import (
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/mattn/go-runewidth"

	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
)

// hostileTexts measure differently in the renderer and in terminals, or
// steer the terminal; each is a wait label, an event key and a stream line.
var hostileTexts = []string{
	"pay\u00adment", "ok 👍🏽 go", "love ❤️ it", "pride 🏳️\u200d🌈 flag", "क्षत्रिय प्रतीक्षा", "invoice \u202egnp.exe",
}

func hostileModel(t *testing.T, width int) Model {
	t.Helper()
	f := fake.New()
	var tasks []durable.Task
	for i, s := range hostileTexts {
		id := "t" + strconv.Itoa(i)
		task := durableTask(id, "task-"+strconv.Itoa(i), -time.Duration(i+1)*time.Minute)
		tasks = append(tasks, task)
		f.SetLog(id, eventEntry(1, s, t0.Add(-10*time.Second), "key:"+s))
	}
	f.SetTasks(tasks...)
	m := startedModel(t, f)
	m.width, m.height = width, 24
	return m
}

// hostileViews are the screens that show the hostile texts: the list, the
// inbox, and the detail's overview, timeline and stream of the first task.
func hostileViews(t *testing.T, width int) map[string]string {
	m := hostileModel(t, width)
	views := map[string]string{"list": m.View()}
	m = step(t, m, press("w"))
	views["inbox"] = m.View()
	m = step(t, m, press("esc"))
	m = step(t, m, press("enter"))
	for i, s := range hostileTexts {
		m = update(m, feedEvent(durable.RunEvent{Kind: durable.TaskStream, RunID: m.detail().taskID, TaskID: m.detail().taskID,
			Index: int64(i), Payload: strings.Repeat(s+" ", 15) + "\n"}))
	}
	for _, tab := range []string{"1", "2", "3"} {
		m = step(t, m, press(tab))
		views["detail-"+tab] = m.View()
	}
	m = step(t, m, press("esc"))
	m = step(t, m, press("e"))
	views["send-event"] = m.View()
	return views
}

// At 80 and 160 columns no line of any of these screens reaches the last
// column, by the renderer's measure or drawn code point by code point, and
// no format or bidi control reaches the screen. The list, inbox and stream
// are goldens; run with -update to refresh.
func TestHostileTextsKeepTheScreen(t *testing.T) {
	for _, w := range []int{80, 160} {
		t.Run(strconv.Itoa(w), func(t *testing.T) {
			views := hostileViews(t, w)
			for name, v := range views {
				for i, line := range strings.Split(v, "\n") {
					if lw := ansi.StringWidth(line); lw >= w {
						t.Errorf("%s line %d: %d cells by the renderer, reaching column %d: %q", name, i, lw, w, line)
					}
					if cw := perCodePoint(line); cw >= w {
						t.Errorf("%s line %d: %d cells code point by code point, reaching column %d: %q", name, i, cw, w, line)
					}
				}
				if strings.ContainsAny(v, "\u00ad\u200d\u202e\x1b") {
					t.Errorf("%s: a control reached the screen:\n%q", name, v)
				}
			}
			for _, s := range []string{"👍🏽", "क्षत्रिय"} {
				if !strings.Contains(views["list"], s) || !strings.Contains(views["inbox"], s) || !strings.Contains(views["detail-3"], s) {
					t.Errorf("%q is missing from the list, inbox or stream", s)
				}
			}
			golden.RequireEqual(t, []byte(views["list"]+"\n"+views["inbox"]+"\n"+views["detail-3"]))
		})
	}
}

// perCodePoint measures a line as a terminal without grapheme clusters
// does: marks and format characters take nothing, every other code point
// its go-runewidth width, at least one.
func perCodePoint(line string) int {
	n := 0
	for _, r := range ansi.Strip(line) {
		if !unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
			n += max(runewidth.RuneWidth(r), 1)
		}
	}
	return n
}

// The filter line is drawn by the model, not by ui's renderers: it too
// stays off the last column, however much is typed.
func TestFilterLineStaysOffTheLastColumn(t *testing.T) {
	m := hostileModel(t, 80)
	m = step(t, m, press("/"))
	m = step(t, m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(strings.Repeat("👍🏽x", 30)), Paste: true})
	lines := strings.Split(m.View(), "\n")
	last := lines[len(lines)-1]
	if w := perCodePoint(last); w >= 80 || ansi.StringWidth(last) >= 80 {
		t.Errorf("the filter line is %d cells: %q", w, last)
	}
}
