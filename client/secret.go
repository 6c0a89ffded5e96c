package client

import (
	"fmt"
	"log/slog"
)

const redacted = "[redacted]"

// Secret is the API token. It prints as "[redacted]" with every fmt verb,
// in JSON and in slog, so no log line or error can leak it by accident;
// Reveal is the one way to read it.
type Secret string

// Reveal returns the token itself, for the Authorization header only.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer.
func (Secret) String() string { return redacted }

// GoString implements fmt.GoStringer.
func (Secret) GoString() string { return redacted }

// Format implements fmt.Formatter, covering verbs such as %x and %d.
func (Secret) Format(f fmt.State, _ rune) { fmt.Fprint(f, redacted) }

// MarshalText implements encoding.TextMarshaler (JSON, YAML).
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }
