package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/ui"
)

// detailChrome is the lines around the detail's content: the chrome plus
// the pane's note line.
const detailChrome = ui.DetailChromeHeight + 1

const timeFormat = "15:04:05"

func (m Model) detailView() string {
	d := m.detail()
	task, _ := m.detailTask()
	head := ui.DetailHead{Task: task.Name, Phase: task.Phase(), Status: string(task.Phase()), Active: int(d.tab)}
	if task.Name == "" {
		head.Task, head.Status = d.taskID, "loading"
	}
	if ev := m.eviction(); ev.State == durable.Restoring {
		head.Status += " · restoring"
	}
	head.Status += m.slotHeadNote(task)
	cfg := m.detailConfig()
	if task.Attempt > 0 {
		head.Attempt = durable.AttemptText(task.Attempt, cfg.MaxRetries)
	}
	if at, ok := m.detailTimeoutAt(); ok && durable.TimeoutRisk(at, m.detailWaits(), m.now, m.timeoutWarn) {
		head.Warn = "may time out: " + m.timeoutText(at)
	}
	head.Tabs = tabNames[:]
	body := m.detailBodyHeight()
	note, lines := m.detailPane(body)
	return ui.Header(m.headerData(), m.width, m.styles) + "\n" +
		ui.DetailHeader(head, m.width, m.styles) + "\n" +
		ui.Pane(note, lines, body+1, m.width, m.styles)
}

// detailPane is the current tab's note and the lines on screen.
func (m Model) detailPane(h int) (string, []string) {
	d := m.detail()
	switch d.tab {
	case tabStream:
		// Only the lines on screen are built: a stream keeps 2000.
		b := m.streams[d.taskID]
		var lines, shown []string
		if b != nil {
			from, to := windowRange(b.count(), d.scroll[d.tab], h, !d.paused[d.tab])
			for i := from; i < to; i++ {
				lines = append(lines, b.line(i))
			}
			shown = ui.TextLines(lines, m.width)
			for i := from; i < to; i++ {
				if b.isGap(i) { // our own marker: dimmed, apart from the output
					shown[i-from] = m.styles.Dim.Render(shown[i-from])
				}
			}
		}
		return b.note(d.openedAt) + m.followNote(), shown
	case tabLogs:
		from, to := windowRange(len(d.logs), d.scroll[d.tab], h, !d.paused[d.tab])
		lines := make([]string, 0, to-from)
		for _, l := range d.logs[from:to] {
			lines = append(lines, l.At.Local().Format("15:04:05.000")+" "+fmt.Sprintf("%-5s", strings.ToUpper(l.Level))+" "+l.Message)
		}
		note := fmt.Sprintf("%d ctx.log lines", len(d.logs))
		if d.logsDropped > 0 {
			note = fmt.Sprintf("%d earlier lines dropped (keeps the last %d) · ", d.logsDropped, maxLogLines) + note
		}
		if d.logsErr != "" {
			note += " · " + d.logsErr
		} else if d.logsAt.IsZero() {
			note = "loading ctx.log lines…"
		}
		return note + m.followNote(), ui.TextLines(lines, m.width)
	case tabTimeline:
		lines := m.cachedDetailLines(func() []string { return ui.TimelineLines(m.timelineRows(), m.width, m.styles) })
		note := ui.TimelineNote(m.styles)
		if d.entriesAt.IsZero() {
			note = "loading the durable event log…"
		} else if len(lines) == 1 {
			note = "the durable event log is empty"
		}
		// Keep the header line, scroll the rest.
		return note, append(lines[:1:1], window(lines[1:], d.scroll[d.tab], h-1, false)...)
	}
	lines := m.detailLines()
	note := ""
	if d.infoErr != "" {
		note = "detail: " + d.infoErr
	} else if d.info == nil {
		note = "loading the task's detail…"
	} else {
		note = "as of " + durable.FormatDuration(m.now.Sub(d.infoAt).Truncate(time.Second)) + " ago"
	}
	from, to := windowRange(len(lines), d.scroll[d.tab], h, false)
	if below := len(lines) - to; below > 0 {
		note += " · ↓ " + ui.Count(below, "more line") + " (" + m.keys.Detail.Down.Help().Key + ")"
	}
	return note, lines[from:to]
}

