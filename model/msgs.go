package model

import (
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

// tickMsg is the one clock of the program: once a second it moves `now`,
// which drives the countdowns and the scheduler.
type tickMsg time.Time

// startMsg is sent once by Init so that the first fetches are scheduled by
// Update like every later one.
type startMsg struct{}

// versionMsg carries the engine's version.
type versionMsg struct {
	version string
	err     error
}

// listMsg carries one poll of the active list.
type listMsg struct {
	tasks []durable.Task
	err   error
}

// logMsg carries one fetch of a task's durable event log.
type logMsg struct {
	taskID  string
	entries []durable.Entry
	err     error
}

// configMsg carries the configuration shared by a task version's runs.
type configMsg struct {
	key    string
	taskID string // the task it was fetched for
	cfg    durable.Config
	err    error
}
