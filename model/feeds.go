package model

import (
	"slices"
	"sync"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
)

// maxFeeds caps the live subscriptions: the selected run, then the runs on
// screen. The README states it.
const maxFeeds = 50

// Feeds is the live-feed manager the model steers (engine.Feeds in the
// program). Want may be called from any goroutine.
type Feeds interface {
	Want(runIDs []string)
	Updates() <-chan engine.FeedUpdate
}

// maxFeedBatch caps the feed updates one Update applies.
const maxFeedBatch = 256

// feedMsg carries the updates of the live feeds that were queued when it
// was read: update, then more in order. closed is set, with no update,
// when the manager has shut down.
type feedMsg struct {
	update engine.FeedUpdate
	more   []engine.FeedUpdate
	closed bool
}

// feedState is what the header says about the feeds.
type feedState struct {
	live     map[string]bool   // run id -> subscribed and streaming
	retrying map[string]string // run id -> why it is reconnecting
}

func newFeedState() feedState {
	return feedState{live: map[string]bool{}, retrying: map[string]string{}}
}

// waitFeed waits for the next feed update and takes every one queued
// behind it (up to maxFeedBatch), so a burst costs one Update and one
// View, not one per chunk. Update re-issues it after each batch, so
// exactly one read is pending at a time.
func waitFeed(ch <-chan engine.FeedUpdate) tea.Cmd {
	return func() tea.Msg {
		u, ok := <-ch
		if !ok {
			return feedMsg{closed: true}
		}
		msg := feedMsg{update: u}
		for len(msg.more) < maxFeedBatch-1 {
			select {
			case u, ok := <-ch:
				if !ok {
					return msg // the next read reports the close
				}
				msg.more = append(msg.more, u)
			default:
				return msg
			}
		}
		return msg
	}
}

// feedSteer serialises Want calls made from Cmds, which may run out of
// order: a want older than the last one applied is dropped.
type feedSteer struct {
	mu    sync.Mutex
	feeds Feeds
	last  uint64
}

func (s *feedSteer) want(seq uint64, ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq <= s.last {
		return
	}
	s.last = seq
	s.feeds.Want(ids)
}

func wantFeeds(s *feedSteer, seq uint64, ids []string) tea.Cmd {
	return func() tea.Msg {
		s.want(seq, ids)
		return nil
	}
}

// wantedRuns is the runs whose feeds should be open: the detail's or the
// selected run first, then the runs on screen, active ones only, capped.
//
// The open detail's run is wanted whatever its row says: a row that left
// the list for a poll, or that a retryable failure marked failed, must not
// close the feed, since a reopened feed misses the chunks in between. The
// feed manager itself never reopens a run the engine said is over.
func (m *Model) wantedRuns() []string {
	var out []string
	add := func(id string) {
		st, ok := m.tasks[id]
		if !ok || !st.task.Status.Active() || st.task.RunID == "" || slices.Contains(out, st.task.RunID) {
			return
		}
		if len(out) < maxFeeds {
			out = append(out, st.task.RunID)
		}
	}
	if m.detail() != nil {
		if task, ok := m.detailTask(); ok && task.RunID != "" {
			out = append(out, task.RunID)
		}
	}
	add(m.selectedID)
	for _, id := range m.visibleIDs() {
		add(id)
	}
	return out
}

// steerFeeds returns a Cmd when the wanted runs changed since the last Want.
func (m *Model) steerFeeds() tea.Cmd {
	if m.feeds == nil {
		return nil
	}
	ids := m.wantedRuns()
	if slices.Equal(ids, m.feedWant) {
		return nil
	}
	m.feedWant = ids
	m.feedSeq++
	return wantFeeds(m.steer, m.feedSeq, slices.Clone(ids))
}

// onFeed applies one feed update: state changes go to the header, task
// events update their row at once and make its log (and detail) stale.
func (m *Model) onFeed(u engine.FeedUpdate) {
	if u.Event == nil {
		switch u.State {
		case engine.FeedLive:
			m.feed.live[u.RunID] = true
			delete(m.feed.retrying, u.RunID)
			m.engineAnswered()
		case engine.FeedRetrying:
			delete(m.feed.live, u.RunID)
			reason := "the stream broke" // the whole reason goes to the help
			if u.Err != nil {
				reason = u.Err.Error()
			}
			m.feed.retrying[u.RunID] = reason
			m.engineLost(u.Err)
		default: // opening, finished, gone
			delete(m.feed.live, u.RunID)
			delete(m.feed.retrying, u.RunID)
		}
		return
	}
	m.engineAnswered()
	ev := *u.Event
	if ev.Kind == durable.TaskStream {
		m.streamBuf(ev.TaskID).add(ev, m.now)
		return
	}
	st, ok := m.tasks[ev.TaskID]
	if !ok && ev.Kind != durable.RunFinished {
		return
	}
	switch ev.Kind {
	case durable.TaskCompleted:
		m.setStatus(st, durable.StatusCompleted)
	case durable.TaskFailed:
		// A failed attempt that will be retried is reported FAILED too;
		// the next poll says whether the task is back in the queue.
		m.setStatus(st, durable.StatusFailed)
	case durable.TaskCancelled:
		m.setStatus(st, durable.StatusCancelled)
	case durable.RunFinished:
		for _, id := range m.index.OfRun(ev.RunID) {
			if t := m.tasks[id]; t != nil && t.task.Status.Active() && ev.Final != "" {
				m.setStatus(t, ev.Final)
			}
		}
	}
	if ok {
		st.stale = true
		st.eventsStale = true
		m.queueChanged(ev.TaskID)
	}
	if m.detail() != nil && (m.detail().taskID == ev.TaskID || ev.Kind == durable.RunFinished) {
		m.detail().infoStale = true
	}
}

// setStatus changes a task's status as its feed reports it; an end keeps
// the task as finished (finished.go).
func (m *Model) setStatus(st *taskState, s durable.Status) {
	if !s.Active() {
		m.finish(st, s)
		return
	}
	t := st.task
	t.Status = s
	m.setTask(st, t)
}

// feedHeader is the header's summary of the feeds: how many are live and
// why any is reconnecting.
func (m Model) feedHeader() (live, retrying int, reason string) {
	first := ""
	for id, r := range m.feed.retrying {
		if first == "" || id < first { // the same reason every frame
			first, reason = id, r
		}
	}
	return len(m.feed.live), len(m.feed.retrying), reason
}