func (m Model) followNote() string {
	f := m.keys.Detail.Follow.Help().Key
	if d := m.detail(); !d.paused[d.tab] {
		return " · following (" + f + " to stop)"
	}
	return " · paused (" + f + " to follow)"
}

// windowRange is the [from, to) of h lines out of total starting at
// scroll, or the last h when following.
func windowRange(total, scroll, h int, follow bool) (from, to int) {
	maxScroll := max(total-h, 0)
	if follow || scroll > maxScroll {
		scroll = maxScroll
	}
	return scroll, min(scroll+h, total)
}

// window is the h lines of all starting at scroll, or the last h when
// following.
func window(all []string, scroll, h int, follow bool) []string {
	from, to := windowRange(len(all), scroll, h, follow)
	return all[from:to]
}

// detailLineCount is the length of the current tab's content.
func (m Model) detailLineCount() int {
	d := m.detail()
	switch d.tab {
	case tabStream:
		if b := m.streams[d.taskID]; b != nil {
			return b.count()
		}
		return 0
	case tabLogs:
		return len(d.logs)
	case tabTimeline:
		return len(durable.Timeline(d.entries))
	}
	return len(m.detailLines())
}

// detailLines renders the overview or data tab whole; both are small.
func (m Model) detailLines() []string {
	return m.cachedDetailLines(func() []string {
		if m.detail().tab == tabData {
			return ui.SectionLines(m.dataSections(), m.width, m.styles)
		}
		return ui.SectionLines(m.overviewSections(), m.width, m.styles)
	})
}

func (m Model) detailConfig() durable.Config {
	if m.detail().info != nil && (m.detail().info.Config.MaxRetries >= 0 || m.detail().info.Config.Timeout > 0) {
		return m.detail().info.Config
	}
	if st, ok := m.tasks[m.detail().taskID]; ok {
		if cfg, ok := m.sched.configs[st.cfgKey]; ok {
			return cfg
		}
	}
	return durable.UnknownConfig()
}

func (m Model) detailEvents() []durable.TaskEvent {
	if m.detail().info != nil {
		return m.detail().info.Events
	}
	if st, ok := m.tasks[m.detail().taskID]; ok {
		return st.events
	}
	return nil
}

func (m Model) detailWaits() []durable.Wait { return durable.OpenWaits(m.detail().entries) }

func (m Model) eviction() durable.Eviction { return durable.EvictionOf(m.detailEvents()) }

// detailTimeoutAt is the execution deadline of the open task: the one its
// row keeps (a task that left the list has finished and has none).
func (m Model) detailTimeoutAt() (time.Time, bool) {
	if st, ok := m.tasks[m.detail().taskID]; ok {
		return m.timeoutAt(st)
	}
	return time.Time{}, false
}

// timeoutText is "in 4m10s" or "2s ago".
func (m Model) timeoutText(at time.Time) string {
	d, past := durable.Remaining(at, m.now)
	if past {
		return durable.FormatDuration(d) + " ago"
	}
	return "in " + durable.FormatDuration(d)
}

// clock is a time of day, with the day when it is not today's.
func clock(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if t.YearDay() != now.YearDay() || t.Year() != now.Year() {
		return t.Format("Mon 02 Jan " + timeFormat)
	}
	return t.Format(timeFormat)
}

func field(name, value string) ui.Field {
	if value == "" {
		return ui.Field{Name: name, Value: "unknown", Tone: ui.Unknown}
	}
	return ui.Field{Name: name, Value: value}
}

func stamp(t time.Time, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 "+timeFormat) + " (" + durable.FormatDuration(now.Sub(t).Truncate(time.Second)) + " ago)"
}

