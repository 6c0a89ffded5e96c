package engine

import (
	"context"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

// ChildLister is an engine that lists the runs a task spawned (REST
// v1-workflow-run:list by parent task). It is apart from Engine so that an
// engine without it still is one: the detail then says it cannot list
// children.
type ChildLister interface {
	// Children returns the runs spawned by parentTaskID, created since
	// since, oldest first. Names are the engine's text, unsanitised.
	Children(ctx context.Context, parentTaskID string, since time.Time) ([]durable.Task, error)
}
