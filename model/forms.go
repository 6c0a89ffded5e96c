package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/keymap"
	"github.com/hatchtop/hatchtop/preflight"
	"github.com/hatchtop/hatchtop/ui"
)

// The fields of the send-event form, in focus order.
const (
	fieldKey = iota
	fieldPayload
	fieldScope
	fieldMeta
	numFields
)

// eventForm is the send-event form: the key (prefilled from a wait, with
// its other keys one ↑/↓ away), a JSON payload checked as it is typed, an
// optional scope and optional metadata. It owns the keyboard while open.
//
// What it sends is what it shows: a wait's key the text field cannot hold
// as it is (control characters) or that hatchtop refuses to send is shown
// escaped and refused, never altered and sent.
type eventForm struct {
	keys      []string // candidate keys from the wait or the inbox group, exact
	keyShown  []string // what the key field shows for each: escaped when unsendable
	keyErrs   []error  // why each candidate cannot be sent; nil when it can
	keyIdx    int
	origin    string // what it was opened from, for the title
	scopeNote string // where a prefilled scope came from
	target    string // the task it was opened for; "" from the inbox
	key       textinput.Model
	payload   textarea.Model
	scope     textinput.Model
	meta      textinput.Model
	focus     int
	km        keymap.Form

	// The payload is checked once per change, here, never per frame.
	pasted      string // a paste too big for the editor, held as it is
	payloadRaw  string // the editor's content when last checked
	payloadSize int    // its size in bytes (or the held paste's)
	payloadText string // the payload as it will be sent
	payloadErr  error
	payloadRows int    // lines in the editor
	notice      string // why the last paste was not inserted

	// The other fields' verdicts, also kept from their last change.
	keyExact string            // the key that would be sent
	keyErr   error             // why it cannot be
	scopeErr error             //
	metadata map[string]string // parsed metadata; nil when none
	metaErr  error             //
}

// bigPaste is the size from which a paste is held outside the editor: the
// editor redraws every line of its content in each frame.
const bigPaste = 64 << 10

func newEventForm(keys []string, origin string, km keymap.Form, width int, st ui.Styles) eventForm {
	f := eventForm{keys: keys, origin: origin, km: km}
	for _, k := range keys {
		err := preflight.Key(k)
		shown := k
		if err != nil {
			shown = preflight.Escape(k)
		}
		f.keyShown = append(f.keyShown, shown)
		f.keyErrs = append(f.keyErrs, err)
	}
	f.key = textinput.New()
	f.key.Prompt = ""
	f.key.Placeholder = "event key"
	if len(keys) > 0 {
		f.key.SetValue(f.keyShown[0])
	}
	f.payload = textarea.New()
	f.payload.Placeholder = "{}"
	f.payload.ShowLineNumbers = false
	f.payload.SetHeight(5)
	f.scope = textinput.New()
	f.scope.Prompt = ""
	f.scope.Placeholder = "none"
	f.meta = textinput.New()
	f.meta.Prompt = ""
	f.meta.Placeholder = `{"source": "hatchtop"} (optional)`
	for _, in := range []*textinput.Model{&f.key, &f.scope, &f.meta} {
		ui.StyleTextInput(in, st)
	}
	ui.StyleTextArea(&f.payload, st)
	f.resize(width)
	// A steady cursor: a blinking one redraws the screen twice a second
	// for nothing.
	for _, c := range []*cursor.Model{&f.key.Cursor, &f.scope.Cursor, &f.meta.Cursor, &f.payload.Cursor} {
		c.SetMode(cursor.CursorStatic)
	}
	// The key is prefilled: what is left to type is the payload.
	if len(keys) > 0 {
		f = f.setFocus(fieldPayload)
	} else {
		f.key.Focus()
	}
	f.checkPayload()
	f.checkFields()
	return f
}

// rememberScope prefills the scope last sent with the form's key: the
// engine does not say which waits are scoped, the user's last push does.
func (f *eventForm) rememberScope(scopes map[string]string) {
	if len(f.keys) == 0 {
		return
	}
	if sc, ok := scopes[f.keys[0]]; ok && sc != "" {
		f.scope.SetValue(sc)
		f.scopeNote = "prefilled with the scope of your last push of this key"
		f.checkFields()
	}
}

