package snapshot

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/ui"
)

// WriteJSON prints the snapshot as indented JSON. Control characters in
// engine text are escaped by the encoder, so the output is terminal-safe.
func (s Snapshot) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("write snapshot: %w", err)
	}
	return nil
}

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
