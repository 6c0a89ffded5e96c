package model

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/keymap"
)

// tab is one pane of the detail.
type tab int

const (
	tabOverview tab = iota
	tabTimeline
	tabStream
	tabLogs
	tabData
	numTabs
)

var tabNames = [numTabs]string{"overview", "timeline", "stream", "logs", "data"}

// The detail's pacing: the README's "How hatchtop polls" states it.
const (
	detailEvery    = 5 * time.Second  // task, its events and its run
	detailLogEvery = selectedLogEvery // its durable event log while open and it can change
	logLinesEvery  = 2 * time.Second  // new ctx.log lines of a running task
	maxLogLines    = 5000             // ctx.log lines kept for the open task
)

// detailState is the open detail of one task. It outlives the task's row:
// a task that finishes stays readable here.
type detailState struct {
	taskID   string
	openedAt time.Time
	tab      tab
	scroll   [numTabs]int
	// paused is a stream or logs tab that does not stick to its end;
	// each tab pauses on its own, so both open following.
	paused [numTabs]bool
	entry  int // the timeline's selected item

	info         *durable.Detail
	infoErr      string
	infoAt       time.Time
	infoStale    bool
	infoInFlight bool
	infoRetryAt  time.Time

	entries   []durable.Entry // its durable event log, all branches
	entriesAt time.Time

	logs         []durable.LogLine
	logsDropped  int // the oldest lines let go to keep maxLogLines
	logsAt       time.Time
	logsErr      string
	logsInFlight bool

	children childrenState // the runs it spawned (children.go)
}

// detailMsg carries one fetch of a task's detail.
type detailMsg struct {
	taskID string
	detail durable.Detail
	err    error
}

// logLinesMsg carries the ctx.log lines of a task newer than since.
type logLinesMsg struct {
	taskID string
	lines  []durable.LogLine
	err    error
}

func fetchDetail(e engine.Engine, taskID string) tea.Cmd {
	return request(func(ctx context.Context) (durable.Detail, error) { return e.TaskDetail(ctx, taskID) },
		func(d durable.Detail, err error) tea.Msg { return detailMsg{taskID: taskID, detail: d, err: err} })
}

func fetchLogLines(e engine.Engine, taskID string, since time.Time) tea.Cmd {
	return request(func(ctx context.Context) ([]durable.LogLine, error) { return e.LogLines(ctx, taskID, since) },
		func(lines []durable.LogLine, err error) tea.Msg {
			return logLinesMsg{taskID: taskID, lines: lines, err: err}
		})
}

// openDetail opens the detail of the selected task over what is on show.
func (m *Model) openDetail() {
	if len(m.shown) == 0 {
		return
	}
	d := &detailState{taskID: m.selectedID, openedAt: m.now}
	if st, ok := m.tasks[m.selectedID]; ok && st.entries != nil {
		d.entries, d.entriesAt = st.entries, st.logAt
	}
	m.push(d)
}

// detailTask is the task the detail shows: the live row while there is
// one, else what the last detail fetch said.
func (m Model) detailTask() (durable.Task, bool) {
	if st, ok := m.tasks[m.detail().taskID]; ok {
		return st.task, true
	}
	if m.detail().info != nil {
		return m.detail().info.Task, true
	}
	return durable.Task{}, false
}

func (m *Model) onDetail(msg detailMsg) {
	d := m.detail()
	if d == nil || d.taskID != msg.taskID {
		return
	}
	d.infoInFlight = false
	if msg.err != nil {
		d.infoErr = msg.err.Error()
		d.infoRetryAt = m.now.Add(errorRetryAfter)
		if errors.Is(msg.err, engine.ErrNotFound) {
			d.infoErr = "the engine does not know this task (yet)"
		}
		return
	}
	info := msg.detail
	d.info, d.infoErr, d.infoAt, d.infoStale = &info, "", m.now, false
	// The detail's events and configuration serve the list too.
	if st, ok := m.tasks[msg.taskID]; ok {
		st.events, st.eventsAt, st.eventsStale = info.Events, m.now, false
		if _, known := m.sched.configs[st.cfgKey]; !known && (info.Config.MaxRetries >= 0 || info.Config.Timeout > 0) {
			m.sched.configs[st.cfgKey] = info.Config
		}
		m.rebuildDeadline(st)
	}
}

func (m *Model) onLogLines(msg logLinesMsg) {
	d := m.detail()
	if d == nil || d.taskID != msg.taskID {
		return
	}
	d.logsInFlight = false
	d.logsAt = m.now
	if msg.err != nil {
		d.logsErr = msg.err.Error()
		return
	}
	d.logsErr = ""
	for _, l := range msg.lines {
		if !seenLine(d.logs, l) {
			d.logs = append(d.logs, l)
		}
	}
	if over := len(d.logs) - maxLogLines; over > 0 {
		d.logs = slices.Clone(d.logs[over:]) // not to pin the dropped ones
		d.logsDropped += over
	}
}

// seenLine reports whether l is already among the lines at its own time:
// asking "since the last line's time" returns that line again.
func seenLine(lines []durable.LogLine, l durable.LogLine) bool {
	for i := len(lines) - 1; i >= 0 && !lines[i].At.Before(l.At); i-- {
		if lines[i].At.Equal(l.At) && lines[i].Message == l.Message {
			return true
		}
	}
	return false
}

