package ui

import (
	"slices"
	"strconv"
	"strings"
)

// InboxChromeHeight is the lines around the inbox table: the two header
// lines, the inbox's own title line and the footer.
const InboxChromeHeight = 4

// InboxRow is one group of the waits inbox: an event key and the waits it
// would satisfy, or the sleeping group. Waiters are listed under the
// selected group only.
type InboxRow struct {
	Key      string
	Sleeping bool
	Wakes    int    // distinct tasks
	Labels   string // joined titles
	Next     string // the nearest deadline's countdown, "" if none
	Selected bool
	Waiters  []InboxWaiter
}

// InboxWaiter is one task waiting in a group; Selected marks the one
// picked among several (the one enter opens).
type InboxWaiter struct {
	Task      string
	Title     string
	Remaining string
	Selected  bool
}

var inboxColumns = []column{
	{title: "EVENT KEY", min: 14, fair: 24, weight: 3},
	{title: "WAKES", min: 5},
	{title: "WAITS", min: 14, weight: 4},
	{title: "NEXT DEADLINE", min: 13, drop: 1},
}

// InboxTitle is the line above the inbox table: what it is and how fresh.
func InboxTitle(freshness string, width int, st Styles) string {
	return cut(st.Title.Render("waits inbox")+st.Dim.Render(" · every open wait by the event that would end it · "+freshness), drawable(width), "…")
}

// InboxTable renders the groups and, under the selected one, its waiters,
// in exactly height lines.
func InboxTable(rows []InboxRow, offset, width, height int, empty string, st Styles) string {
	cells := make([][]string, len(rows))
	for r, row := range rows {
		key := Clean(row.Key)
		if row.Sleeping {
			key = "(sleeping)"
		}
		cells[r] = []string{key, strconv.Itoa(row.Wakes), Clean(row.Labels), row.Next}
	}
	width = drawable(width)
	gutter := ""
	if st.Mono {
		gutter, width = "  ", width-2 // for the "> " of the selection
	}
	widths := layout(inboxColumns, width)
	if slack := tableSlack(cells, widths, nil); slack > 0 {
		width -= slack
		widths = layout(inboxColumns, width)
	}
	titles := columnTitles(inboxColumns)
	var lines []string
	if len(rows) == 0 && empty != "" {
		lines = append(lines, st.Dim.Render(gutter+fit("  "+empty, width)))
	}
	for r, row := range rows {
		line := joinWidths(cells[r], widths)
		if row.Selected {
			mark := ""
			if st.Mono {
				mark = "> "
			}
			lines = append(lines, mark+st.Selected.Render(fit(line, width)))
			picked := ""
			if st.Mono && slices.ContainsFunc(row.Waiters, func(w InboxWaiter) bool { return w.Selected }) {
				picked = "  " // the names stay aligned beside the "> "
			}
			for _, w := range row.Waiters {
				task, pick := Clean(w.Task), picked
				if w.Selected {
					task = st.Selected.Render(task)
					if st.Mono {
						pick = "> "
					}
				}
				sub := "   └ " + pick + task + st.Dim.Render("  "+Clean(w.Title))
				if w.Remaining != "" {
					sub += "  " + st.Countdown.Render(w.Remaining)
				}
				lines = append(lines, gutter+cut(sub, width, "…"))
			}
			continue
		}
		lines = append(lines, gutter+fit(line, width))
	}
	body := height - 1
	if offset > 0 && offset < len(lines) {
		lines = lines[offset:]
	}
	out := []string{st.Header.Render(gutter + fit(joinWidths(titles, widths), width))}
	for i := 0; i < body; i++ {
		if i < len(lines) {
			out = append(out, lines[i])
		} else {
			out = append(out, "")
		}
	}
	return strings.Join(out, "\n")
}
