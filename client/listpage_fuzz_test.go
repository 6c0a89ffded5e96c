package client

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"github.com/google/uuid"
)

// FuzzListPage: a list answer, however odd, decodes and maps without
// panicking; every task it yields has a UUID id (ids end up in request
// paths), and the cursor below a page never climbs above it, so a pass
// that follows cursors cannot go round in circles.
func FuzzListPage(f *testing.F) {
	data, err := os.ReadFile("testdata/workflow-runs.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"rows":[{"taskExternalId":"../../admin","metadata":{"id":"00000000-0000-0000-0000-000000000000"}},{"taskExternalId":"0B1E7C5E-0000-4000-8000-000000000001","workflowRunExternalId":"{0b1e7c5e-0000-4000-8000-000000000002}"}]}`))
	f.Add([]byte(`{"rows":[{"metadata":{"id":"0b1e7c5e-0000-4000-8000-000000000003","createdAt":"2026-11-23T01:38:04.973216Z"},"taskInsertedAt":"0001-01-01T00:00:00Z","additionalMetadata":{"k":"\u001b[31m"}}],"pagination":{"current_page":1,"num_pages":-1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Client
		body, err := c.decodeList(bytes.NewReader(data))
		if err != nil {
			return
		}
		var rows []listRow
		for i := range body.Rows {
			r := &body.Rows[i]
			if !r.valid() {
				continue
			}
			task := taskOfRow(r)
			if _, err := uuid.Parse(task.ID); err != nil || task.RunID == "" {
				t.Fatalf("task id %q, run %q from %+v", task.ID, task.RunID, *r)
			}
			if uuidOrEmpty(task.ID) != task.ID {
				t.Fatalf("task id %q is not canonical", task.ID)
			}
			rows = append(rows, *r)
		}
		if len(rows) == 0 {
			return
		}
		next := nextCursor(ListCursor{}, rows)
		for _, r := range rows {
			if r.createdAt().Before(next.CreatedAt) && slices.Contains(next.TaskIDs, r.id()) {
				t.Fatalf("cursor %+v names a row older than itself", next)
			}
		}
		if !next.CreatedAt.Equal(rows[len(rows)-1].createdAt()) {
			t.Fatalf("cursor at %s, the last row at %s", next.CreatedAt, rows[len(rows)-1].createdAt())
		}
	})
}
