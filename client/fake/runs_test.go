package fake

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/durable"
)

func TestListCreatedPagesByCreation(t *testing.T) {
	f := New()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var tasks []durable.Task
	for i := range 7 {
		tasks = append(tasks, durable.Task{ID: string(rune('a' + i)), Status: durable.StatusRunning, CreatedAt: at.Add(time.Duration(i/3) * time.Hour)})
	}
	tasks = append(tasks, durable.Task{ID: "done", Status: durable.StatusCompleted, CreatedAt: at})
	f.SetTasks(tasks...)
	var got []string
	var after client.ListCursor
	for range 10 {
		page, err := f.ListCreated(context.Background(), client.ListQuery{Since: at, Limit: 2, After: after})
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range page.Tasks {
			got = append(got, task.ID)
		}
		if page.Next.IsZero() {
			break
		}
		after = page.Next
	}
	if want := "gfedcba"; string([]rune(joined(got))) != want {
		t.Errorf("pages %v, want %s", got, want)
	}
	page, _ := f.ListCreated(context.Background(), client.ListQuery{Since: at.Add(time.Hour)})
	if len(page.Tasks) != 4 {
		t.Errorf("since an hour later: %d tasks, want 4", len(page.Tasks))
	}
}

func joined(ids []string) string {
	s := ""
	for _, id := range ids {
		s += id
	}
	return s
}

func TestWatchRunsFinishesOnce(t *testing.T) {
	f := New()
	w := f.WatchRuns(client.FeedOptions{})
	defer w.Close()
	if u := <-w.Updates(); u.State != client.FeedLive {
		t.Fatalf("first update %+v", u)
	}
	w.Watch("r1", "r2")
	if f.FinishRun("r3", durable.StatusCompleted) {
		t.Error("an unwatched run finished")
	}
	if !f.FinishRun("r1", durable.StatusFailed) || f.FinishRun("r1", durable.StatusFailed) {
		t.Error("r1 should finish exactly once")
	}
	if u := <-w.Updates(); u.Finished == nil || u.Finished.RunID != "r1" || u.Finished.Final != durable.StatusFailed {
		t.Errorf("update %+v", u)
	}
	f.BreakWatch(errors.New("dropped"))
	if a, b := <-w.Updates(), <-w.Updates(); a.State != client.FeedRetrying || b.State != client.FeedLive {
		t.Errorf("break: %v then %v", a.State, b.State)
	}
	if got := f.Watched(); len(got) != 1 || got[0] != "r2" {
		t.Errorf("watched %v", got)
	}
}
