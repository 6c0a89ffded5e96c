package model

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/ui"
)

// keepNotes is how much feedback the messages screen keeps.
const keepNotes = 50

// note is one line of feedback, kept for the messages screen (the
// `:messages` habit of vim and k9s): a toast goes, its note stays.
type note struct {
	at   time.Time
	text string
	tone ui.Tone
}

// say shows a toast in the footer for a while and keeps it as a note.
func (m *Model) say(text string, tone ui.Tone) {
	m.toast = toast{text: text, tone: tone, until: m.now.Add(toastFor)}
	m.remember(text, tone)
}

// sayWithHint is say with the hint of the key that acts on it ("a jumps
// to it"): the footer keeps the hint whole and cuts the text instead; the
// note keeps both.
func (m *Model) sayWithHint(text, hint string, tone ui.Tone) {
	if hint == "" {
		m.say(text, tone)
		return
	}
	m.say(text+" · "+hint, tone)
	m.toast.text, m.toast.hint = text, hint
}

// sayUntilNext shows a toast that stays until the next feedback: the
// outcome of an action is read after the fact.
func (m *Model) sayUntilNext(text string, tone ui.Tone) {
	m.toast = toast{text: text, tone: tone}
	m.remember(text, tone)
}

func (m *Model) remember(text string, tone ui.Tone) {
	m.notes = append(m.notes, note{at: m.now, text: text, tone: tone})
	if over := len(m.notes) - keepNotes; over > 0 {
		m.notes = append(m.notes[:0:0], m.notes[over:]...)
	}
}

// messagesScreen is the feedback history, newest last.
type messagesScreen struct{ scroll int }

func (*messagesScreen) layer() layer { return pageLayer }

func (*messagesScreen) bindings(m *Model) help.KeyMap { return m.keys.Pager }

func (s *messagesScreen) update(m *Model, msg tea.KeyMsg) tea.Cmd {
	k := m.keys.Pager
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Close):
		m.pop()
	default:
		if step, ok := navStep(msg, k.Nav, s.height(m)); ok {
			s.scroll = clamp(s.scroll-step, 0, max(len(m.notes)-s.height(m), 0))
		}
	}
	return nil
}

// height is the lines of notes on screen, under the header and title.
func (*messagesScreen) height(m *Model) int { return max(m.height-3, 1) }

// view shows the newest notes at the bottom; scroll counts lines up from
// the newest.
func (s *messagesScreen) view(m *Model) string {
	h := s.height(m)
	lines := []string{ui.Header(m.headerData(), m.width, m.styles), m.styles.Title.Render("messages · the last " + ui.Count(keepNotes, "message") + " hatchtop said")}
	to := len(m.notes) - s.scroll
	from := max(to-h, 0)
	var body []string
	if len(m.notes) == 0 {
		body = append(body, m.styles.Dim.Render("nothing said yet"))
	}
	for _, n := range m.notes[from:max(to, from)] {
		body = append(body, clock(n.at, m.now)+"  "+n.text)
	}
	for len(body) < h {
		body = append(body, "")
	}
	return strings.Join(append(lines, ui.TextLines(body, m.width)...), "\n")
}
