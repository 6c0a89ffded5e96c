package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

func firstHeaderLine(h HeaderData, width int) string {
	return strings.SplitN(Header(h, width, plainStyles()), "\n", 2)[0]
}

// The list's state and the feeds' are told apart, each in a word or two;
// no reason is spelled out in the header, so neither hides the other.
func TestHeaderStates(t *testing.T) {
	long := "cannot reach the engine at http://localhost:8080 (the connection was closed: read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer)"
	cases := []struct {
		name     string
		conn     Conn
		live     int
		retrying int
		want     []string
		not      []string
	}{
		{"live with feeds", Conn{Kind: Live}, 3, 0, []string{"list ● live · 3 feeds streaming · updated 1s ago"}, []string{"why"}},
		{"live without feeds", Conn{Kind: Live}, 0, 0, []string{"list ● live · updated 1s ago"}, []string{"feeds"}},
		{"connecting", Conn{Kind: Connecting}, 0, 0, []string{"list ◌ connecting"}, []string{"live"}},
		{"reconnecting, feeds too", Conn{Kind: Reconnecting, Reason: long}, 0, 4,
			[]string{"list ◌ reconnecting · ◌ 4 feeds reconnecting · ? why · updated 1s ago"}, []string{"cannot reach", "live"}},
		{"feeds split", Conn{Kind: Live}, 2, 1, []string{"list ● live · 2 feeds streaming · ◌ 1 feed reconnecting · ? why"}, nil},
		{"not answering", Conn{Kind: NotAnswering, Silent: 4500 * time.Millisecond, Reason: long}, 3, 0,
			[]string{"list ⚠ not answering 4s · 3 feeds streaming · ? why"}, []string{"live", "cannot reach"}},
		{"token rejected", Conn{Kind: Failed, Reason: "token rejected"}, 0, 0, []string{"list ✘ token rejected · ? why"}, nil},
		{"long failure", Conn{Kind: Failed, Reason: long}, 0, 0, []string{"list ✘ error · ? why"}, []string{"cannot reach"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := sampleHeader()
			h.Conn, h.FeedsLive, h.FeedsRetrying = c.conn, c.live, c.retrying
			line := firstHeaderLine(h, 160)
			for _, w := range c.want {
				if !strings.Contains(line, w) {
					t.Errorf("header %q lacks %q", line, w)
				}
			}
			for _, n := range c.not {
				if strings.Contains(line, n) {
					t.Errorf("header %q holds %q", line, n)
				}
			}
		})
	}
}

// At 80 columns the address gives way before the list's state does.
func TestHeaderKeepsTheListStateWhenNarrow(t *testing.T) {
	h := sampleHeader()
	h.Conn, h.FeedsRetrying = Conn{Kind: NotAnswering, Silent: 12 * time.Second}, 50
	line := firstHeaderLine(h, 80)
	if w := ansi.StringWidth(line); w > 80 {
		t.Errorf("header is %d cells wide: %q", w, line)
	}
	if !strings.Contains(line, "list ⚠ not answering 12s · ◌ 50 feeds reconnecting") {
		t.Errorf("the list's state was cut: %q", line)
	}
}

func TestHeaderCleansEngineText(t *testing.T) {
	h := sampleHeader()
	h.Conn = Conn{Kind: Failed, Reason: "token\x1b[31m rejected"}
	h.Filter = "pay\x1b[31m"
	h.Version = "v1\x1b]0;pwned\x07"
	out := Header(h, 120, plainStyles())
	if strings.ContainsAny(out, "\x1b\x07") || !strings.Contains(out, "filter pay") {
		t.Errorf("header %q", out)
	}
}

// What the list shows of the tasks known: a filter or the finished toggle
// hides some, and the finished are never counted as active.
func TestHeaderCountsShownRows(t *testing.T) {
	for _, c := range []struct {
		shown, total, finished int
		want                   string
	}{
		{12, 12, 0, "   12 active"},
		{4, 12, 0, "   4 of 12 active"},
		{16, 12, 4, "   12 active, 4 finished"},
		{4, 12, 4, "   4 of 16 shown (12 active, 4 finished)"},
	} {
		h := sampleHeader()
		h.Shown, h.Total, h.Finished = c.shown, c.total, c.finished
		out := Header(h, 160, plainStyles())
		if !strings.Contains(out, c.want) {
			t.Errorf("%d of %d+%d: want %q in\n%s", c.shown, c.total, c.finished, c.want, out)
		}
	}
}