// overviewSections is every Context attribute the engine lets an outsider
// read, and what is unknown says so.
func (m Model) overviewSections() []ui.Section {
	d := m.detail()
	task, _ := m.detailTask()
	info := d.info
	cfg := m.detailConfig()

	ids := ui.Section{Title: "task"}
	ids.Fields = append(ids.Fields,
		field("task id", d.taskID),
		field("run id", task.RunID),
		field("workflow", task.WorkflowName),
		field("workflow id", task.WorkflowID),
		field("version id", task.VersionID),
		field("status", string(task.Phase())),
	)
	durableText := "no"
	if task.Durable {
		durableText = "yes"
	}
	ids.Fields = append(ids.Fields, field("durable", durableText))

	run := ui.Section{Title: "attempts and timing"}
	maxRetries := "unknown"
	if cfg.MaxRetries >= 0 {
		maxRetries = strconv.Itoa(cfg.MaxRetries)
	}
	run.Fields = append(run.Fields,
		field("attempt", attemptCell(task.Attempt, cfg.MaxRetries)), // the name says "attempt" already
	)
	if durable.AttemptsExceeded(task.Attempt, cfg.MaxRetries) {
		run.Fields = append(run.Fields, ui.Field{Name: "", Tone: ui.Unknown,
			Value: "past the maximum: the engine counts reassignments after restarts too"})
	}
	run.Fields = append(run.Fields,
		field("retry count", strconv.Itoa(task.RetryCount)),
		ui.Field{Name: "max retries", Value: maxRetries, Tone: toneIf(cfg.MaxRetries < 0, ui.Unknown)},
		field("created", stamp(task.CreatedAt, m.now)),
		field("started", stamp(task.StartedAt, m.now)),
	)
	if e := task.Elapsed(m.now); e > 0 {
		run.Fields = append(run.Fields, field("elapsed", durable.FormatDuration(e.Truncate(time.Second))))
	}
	if cfg.Timeout > 0 {
		run.Fields = append(run.Fields, field("timeout", durable.FormatDuration(cfg.Timeout)))
	}
	if at, ok := m.detailTimeoutAt(); ok {
		f := field("time to timeout", m.timeoutText(at)+" (at "+clock(at, m.now)+")")
		if durable.TimeoutRisk(at, m.detailWaits(), m.now, m.timeoutWarn) {
			f.Tone, f.Value = ui.Warning, "⚠ "+f.Value+": shorter than the wait"
		}
		run.Fields = append(run.Fields, f)
	} else if task.Status.Active() {
		run.Fields = append(run.Fields, ui.Field{Name: "time to timeout", Value: "unknown until the task's events load", Tone: ui.Unknown})
	}
	worker := ""
	if info != nil {
		// The id alone: v0.105.0's task and task-event answers carry no
		// worker name (only GET /api/v1/workers/{id} does, a request more).
		worker = ui.WorkerText("", info.WorkerID)
	}
	run.Fields = append(run.Fields, field("worker", worker))
	run.Fields = append(run.Fields, m.slotFields(task)...)
	if task.Durable {
		ev := m.eviction()
		switch ev.State {
		case durable.Evicted:
			run.Fields = append(run.Fields, ui.Field{Name: "evicted", Value: "yes, " + stamp(ev.At, m.now) + ": " + ev.Reason, Tone: ui.Warning})
		case durable.Restoring:
			run.Fields = append(run.Fields, ui.Field{Name: "evicted", Value: "restoring: " + ev.Reason, Tone: ui.Warning})
		default:
			if task.Evicted {
				run.Fields = append(run.Fields, ui.Field{Name: "evicted", Value: "yes (reason not loaded yet)", Tone: ui.Warning})
			} else {
				run.Fields = append(run.Fields, field("evicted", "no"))
			}
		}
		if n := durable.Invocations(m.detailEvents(), task.RetryCount); n > 0 {
			run.Fields = append(run.Fields, field("invocations", strconv.Itoa(n)+" (starts of this attempt: the first and each restore)"))
		}
	}

	ctx := ui.Section{Title: "context"}
	switch {
	case info != nil && info.ParentTaskID != "":
		ctx.Fields = append(ctx.Fields, field("parent task", info.ParentTaskID))
	case info != nil:
		ctx.Fields = append(ctx.Fields, ui.Field{Name: "parent task", Value: "none: not spawned by another task", Tone: ui.Unknown})
	default:
		ctx.Fields = append(ctx.Fields, field("parent task", ""))
	}
	ctx.Fields = append(ctx.Fields, priorityField(info), triggerField(info, task.Metadata))
	ctx.Fields = append(ctx.Fields, metadataFields(task.Metadata)...)

	// The open waits first: at 80x24 the last sections are below the fold.
	var secs []ui.Section
	if waits := m.detailWaits(); len(waits) > 0 {
		ws := ui.Section{Title: "open waits"}
		for _, w := range waits {
			v := w.Title() + " · " + w.Summary()
			if c := m.waitChild(w); c != "" {
				v = w.Title() + " · " + c // the child run named says more than its workflow's name
			}
			if c := durable.Countdown(w, m.now); c != "" {
				v += " · " + c
			}
			ws.Fields = append(ws.Fields, ui.Field{Name: entryRef(w.Key.Branch, w.Key.Node), Value: v})
		}
		secs = append(secs, ws)
	}
	if c := m.childrenSection(); c != nil {
		secs = append(secs, *c)
	}
	return append(secs, ids, run, ctx)
}

