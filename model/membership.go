package model

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/engine"
)

// Membership on an engine that pages by creation time (the program's):
// instead of the whole active list every refresh, two kinds of pages.
//
//   - The screen query, every --refresh, is the list's poll: the active
//     tasks created since the oldest row on screen (the newest page when
//     nothing is on screen yet, so the first frame needs one request). It
//     brings new tasks and the status, start and eviction of every row on
//     screen, and drops the rows of that window it no longer returns.
//   - The reconciliation walks the whole window (--since) one page at a
//     time, one page every reconcilePageEvery, over and over, keyed by the
//     client's cursor (no task doubled or skipped by paging). It catches
//     what changed off screen; at the end of a pass every task created
//     before the pass began that the pass did not return is dropped. A pass
//     of P pages takes P × reconcilePageEvery (the first one goes faster).
//
// The README's "How hatchtop polls and listens" states these figures.
const (
	screenQueryRows    = 200              // rows of one screen query at most
	passPageRows       = 1000             // rows of one reconciliation page
	reconcilePageEvery = 30 * time.Second // the pace of the reconciliation: 10,000 tasks in 5 min
	firstPassPageEvery = 3 * time.Second  // the first pass, which finds every task
	passOverlap        = 10 * time.Second // clock skew between us and the engine
)

// passState is the reconciliation in progress.
type passState struct {
	gen       uint64            // the pass's number; tasks it returned carry it
	after     engine.ListCursor // where the next page starts
	startedAt time.Time         // tasks created after this are the screen query's
	inFlight  bool
	sentAt    time.Time // when the page in flight was asked for
	nextAt    time.Time
	passes    int // passes completed
}

// screenMsg carries one screen query.
type screenMsg struct {
	q    engine.ListQuery
	page engine.ListPage
	err  error
}

// passMsg carries one page of the reconciliation.
type passMsg struct {
	gen  uint64
	page engine.ListPage
	err  error
}

func fetchScreen(p pager, q engine.ListQuery) tea.Cmd {
	return request(func(ctx context.Context) (engine.ListPage, error) { return p.ListCreated(ctx, q) },
		func(page engine.ListPage, err error) tea.Msg { return screenMsg{q: q, page: page, err: err} })
}

func fetchPassPage(p pager, gen uint64, q engine.ListQuery) tea.Cmd {
	return request(func(ctx context.Context) (engine.ListPage, error) { return p.ListCreated(ctx, q) },
		func(page engine.ListPage, err error) tea.Msg { return passMsg{gen: gen, page: page, err: err} })
}

// paged returns the engine's pager when membership goes by pages.
func (m *Model) paged() (pager, bool) {
	if m.wholeList {
		return nil, false
	}
	p, ok := m.engine.(pager)
	return p, ok
}

// screenQuery asks for the active tasks created since the oldest row on
// screen, or the newest page while nothing is on screen.
func (m *Model) screenQuery() engine.ListQuery {
	q := engine.ListQuery{Since: m.now.Add(-m.since), Limit: screenQueryRows}
	if ids := m.visibleIDs(); len(ids) > 0 && len(m.shown) > len(ids) {
		if st, ok := m.tasks[ids[len(ids)-1]]; ok && st.task.CreatedAt.After(q.Since) {
			q.Since = st.task.CreatedAt
		}
	}
	return q
}

// onScreen applies a screen query like a poll of the whole list, within
// its window: what it returns is merged, and, when it returned the whole
// window, the window's rows it did not return are no longer active.
func (m *Model) onScreen(msg screenMsg) {
	if !m.listAnswered(msg.err) {
		return
	}
	for _, t := range msg.page.Tasks {
		if t.Status.Active() {
			m.listed(t, m.sched.listSentAt).listGen = m.listGen
		}
	}
	if msg.page.Next.IsZero() {
		for _, id := range m.index.Order() { // newest first: stop below the window
			st := m.tasks[id]
			if st.task.CreatedAt.Before(msg.q.Since) {
				break
			}
			if st.listGen != m.listGen {
				m.goneFromList(st) // kept, marked finished (finished.go)
			}
		}
	}
	m.reorder()
}

// schedulePass sends the next page of the reconciliation when it is due.
// It waits while the list's poll backs off: one retry at a time.
func (m *Model) schedulePass(p pager) tea.Cmd {
	ps := &m.pass
	if ps.inFlight || m.now.Before(ps.nextAt) || m.sched.listFails > 0 || !m.sched.requests.ok() {
		return nil
	}
	m.sched.requests.take()
	if ps.after.IsZero() {
		ps.gen++
		ps.startedAt = m.now
	}
	ps.inFlight = true
	ps.sentAt = m.now
	return fetchPassPage(p, ps.gen, engine.ListQuery{Since: m.now.Add(-m.since), After: ps.after, Limit: passPageRows})
}

// onPass merges one page of the reconciliation; the last page of a pass
// drops what the pass did not find.
func (m *Model) onPass(msg passMsg) {
	ps := &m.pass
	ps.inFlight = false
	every := reconcilePageEvery
	if ps.passes == 0 {
		every = firstPassPageEvery
	}
	ps.nextAt = m.now.Add(every)
	if msg.gen != ps.gen {
		return
	}
	if msg.err != nil {
		m.engineLost(msg.err) // the same page is asked again
		return
	}
	m.engineAnswered()
	for _, t := range msg.page.Tasks {
		if t.Status.Active() {
			m.listed(t, ps.sentAt).passGen = ps.gen
		}
	}
	ps.after = msg.page.Next
	if ps.after.IsZero() {
		m.endPass()
	}
	m.reorder()
}

// endPass marks finished every task the pass should have returned and
// did not (created before it began, so not the screen query's alone): a
// finish the push missed, read once to learn how (finished.go).
func (m *Model) endPass() {
	ps := &m.pass
	before := ps.startedAt.Add(-passOverlap)
	for _, st := range m.tasks {
		if st.passGen != ps.gen && !st.task.CreatedAt.IsZero() && st.task.CreatedAt.Before(before) {
			m.goneFromList(st)
		}
	}
	ps.passes++
}

// restartPass begins a new pass at once, as after a reconnect.
func (m *Model) restartPass() {
	m.pass.after = engine.ListCursor{}
	m.pass.nextAt = m.now
	if m.pass.inFlight {
		m.pass.gen++ // the page in flight belongs to the old pass
		m.pass.inFlight = false
	}
}
