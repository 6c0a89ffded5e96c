package snapshot

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

// The JSON holds no raw C0, C1, format or bidi control, and decodes back
// to the engine's exact text.
func TestWriteJSONEscapesControls(t *testing.T) {
	name := "a\u0085b\u008dc\u009b31m\u009c\u009d0;x\u0007 \u202eevil \u00ad\u200d\ufeff \U000e0041 \x1b[2J"
	s := Snapshot{Tasks: []Task{{Name: name, Waits: []Wait{{Label: "\u009bK", EventKeys: []string{"k\u2066"}}}}}}
	var buf bytes.Buffer
	if err := s.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, r := range out {
		if r != '\n' && (r < 0x20 || (r >= 0x7f && r < 0xa0) || unicode.Is(unicode.Cf, r)) {
			t.Errorf("raw %U in the JSON:\n%s", r, out)
		}
	}
	for _, want := range []string{`\u0085`, `\u008d`, `\u009b`, `\u009c`, `\u009d`, `\u202e`, `\udb40\udc41`} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON lacks %s:\n%s", want, out)
		}
	}
	var back Snapshot
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("the escaped JSON does not decode: %v\n%s", err, out)
	}
	if back.Tasks[0].Name != name || back.Tasks[0].Waits[0].Label != "\u009bK" || back.Tasks[0].Waits[0].EventKeys[0] != "k\u2066" {
		t.Errorf("decoded %q, want %q", back.Tasks[0].Name, name)
	}
}

// The plain table cleans engine text.
func TestWriteTableCleans(t *testing.T) {
	s := Snapshot{Tasks: []Task{{Name: "x\u009b2Jy\u202ez", Phase: "running"}}}
	var buf bytes.Buffer
	if err := s.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); strings.ContainsAny(out, "\u009b\u202e\x1b") || !strings.Contains(out, "xyz") {
		t.Errorf("table: %q", out)
	}
}