// priorityField is the run's priority when the engine tells it; v0.105.0
// tells only the workflow's default.
func priorityField(info *durable.Detail) ui.Field {
	switch {
	case info != nil && info.Priority > 0:
		return field("priority", strconv.Itoa(info.Priority))
	case info != nil && info.DefaultPriority > 0:
		return ui.Field{Name: "priority", Value: "not exposed for the run; the workflow's default is " + strconv.Itoa(info.DefaultPriority), Tone: ui.Unknown}
	}
	return ui.Field{Name: "priority", Value: "not exposed by the engine's API for v1 tasks", Tone: ui.Unknown}
}

// triggerField says whether an event triggered the run: the engine
// records the trigger event in the run's metadata (hatchet__event_key).
func triggerField(info *durable.Detail, md map[string]any) ui.Field {
	key, _ := md["hatchet__event_key"].(string)
	if info != nil && info.TriggerEventKey != "" {
		key = info.TriggerEventKey
	}
	switch {
	case key != "":
		return ui.Field{Name: "triggered by", Value: "event " + key}
	case info != nil && info.TriggeredByEvent != nil && *info.TriggeredByEvent:
		return ui.Field{Name: "triggered by", Value: "an event (id " + info.TriggerEventID + ")"}
	case info != nil && info.TriggeredByEvent != nil:
		return ui.Field{Name: "triggered by", Value: "not an event: run directly or spawned"}
	case info != nil:
		return ui.Field{Name: "triggered by", Value: "unknown: the engine did not say", Tone: ui.Unknown}
	}
	return ui.Field{Name: "triggered by", Value: "unknown until the detail loads", Tone: ui.Unknown}
}

func toneIf(cond bool, t ui.Tone) ui.Tone {
	if cond {
		return t
	}
	return ui.Plain
}

