package engine

import (
	"context"
	"time"
)

// WorkerLister is an engine that lists the tenant's workers (REST
// worker:list). It is apart from Engine so that an engine without it
// still is one: the workers screen then says it cannot list them.
type WorkerLister interface {
	Workers(ctx context.Context) ([]Worker, error)
}

// Worker is one worker as the engine reports it. Names and actions are
// the engine's text, unsanitised.
type Worker struct {
	ID              string
	Name            string
	Status          string    // ACTIVE, INACTIVE (no heartbeat for 5 s) or PAUSED
	LastHeartbeatAt time.Time // zero when it never sent one
	Actions         []string  // the action ids it registered
	// Slots by slot type ("default", "durable"); a type the worker did
	// not declare is absent.
	Slots map[string]Slots
}

// Slots is one slot type of a worker: how many there are and how many
// are free; Available is -1 when the engine did not say.
type Slots struct {
	Limit     int
	Available int
}

// Slot types of v0.105.0.
const (
	SlotDefault = "default"
	SlotDurable = "durable"
)

// Used is the slots taken, or -1 when the free count is unknown.
func (s Slots) Used() int {
	if s.Available < 0 {
		return -1
	}
	return max(s.Limit-s.Available, 0)
}