func (f *eventForm) resize(width int) {
	w := min(max(width-16, 20), 90)
	f.key.Width, f.scope.Width, f.meta.Width = w, w, w
	f.payload.SetWidth(w)
}

// Update handles one key; submit is reported by the caller's check of
// km.Submit, so the form only edits.
func (f eventForm) Update(msg tea.Msg) (eventForm, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case k.Paste && f.focus == fieldPayload:
			return f.editPayload(k)
		case key.Matches(k, f.km.Next):
			return f.setFocus((f.focus + 1) % numFields), nil
		case key.Matches(k, f.km.Prev):
			return f.setFocus((f.focus + numFields - 1) % numFields), nil
		case f.focus == fieldKey && len(f.keys) > 1 && key.Matches(k, f.km.PickKey):
			// The binding's first key goes back, any other forward.
			step := 1
			if k.String() == f.km.PickKey.Keys()[0] {
				step = len(f.keys) - 1
			}
			f.keyIdx = (f.keyIdx + step) % len(f.keys)
			f.key.SetValue(f.keyShown[f.keyIdx])
			f.key.CursorEnd()
			f.checkFields()
			return f, nil
		case f.focus == fieldPayload:
			return f.editPayload(k)
		case k.Paste && len(k.Runes) > preflight.MaxMessage:
			// Over the whole message's limit on its rune count alone.
			f.notice = fmt.Sprintf("the paste is over %d characters, more than the engine's %s message holds; nothing was inserted",
				preflight.MaxMessage, preflight.Size(preflight.MaxMessage))
			return f, nil
		}
	}
	var cmd tea.Cmd
	switch f.focus {
	case fieldKey:
		f.key, cmd = f.key.Update(msg)
	case fieldPayload:
		f.payload, cmd = f.payload.Update(msg)
	case fieldScope:
		f.scope, cmd = f.scope.Update(msg)
	case fieldMeta:
		f.meta, cmd = f.meta.Update(msg)
	}
	if _, ok := msg.(tea.KeyMsg); ok && f.focus != fieldPayload {
		f.notice = ""
		f.checkFields()
	}
	return f, cmd
}

// checkFields keeps the verdicts on the key, scope and metadata, so that
// drawing the form parses nothing.
func (f *eventForm) checkFields() {
	f.keyExact, f.keyErr = f.keyValue()
	f.scopeErr = preflight.Scope(f.scope.Value())
	f.metadata, f.metaErr = f.parseMetadata()
}

// editPayload applies one key to the payload and checks the result once.
// A paste over the engine's limit is refused before it is stored, on its
// size alone; a big one is held as it is, outside the editor.
func (f eventForm) editPayload(k tea.KeyMsg) (eventForm, tea.Cmd) {
	if f.pasted != "" {
		switch k.Type {
		case tea.KeyBackspace, tea.KeyDelete, tea.KeyCtrlU:
			f.pasted = ""
			f.notice = ""
			f.payload.Reset()
			f.checkPayload()
		default:
			f.notice = "the pasted payload is too big to edit here; backspace clears it"
		}
		return f, nil
	}
	if k.Type == tea.KeyRunes {
		size, rows := 0, 0
		for _, r := range k.Runes {
			size += utf8.RuneLen(r)
			if r == '\n' {
				rows++
			}
		}
		have := f.payloadSize
		switch {
		case have+size > preflight.MaxPayload:
			f.notice = fmt.Sprintf("the paste is %s; with it the payload would be %d bytes, over the engine's %s message limit; nothing was inserted",
				preflight.Size(size), have+size, preflight.Size(preflight.MaxMessage))
			return f, nil
		case size >= bigPaste && have == 0:
			f.pasted = string(k.Runes)
			f.notice = ""
			f.checkPayload()
			return f, nil
		case f.payloadRows+rows > preflight.MaxPayloadLines:
			f.notice = fmt.Sprintf("the paste has %d lines and the editor holds %d; it was not inserted (compact the JSON, or paste it into an empty payload)",
				rows+1, preflight.MaxPayloadLines)
			return f, nil
		}
	}
	var cmd tea.Cmd
	f.payload, cmd = f.payload.Update(k)
	if f.payload.Value() != f.payloadRaw {
		f.notice = ""
		f.checkPayload()
	}
	return f, cmd
}

