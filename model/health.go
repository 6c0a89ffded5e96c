package model

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/hatchtop/hatchtop/durable"
	"github.com/hatchtop/hatchtop/engine"
	"github.com/hatchtop/hatchtop/ui"
)

// One notion of engine health for the list and the feeds. While either
// is backing off, a cheap probe asks the engine its version every second;
// any answer (the probe, a poll, a feed opening or an event) ends every
// backoff, so the list polls and every feed reopens at once. The README's
// "Outages" section states these figures.
const (
	probeEvery   = time.Second     // the probe's pace while anything backs off
	probeTimeout = time.Second     // a probe's own deadline, so one is always out
	silentAfter  = 3 * time.Second // a poll unanswered this long: "not answering"
)

// probeMsg carries the answer of one health probe.
type probeMsg struct{ err error }

// prober is an engine with a health check of its own (*client.Client:
// gRPC and REST at once, skipping gRPC's reconnect backoff).
type prober interface {
	Probe(context.Context) error
}

// healthProbe asks the engine whether it answers: its Probe, or else its
// version (Dispatcher.GetVersion), the cheapest call there is.
func healthProbe(e engine.Engine) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
		defer cancel()
		if p, ok := e.(prober); ok {
			return probeMsg{err: p.Probe(ctx)}
		}
		_, err := e.Version(ctx)
		return probeMsg{err: err}
	}
}

// healer is the part of the feed manager that ends its backoffs.
type healer interface{ Healthy() }

// healFeeds tells the feed manager the engine answers.
func healFeeds(f Feeds) tea.Cmd {
	h, ok := f.(healer)
	if !ok {
		return nil
	}
	return func() tea.Msg {
		h.Healthy()
		return nil
	}
}

// backingOff reports whether the list or any feed waits to retry because
// the engine could not be reached. An engine that answers with an error is
// left to the backoff: probing it would tell nothing new.
func (m *Model) backingOff() bool {
	return m.sched.engineAway && (m.sched.listFails > 0 || len(m.feed.retrying) > 0)
}

// engineLost records a failure to reach the engine at all.
func (m *Model) engineLost(err error) {
	if errors.Is(err, engine.ErrUnreachable) {
		m.sched.engineAway = true
	}
}

// engineAnswered ends every backoff caused by the engine being away: a
// list poll in backoff is due now, and the feeds retrying are told to
// reopen (by the next schedule).
func (m *Model) engineAnswered() {
	s := &m.sched
	if !s.engineAway {
		return
	}
	s.engineAway = false
	if s.listFails > 0 {
		s.listFails = 0
		if !s.listInFlight {
			s.nextListAt = m.now
		}
	}
	if len(m.feed.retrying) > 0 {
		s.healFeeds = true
	}
}

// unanswered reports whether err means the engine never answered: the
// request ran out of time, as against a refusal or an error reply.
func unanswered(err error) bool {
	return err != nil && errors.Is(err, context.DeadlineExceeded)
}

// onListAnswer books a list poll's end: its backoff or its success, and
// how long the engine has been silent.
func (m *Model) onListAnswer(err error) {
	s := &m.sched
	sent := s.listSentAt
	s.listDone(m.now, m.refresh, err != nil)
	m.engineLost(err)
	switch {
	case unanswered(err):
		if s.listSilentSince.IsZero() {
			s.listSilentSince = sent
		}
	case err == nil:
		s.listSilentSince = time.Time{}
		m.engineAnswered()
	default:
		s.listSilentSince = time.Time{}
	}
}

// onProbe ends every backoff when the engine answered the probe.
func (m *Model) onProbe(msg probeMsg) {
	m.sched.probeInFlight = false
	if msg.err == nil {
		m.engineAnswered()
	} else {
		m.engineLost(msg.err)
	}
}

// scheduleHealth returns the probe when one is due and the feeds' healing
// when the engine just answered.
func (m *Model) scheduleHealth() []tea.Cmd {
	var cmds []tea.Cmd
	s := &m.sched
	if s.healFeeds {
		s.healFeeds = false
		m.runs.heal = m.runs.w != nil
		if c := healFeeds(m.feeds); c != nil {
			cmds = append(cmds, c)
		}
	}
	if m.conn.Kind != ui.Failed && m.backingOff() && !s.probeInFlight && !m.now.Before(s.nextProbeAt) {
		s.probeInFlight = true
		s.nextProbeAt = m.now.Add(probeEvery) // paced from the sending: a probe may last its whole deadline
		cmds = append(cmds, healthProbe(m.engine))
	}
	return cmds
}

// listSilence is how long the list has waited for an answer: since the
// poll in flight was sent or the first poll that ran out of time; zero
// when the last poll was answered and none is out.
func (m Model) listSilence() time.Duration {
	s := m.sched
	since := s.listSilentSince
	if since.IsZero() && s.listInFlight {
		since = s.listSentAt
	}
	if since.IsZero() {
		return 0
	}
	return max(m.now.Sub(since), 0)
}

// listConn is the list's state for the header: the last poll's outcome,
// unless a poll has gone unanswered for silentAfter, which the header says
// instead; it never says "live" over data the engine has stopped updating.
func (m Model) listConn() ui.Conn {
	c := m.conn
	if c.Kind == ui.Failed {
		return c
	}
	if d := m.listSilence(); d >= silentAfter {
		return ui.Conn{Kind: ui.NotAnswering, Silent: d,
			Reason: "the engine at " + m.info.APIURL + " has not answered the list poll for " + durable.FormatDuration(d.Truncate(time.Second))}
	}
	return c
}

// connNotes are the help screen's lines on the connection: the whole
// reason for the list's state and the feeds', wrapped to width.
func (m Model) connNotes(width int) []string {
	c := m.listConn()
	var notes []string
	switch c.Kind {
	case ui.Live:
		notes = append(notes, "List poll: live, every "+durable.FormatDuration(m.refresh)+".")
	case ui.Connecting:
		notes = append(notes, "List poll: connecting.")
	case ui.NotAnswering:
		notes = append(notes, "List poll unanswered: "+c.Reason+".")
	default:
		line := "List poll failed: " + ui.Clean(c.Reason)
		if left, past := durable.Remaining(m.sched.nextListAt, m.now); c.Kind == ui.Reconnecting && !past {
			line += "; next try in " + durable.FormatDuration(left) + " or as soon as the engine answers"
		}
		notes = append(notes, line+".")
	}
	live, retrying, reason := m.feedHeader()
	switch {
	case retrying > 0:
		notes = append(notes, "Feeds: "+strconv.Itoa(live)+" open, "+strconv.Itoa(retrying)+" reconnecting: "+ui.Clean(reason)+".")
	case live > 0:
		notes = append(notes, "Feeds: "+strconv.Itoa(live)+" open.")
	}
	var out []string
	for _, n := range notes {
		if width > 0 {
			n = ansi.Wrap(n, width, " ")
		}
		out = append(out, strings.Split(n, "\n")...)
	}
	return out
}
