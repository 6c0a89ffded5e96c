package client

import (
	"math"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hatchet-dev/hatchet/pkg/client/rest"

	"github.com/hatchtop/hatchtop/durable"
)

// listBody is a list page decoded into only what hatchtop reads: the
// generated rest.V1TaskSummaryList decodes some forty fields per row.
type listBody struct {
	Rows       []listRow `json:"rows"`
	Pagination struct {
		CurrentPage int `json:"current_page"`
		NumPages    int `json:"num_pages"`
	} `json:"pagination"`
}

// last reports whether the engine counted no rows beyond this page.
func (b *listBody) last() bool {
	return b.Pagination.NumPages > 0 && b.Pagination.CurrentPage >= b.Pagination.NumPages
}

// listRow is one task of a list page (V1TaskSummary, trimmed).
type listRow struct {
	TaskExternalID        string         `json:"taskExternalId"`
	WorkflowRunExternalID string         `json:"workflowRunExternalId"`
	DisplayName           string         `json:"displayName"`
	WorkflowName          string         `json:"workflowName"`
	WorkflowID            string         `json:"workflowId"`
	WorkflowVersionID     string         `json:"workflowVersionId"`
	ActionID              string         `json:"actionId"`
	Status                string         `json:"status"`
	IsEvicted             bool           `json:"isEvicted"`
	IsDurable             *bool          `json:"isDurable"` // never in list rows (see markDurable)
	RetryCount            int            `json:"retryCount"`
	Attempt               int            `json:"attempt"`
	CreatedAt             time.Time      `json:"createdAt"`
	TaskInsertedAt        time.Time      `json:"taskInsertedAt"`
	StartedAt             time.Time      `json:"startedAt"`
	AdditionalMetadata    map[string]any `json:"additionalMetadata"`
	Metadata              struct {
		ID        string    `json:"id"`
		CreatedAt time.Time `json:"createdAt"`
	} `json:"metadata"`
}

// rowOf trims a generated task summary (a task fetch) to a list row, so
// that both map through taskOfRow.
func rowOf(r rest.V1TaskSummary) listRow {
	out := listRow{
		TaskExternalID:        nonNil(r.TaskExternalId),
		WorkflowRunExternalID: nonNil(r.WorkflowRunExternalId),
		DisplayName:           r.DisplayName,
		WorkflowName:          deref(r.WorkflowName),
		WorkflowID:            nonNil(r.WorkflowId),
		WorkflowVersionID:     uuidString(r.WorkflowVersionId),
		ActionID:              deref(r.ActionId),
		Status:                string(r.Status),
		IsEvicted:             deref(r.IsEvicted),
		IsDurable:             r.IsDurable,
		RetryCount:            deref(r.RetryCount),
		Attempt:               deref(r.Attempt),
		CreatedAt:             r.CreatedAt,
		TaskInsertedAt:        r.TaskInsertedAt,
		StartedAt:             deref(r.StartedAt),
	}
	if r.AdditionalMetadata != nil {
		out.AdditionalMetadata = *r.AdditionalMetadata
	}
	out.Metadata.ID, out.Metadata.CreatedAt = r.Metadata.Id, r.Metadata.CreatedAt
	return out
}

// taskOf maps a task fetch's summary.
func taskOf(r rest.V1TaskSummary) durable.Task {
	row := rowOf(r)
	return taskOfRow(&row)
}

// taskOfRow maps a list row. Optional fields the engine leaves out become
// zero values. Ids that are not UUIDs count as missing: they end up in
// request paths.
func taskOfRow(r *listRow) durable.Task {
	t := durable.Task{
		ID:           r.id(),
		RunID:        uuidOrEmpty(r.WorkflowRunExternalID),
		Name:         r.DisplayName,
		WorkflowName: r.WorkflowName,
		WorkflowID:   uuidOrEmpty(r.WorkflowID),
		VersionID:    uuidOrEmpty(r.WorkflowVersionID),
		ActionID:     r.ActionID,
		Status:       durable.Status(r.Status),
		Evicted:      r.IsEvicted,
		Durable:      deref(r.IsDurable),
		RetryCount:   r.RetryCount,
		Attempt:      r.Attempt,
		CreatedAt:    firstTime(r.CreatedAt, r.TaskInsertedAt, r.Metadata.CreatedAt),
		StartedAt:    r.StartedAt,
	}
	if t.RunID == "" {
		t.RunID = t.ID // a standalone task is its own run
	}
	if t.Attempt == 0 {
		t.Attempt = t.RetryCount + 1
	}
	if len(r.AdditionalMetadata) > 0 {
		t.Metadata = r.AdditionalMetadata
	}
	return t
}

// id is the row's task id: taskExternalId, else metadata.id.
func (r *listRow) id() string {
	if id := uuidOrEmpty(r.TaskExternalID); id != "" {
		return id
	}
	return uuidOrEmpty(r.Metadata.ID)
}

// valid reports whether the row names a task at all.
func (r *listRow) valid() bool { return r.id() != "" }

// createdAt is the key the list filters and orders by: the task's
// inserted_at, which the row carries as taskInsertedAt.
func (r *listRow) createdAt() time.Time {
	return firstTime(r.TaskInsertedAt, r.CreatedAt, r.Metadata.CreatedAt)
}

