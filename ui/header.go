package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/hatchtop/hatchtop/durable"
)

// HeaderData is what the two header lines show.
type HeaderData struct {
	Profile  string // the profile the tenant came from; "" when none
	Addr     string
	Tenant   string
	Version  string // "" while unknown
	Conn     Conn   // the state of the list's poll
	Updated  string // "updated 3s ago", "" before the first load
	Counts   map[durable.Phase]int
	Shown    int
	Total    int
	Filter   string
	ReadOnly bool
	// The live feeds: how many runs stream and how many reconnect. Why
	// they reconnect is in the help screen: a reason in the header would
	// crowd out the list's own state.
	FeedsLive     int
	FeedsRetrying int
	// Finished tasks still listed, the failures among them, and which
	// rows the toggle shows ("" for both).
	Finished int
	Failed   int
	Showing  string
}

// ConnKind is the state of the list's connection to the engine.
type ConnKind int

// Connection states.
const (
	Connecting   ConnKind = iota
	Live                  // the last poll answered and none is overdue
	Reconnecting          // the last poll failed; it is retried
	NotAnswering          // a poll has waited Silent for an answer
	Failed                // it will not heal by itself (token rejected)
)

// Conn is the connection state and, when it is not live, why.
type Conn struct {
	Kind   ConnKind
	Reason string        // the whole reason, for the help screen
	Silent time.Duration // how long the engine has not answered (NotAnswering)
}

// Header renders the two header lines. The first keeps the list's state
// and the feeds' apart, each in a word or two; reasons are in the help.
func Header(h HeaderData, width int, st Styles) string {
	width = drawable(width) // never the last column: see width.go
	left := st.Title.Render("hatchtop") + st.Dim.Render(" ▸ ")
	if h.Profile != "" {
		left += st.Title.Render(Clean(h.Profile)) + st.Dim.Render(" · ")
	}
	left += Clean(h.Addr) +
		st.Dim.Render(" · tenant ") + shortID(h.Tenant)
	if h.Version != "" {
		left += st.Dim.Render(" · ") + Clean(h.Version)
	}
	right := st.Dim.Render("list ") + connText(h.Conn, st)
	if f := feedsText(h, st); f != "" {
		right += st.Dim.Render(" · ") + f
	}
	if h.Conn.Kind == Reconnecting || h.Conn.Kind == NotAnswering || h.Conn.Kind == Failed || h.FeedsRetrying > 0 {
		right += st.Dim.Render(" · ? why")
	}
	if h.Updated != "" {
		right += st.Dim.Render(" · " + h.Updated)
	}
	line1 := spread(left, right, width)

	var counts []string
	for _, p := range []durable.Phase{durable.PhaseRunning, durable.PhaseEvicted, durable.PhaseQueued} {
		counts = append(counts, st.Phase[p].Render(Glyph(p))+" "+string(p)+" "+strconv.Itoa(h.Counts[p]))
	}
	if h.Failed > 0 {
		counts = append(counts, st.Phase[durable.PhaseFailed].Render(Glyph(durable.PhaseFailed)+" failed "+strconv.Itoa(h.Failed)))
	}
	line2 := strings.Join(counts, "  ")
	shown := strconv.Itoa(h.Total) + " active"
	if h.Finished > 0 {
		shown += ", " + strconv.Itoa(h.Finished) + " finished"
	}
	switch all := h.Total + h.Finished; {
	case h.Shown == all:
	case h.Finished > 0: // "4 of 12 active, 4 finished" would count the finished as active
		shown = strconv.Itoa(h.Shown) + " of " + strconv.Itoa(all) + " shown (" + shown + ")"
	default:
		shown = strconv.Itoa(h.Shown) + " of " + shown
	}
	line2 += st.Dim.Render("   " + shown)
	if h.Showing != "" {
		line2 += st.Dim.Render("   showing ") + h.Showing
	}
	if h.Filter != "" {
		line2 += st.Dim.Render("   filter ") + st.FilterText.Render(Clean(h.Filter))
	}
	if h.ReadOnly {
		line2 += st.Warn.Render("   read-only")
	}
	return line1 + "\n" + cut(line2, width, "…")
}

// connText is the list's state in a word or two.
func connText(c Conn, st Styles) string {
	switch c.Kind {
	case Live:
		return st.Live.Render("● live")
	case Reconnecting:
		return st.Warn.Render("◌ reconnecting")
	case NotAnswering:
		return st.Warn.Render("⚠ not answering " + durable.FormatDuration(c.Silent.Truncate(time.Second)))
	case Failed:
		// The only failures that do not heal have short reasons of our own
		// ("token rejected"); anything longer waits in the help.
		r := Clean(c.Reason)
		if r == "" || ansi.StringWidth(r) > 24 {
			r = "error"
		}
		return st.Error.Render("✘ " + r)
	}
	return st.Dim.Render("◌ connecting")
}

// feedsText counts the open and the reconnecting feeds in words ("1 feed
// streaming", "2 feeds reconnecting"), "" when none. Not "live": that word
// is the list's state, which may be otherwise.
func feedsText(h HeaderData, st Styles) string {
	var parts []string
	if h.FeedsLive > 0 {
		parts = append(parts, st.Dim.Render(Count(h.FeedsLive, "feed")+" streaming"))
	}
	if h.FeedsRetrying > 0 {
		parts = append(parts, st.Warn.Render("◌ "+Count(h.FeedsRetrying, "feed")+" reconnecting"))
	}
	return strings.Join(parts, st.Dim.Render(" · "))
}

// spread puts left and right on one line of width cells, truncating the
// left part first and then the right if they do not fit.
func spread(left, right string, width int) string {
	lw, rw := safeWidth(left), safeWidth(right)
	if rw > width {
		return cut(right, width, "…")
	}
	if lw+1+rw > width {
		left = cut(left, max(width-rw-1, 0), "…")
		lw = safeWidth(left)
	}
	return left + strings.Repeat(" ", max(width-lw-rw, 1)) + right
}

func shortID(id string) string {
	id = Clean(id)
	if len(id) > 8 {
		return ansi.Truncate(id, 8, "") // whole clusters, should it not be a UUID
	}
	return id
}
