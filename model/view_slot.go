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

// parentOutputField is a parent's output, or that the parent was skipped
// (its skip condition was met: the engine hands on {"skipped": true}).
func parentOutputField(info *durable.Detail, name string) ui.Field {
	if info.SkippedParents[name] {
		return ui.Field{Name: name, Value: "⤼ skipped: its skip condition was met (was_skipped)", Tone: ui.Unknown}
	}
	return jsonField(name, info.ParentOutputs[name], "none")
}

// filterSections show the payload of the event filter that let the trigger
// event start the run; only for a run an event triggered.
func filterSections(info *durable.Detail) []ui.Section {
	if info.TriggeredByEvent == nil || !*info.TriggeredByEvent {
		return nil
	}
	f := jsonField("filter payload", info.FilterPayload, "none: no event filter of the workflow matched the event")
	if !info.FilterKnown {
		f.Value = "unknown: the run's stored input could not be read"
	}
	return []ui.Section{{Title: "event trigger", Fields: []ui.Field{f}}}
}
