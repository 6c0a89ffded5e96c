package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/client/fake"
	"github.com/hatchtop/hatchtop/durable"
)

// The open detail's run keeps its feed while its row leaves the list for a
// poll, while a retryable failure marks it failed, and while the list
// scrolls away under it.
func TestDetailRunKeepsItsFeed(t *testing.T) {
	_, m := detailModel(t) // detail of t1 open
	if got := m.wantedRuns(); len(got) == 0 || got[0] != "t1" {
		t.Fatalf("wanted %v, want the detail's run first", got)
	}
	m.tasks["t1"].task.Status = durable.StatusFailed // a retryable failure, as the feed reports it
	if got := m.wantedRuns(); !slices.Contains(got, "t1") {
		t.Errorf("a failed-for-now row dropped the detail's feed: %v", got)
	}
	delete(m.tasks, "t1") // left the list for one poll
	if got := m.wantedRuns(); !slices.Equal(got, []string{"t1"}) {
		t.Errorf("a row that left the list dropped the detail's feed: %v", got)
	}
}

func TestDetailRunStaysWantedWhileTheListScrolls(t *testing.T) {
	f := fake.New()
	var tasks []durable.Task
	for i := range 40 {
		tasks = append(tasks, durableTask(fmt.Sprintf("t%02d", i), "task", -time.Duration(i)*time.Second))
	}
	f.SetTasks(tasks...)
	feeds := &recordingFeeds{ch: make(chan client.FeedUpdate)}
	base := newTestModel(f)
	m := New(Deps{Engine: f, Since: time.Hour, Refresh: 2 * time.Second, Now: t0, Styles: base.styles, Keys: base.keys, Feeds: feeds, WholeList: true})
	m.tick = func() tea.Cmd { return nil }
	m.width, m.height = 120, 14 // 10 rows on screen
	m = step(t, m, startMsg{})  // no feed read is pending: startMsg issues none
	m = step(t, m, press("G"))
	m = step(t, m, press("enter"))
	if m.detail() == nil || m.detail().taskID != "t39" {
		t.Fatal("the detail of t39 did not open")
	}
	// The list moves under the open detail, as polls that add rows do.
	for i, delta := range []int{-100, 1, 1, 10, 100, -1, -100} {
		m.move(delta)
		m = step(t, m, tickMsg(t0.Add(time.Duration(i+1)*time.Second)))
		if w := feeds.wants[len(feeds.wants)-1]; w[0] != "t39" {
			t.Fatalf("with the list at %s the feeds are %v; the detail's run t39 is not first", m.selectedID, w)
		}
	}
}

// A gap shows in the pane as a dimmed marker, and a late chunk fills it.
func TestStreamPaneShowsAndFillsGaps(t *testing.T) {
	_, m := detailModel(t)
	m = step(t, m, press("3"))
	ev := func(i int64) feedMsg {
		return feedEvent(durable.RunEvent{Kind: durable.TaskStream, RunID: "t1", TaskID: "t1", Index: i,
			Payload: fmt.Sprintf("chunk %d\n", i), At: t0.Add(time.Duration(i) * time.Second)})
	}
	for _, i := range []int64{0, 1, 2, 52} {
		m = update(m, ev(i))
	}
	view := m.View()
	if !strings.Contains(view, "… 49 chunks not received (12:00:02–12:00:52)") || !strings.Contains(view, "1 gap in the stream") {
		t.Fatalf("no gap marker:\n%s", view)
	}
	for i := int64(3); i < 52; i++ {
		m = update(m, ev(i))
	}
	view = m.View()
	if strings.Contains(view, "not received") || strings.Contains(view, "gap") || !strings.Contains(view, "chunk 52") {
		t.Errorf("late chunks did not fill the gap:\n%s", view)
	}
}
