package durable

import "time"

// EventSlotReleased is the task event the engine (v0.105.0) writes when the
// worker calls release_slot (ctx.releaseSlot() in the TypeScript SDK).
const EventSlotReleased = "SLOT_RELEASED"

// SlotRelease is whether the task's current run gave its worker slot back.
type SlotRelease struct {
	Released bool
	At       time.Time
}

// SlotReleaseOf reads the task's events: a SLOT_RELEASED after the latest
// assignment. A reassignment (retry, restore after eviction) takes a slot
// again, so an older release no longer holds.
func SlotReleaseOf(events []TaskEvent) SlotRelease {
	var r SlotRelease
	for _, e := range sortedEvents(events) {
		switch e.Type {
		case EventSlotReleased:
			r = SlotRelease{Released: true, At: e.At}
		case EventAssigned:
			r = SlotRelease{}
		}
	}
	return r
}
