package client

import (
	"encoding/json"
	"testing"

	"github.com/hatchtop/hatchtop/durable"
)

// The stored input as v0.105.0 writes it for a DAG task whose parent was
// skipped and whose run an event filter matched.
func TestStoredInputSkippedParentAndFilterPayload(t *testing.T) {
	var in map[string]any
	json.Unmarshal([]byte(`{"input":{},"triggered_by":"manual",
		"parents":{"decide":{"skip":true},"maybe":{"skipped":true},"odd":{"skipped":true,"why":"own output"}},
		"triggers":{"filter_payload":{"tier":"gold"}}}`), &in)
	var d durable.Detail
	if !fromStoredInput(&d, in) {
		t.Fatal("the engine's wrapper not read")
	}
	if !d.SkippedParents["maybe"] || d.SkippedParents["decide"] || d.SkippedParents["odd"] || len(d.SkippedParents) != 1 {
		t.Errorf("skipped parents %v", d.SkippedParents)
	}
	if !d.FilterKnown || string(d.FilterPayload) != `{"tier":"gold"}` {
		t.Errorf("filter payload %s (known %v)", d.FilterPayload, d.FilterKnown)
	}
	for _, none := range []string{`{"input":{},"triggered_by":"event","triggers":{"filter_payload":null}}`, `{"input":{},"triggered_by":"event","triggers":{}}`} {
		var d durable.Detail
		var in map[string]any
		json.Unmarshal([]byte(none), &in)
		if !fromStoredInput(&d, in) || !d.FilterKnown || d.FilterPayload != nil {
			t.Errorf("%s: filter payload %s (known %v)", none, d.FilterPayload, d.FilterKnown)
		}
	}
}
