package model

import (
	"io"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/attention"
	"github.com/hatchtop/hatchtop/ui"
)

// Attention is what --notify needs: which waits call for a person, what
// the terminal shows, and where its bytes go.
type Attention struct {
	Filter   attention.Filter
	Terminal attention.Terminal
	// Out is the program's output: main passes os.Stdout, and only when
	// it is a terminal. Writing there from a Cmd is safe while Bubble Tea's
	// renderer owns the screen: the renderer writes each frame (and each
	// of its own sequences) in one Write, and an *os.File serialises Writes
	// (its poll.FD takes a write lock for the whole buffer), so our bytes
	// land between two frames, never inside one. BEL and OSC move no
	// cursor, so the renderer's idea of the screen stays right. tea.Printf
	// is no use: it prints nothing while the alternate screen is on.
	Out io.Writer
}

// notifyGap is the least time between two notifications: a burst of new
// waits (a hundred runs started at once) rings once and says how many
// more came; the next tick sends what waited.
const notifyGap = 3 * time.Second

// keepRecent is how many notified waits the jump key can go back to.
const keepRecent = 64

// attentionState is the --notify trigger and what it has told about.
type attentionState struct {
	Attention
	trigger *attention.Trigger
	// firstLoad is the tasks of the first list answer (and of the first
	// page before it), taken once when the first answer is applied; a
	// task's id leaves it with its first log.
	firstLoad map[string]bool
	armed     bool
	pending   []attention.Notice
	lastAt    time.Time
	recent    []attention.Notice // notified, newest last
}

func newAttention(a *Attention, now time.Time) *attentionState {
	if a == nil || a.Out == nil {
		return nil
	}
	return &attentionState{Attention: *a, trigger: attention.New(a.Filter, now), firstLoad: map[string]bool{}}
}

// observeWaits gives the trigger a task's open waits, just derived from a
// log; call it before the log's time is recorded (logAt zero is the first
// sight). Before the first list answer every log belongs to the first load.
func (m *Model) observeWaits(st *taskState) {
	a := m.attn
	if a == nil {
		return
	}
	id := st.task.ID
	first := st.logAt.IsZero()
	load := !a.armed || a.firstLoad[id]
	delete(a.firstLoad, id)
	a.pending = append(a.pending, a.trigger.Observe(attention.Observation{
		TaskID: id, Task: st.task.Name, Waits: st.waits, FirstSight: first, FirstLoad: first && load,
	})...)
}

// flushAttention arms the trigger once the first list answer is in, and
// sends what is pending unless a notification went out under notifyGap
// ago: one bell and one notification for the newest wait, counting the
// others. It also says so in the footer and keeps it in the messages.
func (m *Model) flushAttention() tea.Cmd {
	a := m.attn
	if a == nil {
		return nil
	}
	if !a.armed && m.listGen > 0 {
		a.armed = true
		for id, st := range m.tasks {
			if st.logAt.IsZero() {
				a.firstLoad[id] = true
			}
		}
	}
	if len(a.pending) == 0 || (!a.lastAt.IsZero() && m.now.Sub(a.lastAt) < notifyGap) {
		return nil
	}
	a.recent = append(a.recent, a.pending...)
	if over := len(a.recent) - keepRecent; over > 0 {
		a.recent = append(a.recent[:0:0], a.recent[over:]...)
	}
	n := a.pending[len(a.pending)-1]
	n.More = len(a.pending) - 1
	a.pending, a.lastAt = a.pending[:0], m.now
	m.sayWithHint(n.Title()+" "+n.Body(), hint(m.keys.List.Attention, "jumps to it"), ui.Warning)
	seq, out := attention.Encode(n, a.Terminal), a.Out
	return func() tea.Msg {
		_, _ = out.Write(seq) // a terminal that is gone ends the program anyway
		return nil
	}
}

// attentionTarget is the newest notified wait still open, if any.
func (m Model) attentionTarget() (string, bool) {
	if m.attn == nil {
		return "", false
	}
	for i := len(m.attn.recent) - 1; i >= 0; i-- {
		n := m.attn.recent[i]
		st, ok := m.tasks[n.TaskID]
		if !ok || !st.task.Status.Active() {
			continue
		}
		for _, w := range st.waits {
			if w.Key.Node == n.Node {
				return n.TaskID, true
			}
		}
	}
	return "", false
}

// jumpToAttention opens the detail of the newest notified wait's task
// over the page the key was pressed on (esc comes back to it); from a
// detail, in place of it, so that jumps do not pile up. The list's cursor
// goes to the task, as when it is opened from the list.
func (m *Model) jumpToAttention() {
	id, ok := m.attentionTarget()
	if !ok {
		return
	}
	if d, on := topIs[*detailState](*m); on {
		if d.taskID == id {
			return
		}
		m.pop()
	}
	m.selectTask(id)
	m.openTaskDetail(id)
}

// attentionElsewhere reports whether the jump key has somewhere to go
// from the open detail: a notified wait of another task.
func (m *Model) attentionElsewhere(d *detailState) bool {
	id, ok := m.attentionTarget()
	return ok && id != d.taskID
}
