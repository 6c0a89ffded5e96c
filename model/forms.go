package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textarea"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/keymap"
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
type eventForm struct {
	keys    []string // candidate keys from the wait or the inbox group
	keyIdx  int
	origin  string // what it was opened from, for the title
	key     textinput.Model
	payload textarea.Model
	scope   textinput.Model
	meta    textinput.Model
	focus   int
	km      keymap.Form
}

func newEventForm(keys []string, origin string, km keymap.Form, width int) eventForm {
	f := eventForm{keys: keys, origin: origin, km: km}
	f.key = textinput.New()
	f.key.Prompt = ""
	f.key.Placeholder = "event key"
	if len(keys) > 0 {
		f.key.SetValue(keys[0])
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
	f.resize(width)
	// A steady cursor: a blinking one redraws the screen twice a second
	// for nothing.
	for _, c := range []*cursor.Model{&f.key.Cursor, &f.scope.Cursor, &f.meta.Cursor, &f.payload.Cursor} {
		c.SetMode(cursor.CursorStatic)
	}
	f.key.Focus()
	return f
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
		case key.Matches(k, f.km.Next):
			return f.setFocus((f.focus + 1) % numFields), nil
		case key.Matches(k, f.km.Prev):
			return f.setFocus((f.focus + numFields - 1) % numFields), nil
		case f.focus == fieldKey && len(f.keys) > 1 && (k.Type == tea.KeyUp || k.Type == tea.KeyDown):
			step := 1
			if k.Type == tea.KeyUp {
				step = len(f.keys) - 1
			}
			f.keyIdx = (f.keyIdx + step) % len(f.keys)
			f.key.SetValue(f.keys[f.keyIdx])
			f.key.CursorEnd()
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
	return f, cmd
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

// event validates the form into the event to push, or says what is wrong.
func (f eventForm) event() (client.Event, error) {
	ev := client.Event{Key: strings.TrimSpace(f.key.Value()), Scope: strings.TrimSpace(f.scope.Value())}
	if ev.Key == "" {
		return ev, errors.New("the event key is empty")
	}
	payload := strings.TrimSpace(f.payload.Value())
	if payload == "" {
		payload = "{}"
	}
	if err := checkObject(payload); err != nil {
		return ev, fmt.Errorf("payload: %w", err)
	}
	ev.Payload = json.RawMessage(payload)
	if meta := strings.TrimSpace(f.meta.Value()); meta != "" {
		var md map[string]any
		if err := checkObject(meta); err != nil {
			return ev, fmt.Errorf("metadata: %w", err)
		}
		_ = json.Unmarshal([]byte(meta), &md)
		ev.Metadata = map[string]string{}
		for k, v := range md {
			if s, ok := v.(string); ok {
				ev.Metadata[k] = s
			} else {
				b, _ := json.Marshal(v)
				ev.Metadata[k] = string(b)
			}
		}
	}
	return ev, nil
}

// checkObject accepts a JSON object and explains anything else, with the
// place of a syntax error.
func checkObject(s string) error {
	dec := json.NewDecoder(strings.NewReader(s))
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("invalid JSON at character %d: %s", se.Offset, se.Error())
		}
		return fmt.Errorf("invalid JSON: %s", err.Error())
	}
	if dec.More() {
		return errors.New("invalid JSON: more than one value")
	}
	if _, ok := v.(map[string]any); !ok {
		return errors.New("must be a JSON object, like {\"approved\": true}")
	}
	return nil
}

// lines renders the form for a dialog; wakes is how many open waits the
// typed key matches right now.
func (f eventForm) lines(wakes int) []ui.DialogLine {
	var out []ui.DialogLine
	keyNote := fmt.Sprintf("matches %d open wait(s) hatchtop has seen", wakes)
	if len(f.keys) > 1 {
		keyNote = fmt.Sprintf("key %d of %d of this wait (↑/↓ to pick) · ", f.keyIdx+1, len(f.keys)) + keyNote
	}
	out = append(out,
		ui.DialogLine{Text: "key", Tone: ui.Unknown}, ui.DialogLine{Widget: f.key.View()}, ui.DialogLine{Text: keyNote, Tone: ui.Unknown},
		ui.DialogLine{Text: ""},
		ui.DialogLine{Text: "payload (JSON object)", Tone: ui.Unknown}, ui.DialogLine{Widget: f.payload.View()},
	)
	if _, err := f.event(); err != nil && strings.HasPrefix(err.Error(), "payload") {
		out = append(out, ui.DialogLine{Text: err.Error(), Tone: ui.Bad})
	} else {
		out = append(out, ui.DialogLine{Text: "valid JSON", Tone: ui.Good})
	}
	out = append(out,
		ui.DialogLine{Text: ""},
		ui.DialogLine{Text: "scope (optional)", Tone: ui.Unknown}, ui.DialogLine{Widget: f.scope.View()},
		ui.DialogLine{Text: "The event log does not say whether a wait has a scope. A scoped wait only wakes for an event with exactly its scope; an unscoped wait wakes for any.", Tone: ui.Unknown},
		ui.DialogLine{Text: ""},
		ui.DialogLine{Text: "additional metadata (optional JSON object)", Tone: ui.Unknown}, ui.DialogLine{Widget: f.meta.View()},
	)
	if _, err := f.event(); err != nil && !strings.HasPrefix(err.Error(), "payload") {
		out = append(out, ui.DialogLine{Text: err.Error(), Tone: ui.Bad})
	}
	return out
}

// durationPrompt asks by how much to push a task's timeout out.
type durationPrompt struct {
	input  textinput.Model
	taskID string
	name   string
}

// defaultIncrement is the prompt's initial value.
const defaultIncrement = "5m"

func newDurationPrompt(taskID, name string) durationPrompt {
	in := textinput.New()
	in.Prompt = ""
	in.SetValue(defaultIncrement)
	in.CursorEnd()
	in.Width = 20
	in.Cursor.SetMode(cursor.CursorStatic)
	in.Focus()
	return durationPrompt{input: in, taskID: taskID, name: name}
}

func (p durationPrompt) Update(msg tea.Msg) (durationPrompt, tea.Cmd) {
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return p, cmd
}

func (p durationPrompt) lines(timeoutAt time.Time, now time.Time) []ui.DialogLine {
	out := []ui.DialogLine{
		{Text: "add to the timeout of " + p.name + " (ms, s, m or h: 90s, 5m, 1h30m)", Tone: ui.Unknown},
		{Widget: p.input.View()},
	}
	d, err := durable.ParseIncrement(p.input.Value())
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

// atText is "at 12:04:05 (in 4m)".
func atText(t, now time.Time) string {
	s := "at " + clock(t, now)
	if d := t.Sub(now); d > 0 {
		s += " (in " + durable.FormatDuration(d.Truncate(time.Second)) + ")"
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