// metadataFields lists additional metadata sorted by key.
func metadataFields(md map[string]any) []ui.Field {
	if len(md) == 0 {
		return []ui.Field{{Name: "metadata", Value: "none", Tone: ui.Unknown}}
	}
	keys := make([]string, 0, len(md))
	for k := range md {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []ui.Field
	for _, k := range keys {
		v, _ := json.Marshal(md[k])
		out = append(out, ui.Field{Name: "metadata", Value: k + " = " + string(v)})
	}
	return out
}

// dataSections is the input, output, errors and the outputs of the run's
// other tasks, pretty-printed.
func (m Model) dataSections() []ui.Section {
	info := m.detail().info
	if info == nil {
		return []ui.Section{{Title: "data", Fields: []ui.Field{{Name: "input", Value: "loading…", Tone: ui.Unknown}}}}
	}
	io := ui.Section{Title: "input and output"}
	io.Fields = append(io.Fields, jsonField("input", info.Input, "unknown"))
	out := "none yet"
	if !info.Status.Active() {
		out = "none"
	}
	io.Fields = append(io.Fields, jsonField("output", info.Output, out))
	errs := ui.Section{Title: "errors"}
	if info.Error != "" {
		errs.Fields = append(errs.Fields, ui.Field{Name: "this task", Tone: ui.Bad, Block: errorBlock(info.Error), Wrap: true})
	} else {
		errs.Fields = append(errs.Fields, ui.Field{Name: "this task", Value: "none", Tone: ui.Unknown})
	}
	for _, name := range sortedKeys(info.UpstreamErrors) {
		errs.Fields = append(errs.Fields, ui.Field{Name: name, Tone: ui.Bad, Block: errorBlock(info.UpstreamErrors[name]), Wrap: true})
	}
	secs := []ui.Section{io, errs}
	if len(info.ParentOutputs) > 0 {
		up := ui.Section{Title: "outputs of the run's other tasks"}
		for _, name := range sortedKeys(info.ParentOutputs) {
			up.Fields = append(up.Fields, parentOutputField(info, name))
		}
		secs = append(secs, up)
	}
	return append(secs, filterSections(info)...)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// jsonField pretty-prints raw JSON under its name; invalid JSON is shown
// as it came.
func jsonField(name string, raw json.RawMessage, none string) ui.Field {
	if len(bytes.TrimSpace(raw)) == 0 || string(raw) == "null" {
		return ui.Field{Name: name, Value: none, Tone: ui.Unknown}
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return ui.Field{Name: name, Block: strings.Split(string(raw), "\n")}
	}
	return ui.Field{Name: name, Block: strings.Split(buf.String(), "\n")}
}

// timelineRows turns the event log into the timeline's rows.
func (m Model) timelineRows() []ui.TimelineRow {
	d := m.detail()
	items := durable.Timeline(d.entries)
	rows := make([]ui.TimelineRow, 0, len(items))
	for i, it := range items {
		e := it.Entry
		r := ui.TimelineRow{
			Ref:        fmt.Sprintf("b%d n%d", e.BranchID, e.NodeID), // ui.EntryText words it
			Kind:       string(e.Kind),
			Label:      e.Label,
			Registered: e.InsertedAt.Local().Format(timeFormat),
			Superseded: it.Superseded,
			Selected:   i == d.entry,
		}
		if it.Folded > 1 {
			r.Ref = fmt.Sprintf("b%d n%d-%d", e.BranchID, e.NodeID, it.LastNode)
			r.Kind = fmt.Sprintf("MEMO ×%d", it.Folded)
		}
		if e.Kind != durable.EntryMemo {
			w := durable.WaitOf(e)
			r.On = w.Summary()
			if r.Label == "" && e.Kind == durable.EntryWaitFor {
				r.Label = w.Describe()
			}
			switch {
			case e.Satisfied:
				r.State, r.Tone = "satisfied "+e.SatisfiedAt.Local().Format(timeFormat), ui.Good
			case it.Superseded:
				r.State = "replaced by a branch"
			default:
				r.State = "waiting"
				if c := durable.Countdown(w, m.now); c != "" {
					r.State += " · " + c
				}
				if w.Overdue(m.now) {
					r.Tone = ui.Warning
				}
			}
		} else {
			r.State = "memo"
		}
		if it.Superseded && !e.Satisfied {
			r.State = "replaced by a branch"
		}
		rows = append(rows, r)
	}
	return rows
}