// scheduleDetail returns the detail's fetches due now.
func (m *Model) scheduleDetail() []tea.Cmd {
	d := m.detail()
	if d == nil {
		return nil
	}
	var cmds []tea.Cmd
	task, known := m.detailTask()
	active := !known || task.Status.Active()
	if !d.infoInFlight && !m.now.Before(d.infoRetryAt) &&
		(d.info == nil || d.infoStale || (active && m.now.Sub(d.infoAt) >= detailEvery)) {
		d.infoInFlight = true
		cmds = append(cmds, fetchDetail(m.engine, d.taskID))
	}
	// ctx.log lines: only the open task, only new ones, while it runs (and
	// once more after it finished, for the last lines).
	if !d.logsInFlight && m.now.Sub(d.logsAt) >= logLinesEvery && (active || !d.logsAt.After(d.infoAt)) {
		d.logsInFlight = true
		var since time.Time
		if n := len(d.logs); n > 0 {
			since = d.logs[n-1].At
		}
		cmds = append(cmds, fetchLogLines(m.engine, d.taskID, since))
	}
	// The durable event log: the list's scheduler fetches it for rows; a
	// task that left the list, or an open one, is refetched here.
	if st, ok := m.tasks[d.taskID]; ok && st.finished() {
		// Once more after the finish, so the timeline shows how the last
		// wait ended; never again.
		if task.Durable && !m.sched.logsInFlight[d.taskID] && m.finalLogOwed(st) {
			m.sched.logsInFlight[d.taskID] = true
			cmds = append(cmds, fetchLog(m.engine, d.taskID))
		}
	} else if task.Durable && !m.sched.logsInFlight[d.taskID] && (d.entriesAt.IsZero() || (active && m.now.Sub(d.entriesAt) >= detailLogEvery)) {
		// Like the selected row: a row asleep until a known deadline is
		// left alone (its row's scheduler fetches it at the deadline or on
		// a signal, which refreshes the detail too).
		if st, ok := m.tasks[d.taskID]; (!ok || !m.now.Before(st.retryAt)) && (!ok || d.entriesAt.IsZero() || st.stale || m.canChange(st)) {
			m.sched.logsInFlight[d.taskID] = true
			cmds = append(cmds, fetchLog(m.engine, d.taskID))
		}
	}
	return append(cmds, m.scheduleChildren(d)...)
}

func (*detailState) layer() layer { return pageLayer }

// keys is the detail's bindings as its tab and task enable them.
func (d *detailState) keys(m *Model) keymap.Detail {
	k := m.keys.Detail
	k.Follow.SetEnabled(d.tab == tabStream || d.tab == tabLogs)
	m.enableActions(&k.Actions, &k.Branch)
	many := d.tab == tabOverview && len(d.children.tasks) > 1
	k.OpenChild.SetEnabled(d.tab == tabOverview && len(d.children.tasks) > 0)
	k.NextChild.SetEnabled(many)
	k.PrevChild.SetEnabled(many)
	k.Parent.SetEnabled(d.info != nil && d.info.ParentTaskID != "")
	k.Attention.SetEnabled(m.attentionElsewhere(d))
	return k
}

func (d *detailState) bindings(m *Model) help.KeyMap { return d.keys(m) }

func (d *detailState) view(m *Model) string { return m.detailView() }

// update handles a key while the detail is on top.
func (d *detailState) update(m *Model, msg tea.KeyMsg) tea.Cmd {
	k := m.keys.Detail
	if cmd, ok := m.pageKeys(msg, k.Help, k.Quit, k.Messages); ok {
		return cmd
	}
	tabs := []key.Binding{k.Tab1, k.Tab2, k.Tab3, k.Tab4, k.Tab5}
	switch {
	case key.Matches(msg, k.Back):
		m.pop()
	case key.Matches(msg, k.NextTab):
		d.tab = (d.tab + 1) % numTabs
	case key.Matches(msg, k.PrevTab):
		d.tab = (d.tab + numTabs - 1) % numTabs
	case key.Matches(msg, tabs...):
		for i, b := range tabs {
			if key.Matches(msg, b) {
				d.tab = tab(i)
			}
		}
	case key.Matches(msg, d.keys(m).Follow):
		d.paused[d.tab] = !d.paused[d.tab]
	case key.Matches(msg, d.keys(m).OpenChild, d.keys(m).NextChild, d.keys(m).PrevChild, d.keys(m).Parent):
		m.childKey(d, msg)
	case key.Matches(msg, d.keys(m).Attention):
		m.jumpToAttention()
	default:
		if step, ok := navStep(msg, k.Nav, m.detailBodyHeight()); ok {
			m.scrollDetail(step)
			return nil
		}
		return m.onActionKey(msg, k.Actions, k.Branch)
	}
	return nil
}

// scrollDetail moves the timeline's selection or the pane's scroll. In
// the stream and logs, scrolling up leaves follow mode and reaching the
// end resumes it, as `less +F` does.
func (m *Model) scrollDetail(delta int) {
	d := m.detail()
	if d.tab == tabTimeline {
		n := len(durable.Timeline(d.entries))
		// Less the timeline's header line.
		d.entry, d.scroll[d.tab] = keepInView(d.entry+delta, d.scroll[d.tab], n, m.detailBodyHeight()-1)
		return
	}
	total := m.detailLineCount()
	h := m.detailBodyHeight()
	maxScroll := max(total-h, 0)
	cur := d.scroll[d.tab]
	if (d.tab == tabStream || d.tab == tabLogs) && !d.paused[d.tab] {
		cur = maxScroll
	}
	cur = clamp(cur+delta, 0, maxScroll)
	d.scroll[d.tab] = cur
	if d.tab == tabStream || d.tab == tabLogs {
		d.paused[d.tab] = cur != maxScroll
	}
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }

// detailBodyHeight is the lines of content under the detail's chrome,
// less the pane's note line.
func (m Model) detailBodyHeight() int {
	return max(m.height-detailChrome, 1)
}
