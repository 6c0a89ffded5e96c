package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/ui"
)

// WriteJSON prints the snapshot as indented JSON. The encoder escapes C0
// controls; C1 controls (U+009B is CSI to many terminals) and invisible
// format and bidi controls are escaped here the same way, so the output is
// terminal-safe and still decodes to the engine's exact text.
func (s Snapshot) WriteJSON(w io.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	if _, err := w.Write(escapeControls(buf.Bytes())); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}

// escapeControls rewrites C1 and format/bidi controls in encoded JSON as
// \uXXXX escapes. Outside strings JSON holds ASCII only, so every such
// code point is inside a string, where the escape means the same.
func escapeControls(js []byte) []byte {
	if !bytes.ContainsFunc(js, needsEscape) {
		return js
	}
	out := make([]byte, 0, len(js)+64)
	for i := 0; i < len(js); {
		r, size := utf8.DecodeRune(js[i:])
		if needsEscape(r) {
			if r > 0xffff {
				hi, lo := utf16.EncodeRune(r)
				out = fmt.Appendf(out, `\u%04x\u%04x`, hi, lo)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
		} else {
			out = append(out, js[i:i+size]...)
		}
		i += size
	}
	return out
}

func needsEscape(r rune) bool { return (r >= 0x80 && r < 0xa0) || ui.Hidden(r) }

// WriteTable prints one line per task in plain columns, with engine text
// cleaned of escape sequences.
func (s Snapshot) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tTASK\tWORKFLOW\tWAIT\tON\tREMAINING\tATTEMPT\tELAPSED\tID")
	for _, t := range s.Tasks {
		wait, on, remaining := "", "", ""
		if len(t.Waits) > 0 {
			wt := t.Waits[0]
			wait, on = wt.Title, wt.On
			switch {
			case wt.Overdue:
				remaining = "overdue"
			case wt.RemainingMs != nil:
				remaining = durable.FormatDuration(time.Duration(*wt.RemainingMs) * time.Millisecond)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			t.Phase, cell(t.Name), cell(t.Workflow), cell(wait), cell(on), remaining,
			strings.TrimPrefix(t.AttemptText, "attempt "),
			durable.FormatDuration(time.Duration(t.ElapsedMs)*time.Millisecond), t.ID)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}

// cell cleans engine text and keeps tabs out of the tabwriter.
func cell(s string) string {
	s = ui.Clean(s)
	if s == "" {
		return "-"
	}
	return s
}