// checkPayload validates the payload as it stands, once.
func (f *eventForm) checkPayload() {
	text := f.pasted
	if text == "" {
		text = f.payload.Value()
		f.payloadRaw = text
		f.payloadRows = f.payload.LineCount()
	}
	f.payloadSize = len(text)
	if strings.TrimSpace(text) == "" {
		text = "{}"
	}
	f.payloadText = text
	f.payloadErr = preflight.Payload(text)
}

func (f eventForm) setFocus(i int) eventForm {
	f.key.Blur()
	f.payload.Blur()
	f.scope.Blur()
	f.meta.Blur()
	f.focus = i
	switch i {
	case fieldKey:
		f.key.Focus()
	case fieldPayload:
		f.payload.Focus()
	case fieldScope:
		f.scope.Focus()
	case fieldMeta:
		f.meta.Focus()
	}
	return f
}

// keyValue is the exact key the form would send: a candidate key as it
// is, whatever the field had to show for it, or what was typed.
func (f eventForm) keyValue() (string, error) {
	v := f.key.Value()
	if f.keyIdx < len(f.keys) && v == f.keyShown[f.keyIdx] {
		if err := f.keyErrs[f.keyIdx]; err != nil {
			return f.keys[f.keyIdx], fmt.Errorf("the wait's key %s cannot be sent: %w", v, err)
		}
		return f.keys[f.keyIdx], nil
	}
	return v, preflight.Key(v)
}

// parseMetadata parses the optional metadata field.
func (f eventForm) parseMetadata() (map[string]string, error) {
	meta := f.meta.Value()
	if strings.TrimSpace(meta) == "" {
		return nil, nil
	}
	md, err := preflight.Object(meta)
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	out := map[string]string{}
	for k, v := range md {
		if s, ok := v.(string); ok {
			out[k] = s
		} else {
			b, _ := json.Marshal(v)
			out[k] = string(b)
		}
	}
	return out, nil
}

// event validates the form into the event to push, or says what is wrong.
func (f eventForm) event() (engine.Event, error) {
	ev := engine.Event{Key: f.keyExact, Scope: f.scope.Value()}
	switch {
	case f.keyErr != nil:
		return ev, f.keyErr
	case f.payloadErr != nil:
		return ev, fmt.Errorf("payload: %w", f.payloadErr)
	case f.scopeErr != nil:
		return ev, f.scopeErr
	case f.metaErr != nil:
		return ev, f.metaErr
	}
	ev.Payload = json.RawMessage(f.payloadText)
	ev.Metadata = f.metadata
	return ev, nil
}

// lines renders the form for a dialog; wakes is how many open waits the
// typed key matches right now. Nothing here parses the payload: its
// verdict was kept when it changed.
func (f eventForm) lines(wakes int) []ui.DialogLine {
	var out []ui.DialogLine
	keyNote := "matches " + ui.Count(wakes, "open wait") + " hatchtop has seen"
	if len(f.keys) > 1 {
		pick := f.km.PickKey.Help().Key + " to pick"
		if f.focus != fieldKey {
			pick = f.km.Prev.Help().Key + ", then " + pick
		}
		keyNote = fmt.Sprintf("key %d of %d of this wait (%s) · ", f.keyIdx+1, len(f.keys), pick) + keyNote
	}
	out = append(out, ui.DialogLine{Text: "key", Tone: ui.Unknown}, ui.DialogLine{Widget: f.key.View()})
	if f.keyErr != nil && f.keyExact != "" {
		out = append(out, ui.DialogLine{Text: f.keyErr.Error(), Tone: ui.Bad})
	} else {
		out = append(out, ui.DialogLine{Text: keyNote, Tone: ui.Unknown})
	}
	out = append(out, ui.DialogLine{Text: ""}, ui.DialogLine{Text: "payload (JSON object)", Tone: ui.Unknown})
	if f.pasted != "" {
		out = append(out, ui.DialogLine{Text: fmt.Sprintf("pasted %s, held as it is (too big to edit here; backspace clears it)", preflight.Size(len(f.pasted)))})
	} else {
		out = append(out, ui.DialogLine{Widget: f.payload.View()})
	}
	switch {
	case f.notice != "" && f.focus == fieldPayload:
		out = append(out, ui.DialogLine{Text: f.notice, Tone: ui.Bad})
	case f.payloadErr != nil:
		out = append(out, ui.DialogLine{Text: "payload: " + f.payloadErr.Error(), Tone: ui.Bad})
	default:
		out = append(out, ui.DialogLine{Text: "valid JSON", Tone: ui.Good})
	}
	out = append(out,
		ui.DialogLine{Text: ""},
		ui.DialogLine{Text: "scope (optional)", Tone: ui.Unknown}, ui.DialogLine{Widget: f.scope.View()},
		ui.DialogLine{Text: "The event log does not say whether a wait has a scope. A scoped wait only wakes for an event with exactly its scope; an unscoped wait wakes for any.", Tone: ui.Unknown},
	)
	if f.scopeErr != nil {
		out = append(out, ui.DialogLine{Text: f.scopeErr.Error(), Tone: ui.Bad})
	} else if f.scopeNote != "" {
		out = append(out, ui.DialogLine{Text: f.scopeNote, Tone: ui.Good})
	}
	out = append(out,
		ui.DialogLine{Text: ""},
		ui.DialogLine{Text: "additional metadata (optional JSON object)", Tone: ui.Unknown}, ui.DialogLine{Widget: f.meta.View()},
	)
	if f.metaErr != nil {
		out = append(out, ui.DialogLine{Text: f.metaErr.Error(), Tone: ui.Bad})
	}
	if f.notice != "" && f.focus != fieldPayload {
		out = append(out, ui.DialogLine{Text: f.notice, Tone: ui.Bad})
	}
	return out
}

func (*eventForm) layer() layer { return dialogLayer }

// keys is the form's bindings: enter is a newline in the payload editor,
// and a wait's other keys are picked in the key field.
func (f *eventForm) bound() keymap.Form {
	k := f.km
	k.Send.SetEnabled(f.focus != fieldPayload)
	k.PickKey.SetEnabled(f.focus == fieldKey && len(f.keys) > 1)
	return k
}

func (f *eventForm) bindings(*Model) help.KeyMap { return f.bound() }

func (f *eventForm) setSize(width, _ int) { f.resize(width) }

func (f *eventForm) input(msg tea.Msg) tea.Cmd {
	next, cmd := f.Update(msg)
	*f = next
	return cmd
}

// update edits the form; submit turns it into the confirmation of the
// push. Letters are typed, never bindings.
func (f *eventForm) update(m *Model, msg tea.KeyMsg) tea.Cmd {
	if msg.Paste {
		// Pasted text is never a key binding; matching would render it.
		return f.input(msg)
	}
	k := f.bound()
	switch {
	case key.Matches(msg, k.Cancel):
		m.pop()
		return nil
	case key.Matches(msg, k.Submit, k.Send):
		ev, err := f.event()
		if err != nil {
			m.say("nothing was sent: "+err.Error(), ui.Bad)
			return nil
		}
		p := pending{kind: actPush, event: ev, wakes: m.waitersOf(ev.Key), preview: prettyPayload(ev.Payload)}
		if slices.Contains(f.keys, ev.Key) {
			p.target = f.target
		}
		m.pop()
		m.ask(p)
		return nil
	}
	return f.input(msg)
}

