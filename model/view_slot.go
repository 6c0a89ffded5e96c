package model

import (
	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/ui"
)

// slotFields say whether the task still holds its worker slot: a task
// that called release_slot runs on without one (the engine's SLOT_RELEASED
// task event). Nothing is said of a task that holds its slot: most do.
func (m Model) slotFields(task durable.Task) []ui.Field {
	rel := durable.SlotReleaseOf(m.detailEvents())
	switch {
	case rel.Released && task.Phase() == durable.PhaseRunning:
		return []ui.Field{{Name: "worker slot", Value: "released " + stamp(rel.At, m.now) + ": runs on without holding a slot (release_slot)", Tone: ui.Warning}}
	case rel.Released:
		return []ui.Field{{Name: "worker slot", Value: "released " + stamp(rel.At, m.now) + " (release_slot)"}}
	}
	return nil
}

// slotHeadNote is added to the detail's status: "running · slot released".
func (m Model) slotHeadNote(task durable.Task) string {
	if task.Phase() == durable.PhaseRunning && durable.SlotReleaseOf(m.detailEvents()).Released {
		return " · slot released"
	}
	return ""
}
