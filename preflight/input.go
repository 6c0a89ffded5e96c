package preflight

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxMessage is the largest gRPC message the engine accepts: its
// GRPCMaxMsgSize default, 4 MiB. A bigger push is cut off by gRPC with an
// error that does not say why.
const MaxMessage = 4 << 20

// MaxPayload bounds an event's JSON payload: the whole message must fit
// in MaxMessage, so the payload alone may not exceed it.
const MaxPayload = MaxMessage

// MaxPayloadLines is how many lines the form's editor holds; a longer
// paste would be cut off silently by the editor.
const MaxPayloadLines = 10000

// MaxIncrement caps one timeout refresh. The engine takes any duration;
// a day is far beyond a mistyped one and leaves room for a real need
// (refresh again for more).
const MaxIncrement = 24 * time.Hour

// Key checks an event key before it is pushed. The SDKs send whatever
// string the code gives, but keys in code are printable words such as
// "payment:confirmed": a key with a control character, a space or an
// invisible formatting character cannot be typed, is not shown as it is,
// and is far likelier a mistake or a hostile label than a real wait's key.
func Key(k string) error {
	if k == "" {
		return errors.New("the event key is empty")
	}
	return visible("key", k, false)
}

// Scope checks an event's scope: like a key, except that spaces inside it
// are allowed; leading or trailing ones are refused rather than trimmed,
// so what is sent is what the form shows.
func Scope(s string) error {
	if s == "" {
		return nil
	}
	if strings.TrimSpace(s) != s {
		return errors.New("the scope starts or ends with a space; remove it (a scope must match the wait's exactly)")
	}
	return visible("scope", s, true)
}

// visible refuses invalid UTF-8, control and formatting characters, and
// spaces unless allowed, naming the first offender and its byte offset.
func visible(what, s string, spaces bool) error {
	const tail = "; hatchtop sends only visible characters, as the SDKs' keys are written"
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return fmt.Errorf("%s is not valid UTF-8 (byte %d)", what, i)
		case unicode.IsControl(r):
			return fmt.Errorf("%s contains a control character (%s at byte %d)%s", what, Escape(string(r)), i, tail)
		case unicode.Is(unicode.Cf, r):
			return fmt.Errorf("%s contains an invisible formatting character (%s at byte %d)%s", what, Escape(string(r)), i, tail)
		case !spaces && r == ' ':
			return fmt.Errorf("%s contains a space (at byte %d); event keys have none", what, i)
		case !spaces && unicode.IsSpace(r):
			return fmt.Errorf("%s contains a space character (%s at byte %d); event keys have none", what, Escape(string(r)), i)
		}
	}
	return nil
}

// Escape shows s with every control, formatting or otherwise unprintable
// character written as a Go escape (\x1b, \u202e), so nothing in it acts
// on the terminal and nothing is hidden.
func Escape(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			fmt.Fprintf(&b, `\x%02x`, s[i])
			continue
		}
		if r == '\\' || unicode.IsPrint(r) {
			b.WriteRune(r)
			continue
		}
		q := strconv.QuoteRune(r)
		b.WriteString(q[1 : len(q)-1])
	}
	return b.String()
}

// Payload checks an event payload as the engine will: one JSON object,
// valid UTF-8, no NUL character in any string (Postgres jsonb refuses it),
// at most MaxPayload bytes. The size is checked first, so a huge paste is
// refused without being parsed.
func Payload(s string) error {
	if len(s) > MaxPayload {
		return fmt.Errorf("%s, over the engine's %s message limit", Size(len(s)), Size(MaxPayload))
	}
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	if !json.Valid([]byte(s)) {
		return syntaxError(s)
	}
	if t := strings.TrimLeft(s, " \t\r\n"); !strings.HasPrefix(t, "{") {
		return errors.New("must be a JSON object, like {\"approved\": true}")
	}
	if strings.Contains(s, `\u0000`) && hasNUL(s) {
		return errors.New("a string holds \\u0000, which the engine refuses (Postgres jsonb)")
	}
	return nil
}

// syntaxError places the error of invalid JSON.
func syntaxError(s string) error {
	var v any
	err := json.Unmarshal([]byte(s), &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at character %d: %s", se.Offset, se.Error())
	}
	if err != nil {
		return fmt.Errorf("invalid JSON: %s", err.Error())
	}
	return errors.New("invalid JSON")
}

// hasNUL reports whether any string or key of valid JSON holds U+0000.
func hasNUL(s string) bool {
	dec := json.NewDecoder(strings.NewReader(s))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if str, ok := tok.(string); ok && strings.ContainsRune(str, 0) {
			return true
		}
	}
}

// Object checks a payload or metadata object as Payload does and decodes it.
func Object(s string) (map[string]any, error) {
	if err := Payload(s); err != nil {
		return nil, err
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	return m, nil
}

// Increment checks a timeout increment against MaxIncrement.
func Increment(d time.Duration) error {
	if d > MaxIncrement {
		return fmt.Errorf("%s is more than hatchtop's cap of %s per refresh; refresh again later for more",
			strconv.FormatFloat(d.Hours(), 'f', -1, 64)+"h", "24h")
	}
	return nil
}

// Size renders a byte count for a message: "5.0 MiB (5242880 bytes)".
func Size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB (%d bytes)", float64(n)/(1<<20), n)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB (%d bytes)", float64(n)/(1<<10), n)
	}
	return fmt.Sprintf("%d bytes", n)
}
