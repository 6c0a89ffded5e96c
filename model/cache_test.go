package model

import (
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/durable"
)

// A frame derives only what changed: stream chunks and repeated frames
// do not rebuild the timeline, a tick (its countdowns) does.
func TestTimelineIsDerivedWhenItsInputsChange(t *testing.T) {
	_, m := detailModel(t)
	m = step(t, m, press("2"))
	_ = m.View()
	built := m.cache.builds
	_ = m.View()
	for i := range 50 {
		m = update(m, feedEvent(durable.RunEvent{Kind: durable.TaskStream, RunID: "t1", TaskID: "t1", Index: int64(i), Payload: "chunk"}))
		_ = m.View()
	}
	if got := m.cache.builds - built; got != 0 {
		t.Errorf("%d rebuilds of the timeline for frames and stream chunks, want 0", got)
	}
	m = update(m, tickMsg(t0.Add(time.Minute)))
	_ = m.View()
	if got := m.cache.builds - built; got != 1 {
		t.Errorf("%d rebuilds after a tick, want 1", got)
	}
}

// The inbox groups the waits once per change of the store, not per frame
// or per key.
func TestInboxIsGroupedOncePerChange(t *testing.T) {
	m := inboxModel(t)
	m = step(t, m, press("w"))
	_ = m.View()
	built := m.cache.builds
	for range 5 {
		m = update(m, press("j"))
		_ = m.View()
	}
	if got := m.cache.builds - built; got != 0 {
		t.Errorf("%d regroupings for moves and frames, want 0", got)
	}
}

// A burst with one task event among stream chunks changes the store.
func TestChangesStoreSeesAnEventInABurst(t *testing.T) {
	chunk := durable.RunEvent{Kind: durable.TaskStream, RunID: "r", TaskID: "t"}
	done := durable.RunEvent{Kind: durable.TaskCompleted, RunID: "r", TaskID: "t"}
	burst := feedEvent(chunk)
	burst.more = []client.FeedUpdate{{RunID: "r", Event: &chunk}}
	if changesStore(burst) {
		t.Error("stream chunks alone changed the store")
	}
	burst.more = append(burst.more, client.FeedUpdate{RunID: "r", Event: &done})
	if !changesStore(burst) {
		t.Error("a completion in a burst did not change the store")
	}
}