func (f *eventForm) view(m *Model) string {
	title := "Send an event"
	if f.origin != "" {
		title += " · from " + f.origin
	}
	return ui.Dialog(title, f.lines(len(m.waitersOf(f.keyExact))), m.width, m.dialogHeight(), m.styles)
}

// durationPrompt asks by how much to push a task's timeout out.
type durationPrompt struct {
	field  textinput.Model
	taskID string
	name   string
	km     keymap.Form
}

// defaultIncrement is the prompt's initial value.
const defaultIncrement = "5m"

func newDurationPrompt(taskID, name string, km keymap.Form, st ui.Styles) *durationPrompt {
	in := textinput.New()
	ui.StyleTextInput(&in, st)
	in.Prompt = ""
	in.SetValue(defaultIncrement)
	in.CursorEnd()
	in.Width = 20
	in.Cursor.SetMode(cursor.CursorStatic)
	in.Focus()
	return &durationPrompt{field: in, taskID: taskID, name: name, km: km}
}

func (*durationPrompt) layer() layer { return dialogLayer }

// keys is the prompt's bindings: one field, so no moving between fields.
func (p *durationPrompt) bound() keymap.Form {
	k := p.km
	for _, b := range []*key.Binding{&k.Next, &k.Prev, &k.PickKey} {
		b.SetEnabled(false)
	}
	return k
}

func (p *durationPrompt) bindings(*Model) help.KeyMap { return p.bound() }

func (p *durationPrompt) setSize(int, int) {}

func (p *durationPrompt) input(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	p.field, cmd = p.field.Update(msg)
	return cmd
}

func (p *durationPrompt) update(m *Model, msg tea.KeyMsg) tea.Cmd {
	k := p.bound()
	switch {
	case key.Matches(msg, k.Cancel):
		m.pop()
		return nil
	case key.Matches(msg, k.Submit, k.Send):
		d, err := parseRefresh(p.field.Value())
		if err != nil {
			m.say("nothing was sent: "+err.Error(), ui.Bad)
			return nil
		}
		m.pop()
		m.ask(pending{kind: actTimeout, taskIDs: []string{p.taskID}, names: []string{p.name}, by: d})
		return nil
	}
	return p.input(msg)
}

func (p *durationPrompt) view(m *Model) string {
	var timeoutAt time.Time
	if st, ok := m.tasks[p.taskID]; ok {
		timeoutAt, _ = m.timeoutAt(st)
	}
	return ui.Dialog("Refresh timeout", p.lines(timeoutAt, m.now), m.width, m.dialogHeight(), m.styles)
}

func (p durationPrompt) lines(timeoutAt time.Time, now time.Time) []ui.DialogLine {
	out := []ui.DialogLine{
		{Text: "add to the timeout of " + p.name + " (ms, s, m or h: 90s, 5m, 1h30m)", Tone: ui.Unknown},
		{Widget: p.field.View()},
	}
	d, err := parseRefresh(p.field.Value())
	switch {
	case err != nil:
		out = append(out, ui.DialogLine{Text: err.Error(), Tone: ui.Bad})
	case !timeoutAt.IsZero():
		out = append(out, ui.DialogLine{Text: "times out " + atText(timeoutAt, now) + " now; " + atText(timeoutAt.Add(d), now) + " after this", Tone: ui.Good})
	default:
		out = append(out, ui.DialogLine{Text: "adds " + durable.FormatDuration(d) + " to the current deadline", Tone: ui.Good})
	}
	return out
}

// parseRefresh reads a timeout increment as the engine would, capped at
// preflight.MaxIncrement.
func parseRefresh(s string) (time.Duration, error) {
	d, err := durable.ParseIncrement(s)
	if err != nil {
		return 0, err
	}
	return d, preflight.Increment(d)
}

// atText is "at 12:04:05 (in 4m)".
func atText(t, now time.Time) string {
	s := "at " + clock(t, now)
	if left, past := durable.Remaining(t, now); !past {
		s += " (in " + durable.FormatDuration(left) + ")"
	}
	return s
}

// prettyPayload is the payload as the confirmation shows it.
func prettyPayload(raw json.RawMessage) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	s := buf.String()
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