// stepKey identifies a task's definition: its workflow version and action;
// without a version, only the task itself.
func (r *listRow) stepKey() string {
	if v := uuidOrEmpty(r.WorkflowVersionID); v != "" {
		return v + "/" + r.ActionID
	}
	return "task/" + r.id()
}

// uuidOrEmpty is s if it is a UUID other than the nil one, in the
// canonical form, else "".
func uuidOrEmpty(s string) string {
	id, err := uuid.Parse(s)
	if err != nil || id == uuid.Nil {
		return ""
	}
	if len(s) == 36 && s == strings.ToLower(s) {
		return s // the engine's own form: no new string
	}
	return id.String()
}

// entryOf maps an event-log entry. Top-level wait items are ANDed; an item
// with "or" is a group of alternatives.
func entryOf(e rest.V1DurableEventLogEntry) durable.Entry {
	out := durable.Entry{
		NodeID:     e.NodeId,
		BranchID:   e.BranchId,
		Kind:       durable.EntryKind(e.Kind),
		Label:      deref(e.UserMessage),
		InsertedAt: e.InsertedAt,
		Satisfied:  e.IsSatisfied,
	}
	if e.IsSatisfied {
		out.SatisfiedAt = deref(e.SatisfiedAt)
	}
	if e.WaitData == nil {
		return out
	}
	for _, item := range *e.WaitData {
		out.Conditions = append(out.Conditions, conditionOfItem(item))
	}
	return out
}

func conditionOfItem(it rest.V1WaitItem) durable.Condition {
	if it.Or != nil && len(*it.Or) > 0 {
		alts := make([]durable.Condition, 0, len(*it.Or))
		for _, c := range *it.Or {
			alts = append(alts, condition(c.Kind, c.SleepDurationMs, c.EventKey, c.WorkflowName))
		}
		if len(alts) == 1 {
			return alts[0] // a group of one is the condition itself
		}
		return durable.Condition{Or: alts}
	}
	return condition(deref(it.Kind), it.SleepDurationMs, it.EventKey, it.WorkflowName)
}

func condition(kind rest.V1DurableWaitConditionKind, sleepMs *int64, key, workflow *string) durable.Condition {
	c := durable.Condition{
		Kind:         durable.ConditionKind(kind),
		EventKey:     deref(key),
		WorkflowName: deref(workflow),
	}
	// Missing for durations the engine cannot parse ("1d"): 0 means unknown.
	if ms := deref(sleepMs); ms > 0 {
		// Saturate: a sleep past ~292 years would overflow to negative.
		c.Sleep = time.Duration(min(ms, int64(math.MaxInt64/time.Millisecond))) * time.Millisecond
	}
	return c
}

// configOf reads a task's retries and timeout from its workflowConfig,
// the raw JSON of the workflow version with Go field names
// (Tasks[].Action, ReadableId, Timeout, Retries). ok is false when no step
// of the version matches the task.
func configOf(t *rest.V1TaskSummary) (cfg durable.Config, ok bool) {
	if t.WorkflowConfig == nil {
		return durable.UnknownConfig(), false
	}
	step, ok := findStep(steps(*t.WorkflowConfig), deref(t.ActionId), t.DisplayName)
	if !ok {
		return durable.UnknownConfig(), false
	}
	cfg = durable.Config{Timeout: durable.DefaultTimeout}
	if r, isNum := field(step, "retries").(float64); isNum {
		cfg.MaxRetries = int(r)
	}
	if s, _ := field(step, "timeout").(string); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			d = 0 // a duration only the database understands: unknown
		}
		cfg.Timeout = d
	}
	return cfg, true
}

// steps lists a workflow version's task definitions, its on-failure task last.
func steps(wc map[string]any) []map[string]any {
	var out []map[string]any
	list, _ := field(wc, "tasks").([]any)
	for _, s := range list {
		if m, ok := s.(map[string]any); ok {
			out = append(out, m)
		}
	}
	if m, ok := field(wc, "onfailurejob").(map[string]any); ok {
		out = append(out, m)
	}
	return out
}

// findStep matches the task's action id (the reliable key), then its
// display name, which SDKs may suffix ("name-<timestamp>"), then a lone step.
func findStep(steps []map[string]any, actionID, displayName string) (map[string]any, bool) {
	for _, s := range steps {
		if a, _ := field(s, "action").(string); a != "" && strings.EqualFold(a, actionID) {
			return s, true
		}
	}
	var best map[string]any
	bestLen := 0
	for _, s := range steps {
		id, _ := field(s, "readableid").(string)
		if id != "" && (id == displayName || strings.HasPrefix(displayName, id+"-")) && len(id) > bestLen {
			best, bestLen = s, len(id)
		}
	}
	if best != nil {
		return best, true
	}
	if len(steps) == 1 {
		return steps[0], true
	}
	return nil, false
}

// field looks a key up ignoring case: the JSON mixes Go names and tags.
func field(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func uuidString(p *uuid.UUID) string {
	if p == nil {
		return ""
	}
	return nonNil(*p)
}

func nonNil(id uuid.UUID) string {
	if id == uuid.Nil {
		return ""
	}
	return id.String()
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
