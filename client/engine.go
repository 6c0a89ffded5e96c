// Package client is everything hatchtop says to a Hatchet engine: the
// configuration (environment, CLI profiles, token claims), the gRPC
// connection with our own stubs, the REST API, and how errors are told.
package client

import "github.com/hatchtop/hatchtop/engine"

// The contract lives in engine/, so that model/ compiles without gRPC or
// REST; these aliases keep the client's own names.
type (
	Engine         = engine.Engine
	Info           = engine.Info
	ListQuery      = engine.ListQuery
	ListCursor     = engine.ListCursor
	ListPage       = engine.ListPage
	Subscriber     = engine.Subscriber
	FeedState      = engine.FeedState
	FeedUpdate     = engine.FeedUpdate
	FeedOptions    = engine.FeedOptions
	RunWatcher     = engine.RunWatcher
	RunWatchUpdate = engine.RunWatchUpdate
	RunFinished    = engine.RunFinished
	TaskResult     = engine.TaskResult
	Event          = engine.Event
	SeenEvent      = engine.SeenEvent
	Profile        = engine.Profile
	Profiles       = engine.Profiles
)

// Feed states, as engine/ names them.
const (
	FeedOpening  = engine.FeedOpening
	FeedLive     = engine.FeedLive
	FeedRetrying = engine.FeedRetrying
	FeedFinished = engine.FeedFinished
	FeedGone     = engine.FeedGone
	FeedClosed   = engine.FeedClosed
)

// Sentinel errors callers can test with errors.Is; the same values as
// engine/'s.
var (
	ErrUnauthorized = engine.ErrUnauthorized
	ErrUnreachable  = engine.ErrUnreachable
	ErrNotFound     = engine.ErrNotFound
	ErrReadOnly     = engine.ErrReadOnly
)

var _ Engine = (*Client)(nil)
