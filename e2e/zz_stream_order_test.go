package e2e

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chunkLine is one line of stream-fast's output on screen.
var chunkLine = regexp.MustCompile(`chunk (\d+) at \d{13}`)

// 20 put_stream chunks a second for a minute reach the stream pane of the
// open detail, each index exactly once and in order, with no gap marker
// left at the end, while the pane is scrolled up and down and the detail
// is left for the list, the selection moved around and the detail opened
// again. The same task's 1200 ctx.log lines (more than one page of the
// log endpoint) come back whole in one LogLines call.
func TestStreamPaneKeepsEveryChunkInOrder(t *testing.T) {
	requireStack(t)
	const chunks, intervalMs = 1200, 50 // 20/s for 60 s
	tm := startTerm(t, 160, 40, "--refresh", "1s")
	tm.waitScreen(30*time.Second, "the list", func(s string) bool { return strings.Contains(s, "● live") })
	// The first chunk waits for hatchtop to be subscribed: the engine keeps
	// no chunks for late subscribers.
	runID := trigger(t, "stream-fast", map[string]any{"chunks": chunks, "intervalMs": intervalMs, "delayMs": 12000, "sleep": "10m", "label": "streamed a minute"})
	var taskID string
	eventually(t, 30*time.Second, func() (bool, string) {
		for _, task := range snapshot(t).Tasks {
			if task.RunID == runID {
				taskID = task.ID
			}
		}
		return taskID != "", "the run is not in the list yet"
	})
	tm.openRun("stream-fast", runID)
	tm.keys("3")
	tm.waitScreen(30*time.Second, "the first chunk", func(s string) bool { return strings.Contains(s, "chunk 1 at ") })
	started := time.Now()

	// Move around while it streams. Each step is followed by a look at the
	// screen, which also counts gap markers seen along the way (chunks the
	// engine delivered late, later put in their place).
	steps := [][]string{
		{"k"}, {"k"}, {"PageUp"}, {"g"}, {"j"}, {"PageDown"}, {"G"}, // the pane: paused, then following again
		{"Escape"}, {"j"}, {"k"}, {"G"}, {"g"}, {"Enter"}, {"3"}, // the list, and back to the same detail
		{"f"}, {"f"},
	}
	markers, step := 0, 0
	for {
		s := tm.screen()
		if strings.Contains(s, "not received") {
			markers++
		}
		if strings.Contains(s, "chunk "+strconv.Itoa(chunks)+" at ") && strings.Contains(s, "following") {
			break
		}
		if time.Since(started) > 90*time.Second {
			t.Fatalf("the last chunk is not on screen %s after the first:\n%s", time.Since(started).Round(time.Second), s)
		}
		keys := steps[step%len(steps)]
		if keys[0] == "3" && !strings.Contains(s, runID) {
			t.Fatalf("enter did not reopen this run's detail:\n%s", s)
		}
		tm.keys(keys...)
		step++
		if step%len(steps) == 0 {
			tm.keys("G") // end each round following the pane
		}
		time.Sleep(700 * time.Millisecond) // pacing the keys, not synchronising
	}
	t.Logf("streamed %d chunks in %s; %d key steps; gap markers seen on %d screens along the way",
		chunks, time.Since(started).Round(time.Second), step, markers)

	// A screen tall enough for the whole buffer: every line at once.
	tm.tmux("resize-window", "-t", "main", "-x", "160", "-y", strconv.Itoa(chunks+30))
	screen := tm.waitScreen(10*time.Second, "the whole stream on one screen", func(s string) bool {
		return strings.Contains(s, "chunk 1 at ") && strings.Contains(s, "chunk "+strconv.Itoa(chunks)+" at ")
	})
	var got []int
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, "not received") {
			t.Errorf("a gap marker is left: %q", l)
		}
		if m := chunkLine.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			got = append(got, n)
		}
	}
	if len(got) != chunks {
		t.Errorf("%d chunk lines on screen, want %d", len(got), chunks)
	}
	for i, n := range got {
		if n != i+1 {
			t.Fatalf("line %d of the stream is chunk %d, want %d (every index once, in order); around it: %v", i, n, i+1, got[max(i-3, 0):min(i+4, len(got))])
		}
	}
	if note := lineWith(screen, "first chunk"); !strings.Contains(note, "complete from the first chunk") || strings.Contains(note, "gap") {
		t.Errorf("pane note %q", note)
	}

	// The ctx.log lines: one call, past the endpoint's 1000-line page.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := dialStack(t)
	eventually(t, 20*time.Second, func() (bool, string) {
		lines, err := c.LogLines(ctx, taskID, time.Time{})
		if err != nil {
			return false, err.Error()
		}
		n := 0
		for _, l := range lines {
			if strings.HasPrefix(l.Message, "log ") {
				n++
				if want := "log " + strconv.Itoa(n) + " at "; !strings.HasPrefix(l.Message, want) {
					return false, "line " + strconv.Itoa(n) + " is " + l.Message
				}
			}
		}
		return n == chunks, strconv.Itoa(n) + " log lines in one call, want " + strconv.Itoa(chunks)
	})
	tm.keys("4")
	tm.waitScreen(10*time.Second, "every log line in the pane", func(s string) bool {
		return strings.Contains(s, strconv.Itoa(chunks)+" ctx.log lines") && !strings.Contains(s, "dropped")
	})
}

// A chunk sent 8 s late (its call retried, say) comes after the engine
// gave up waiting for it (5 s) and sent the later ones: the pane shows a
// gap marker meanwhile, then puts the chunk in its place.
func TestStreamPaneTakesALateChunkBack(t *testing.T) {
	requireStack(t)
	const chunks = 40
	tm := startTerm(t, 160, 60, "--refresh", "1s")
	tm.waitScreen(30*time.Second, "the list", func(s string) bool { return strings.Contains(s, "● live") })
	runID := trigger(t, "stream-fast", map[string]any{"chunks": chunks, "intervalMs": 100, "delayMs": 12000,
		"holdIndex": 10, "holdMs": 8000, "sleep": "10m", "label": "streamed with a late chunk"})
	eventually(t, 30*time.Second, func() (bool, string) {
		for _, task := range snapshot(t).Tasks {
			if task.RunID == runID {
				return true, ""
			}
		}
		return false, "the run is not in the list yet"
	})
	tm.openRun("stream-fast", runID)
	tm.keys("3")
	screen := tm.waitScreen(40*time.Second, "the gap of the held chunk", func(s string) bool {
		return strings.Contains(s, "… 1 chunk not received (") && strings.Contains(s, "chunk "+strconv.Itoa(chunks)+" at ")
	})
	var around []string // the lines before and after the marker
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		if strings.Contains(l, "not received") && i > 0 && i+1 < len(lines) {
			around = []string{chunkLine.FindString(lines[i-1]), chunkLine.FindString(lines[i+1])}
		}
	}
	if len(around) != 2 || !strings.HasPrefix(around[0], "chunk 10 at") || !strings.HasPrefix(around[1], "chunk 12 at") {
		t.Errorf("the marker is not where chunk 11 belongs (between %q):\n%s", around, screen)
	}
	screen = tm.waitScreen(20*time.Second, "the late chunk in its place", func(s string) bool {
		return strings.Contains(s, "chunk 11 at ") && !strings.Contains(s, "not received")
	})
	var got []int
	for _, l := range strings.Split(screen, "\n") {
		if m := chunkLine.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			got = append(got, n)
		}
	}
	for i := range chunks {
		if i >= len(got) || got[i] != i+1 {
			t.Fatalf("the stream reads %v; want 1..%d once each, in order", got, chunks)
		}
	}
	if len(got) != chunks {
		t.Errorf("%d chunk lines, want %d: %v", len(got), chunks, got)
	}
}

// openRun opens the detail of runID's row among those matching text: the
// newest, at the top of the filtered list once hatchtop has polled it.
func (tm *term) openRun(text, runID string) {
	tm.t.Helper()
	tm.openRow(text)
	eventually(tm.t, 20*time.Second, func() (bool, string) {
		s := tm.screen()
		if strings.Contains(s, runID) {
			return true, ""
		}
		tm.keys("Escape") // another run's detail: back, to the top, open again
		tm.keys("g")
		tm.keys("Enter")
		return false, "the detail of run " + runID + " did not open; screen:\n" + s
	})
}

// A task that wrote more ctx.log lines than the pane keeps: the detail
// reads them all in one pass (6 pages of the endpoint) and says how many
// earlier lines it let go.
func TestLogsPaneSaysWhatItDropped(t *testing.T) {
	requireStack(t)
	const lines = 6000
	runID := trigger(t, "stream-fast", map[string]any{"chunks": lines, "intervalMs": 0, "sleep": "10m", "label": "logged 6000 lines"})
	c := dialStack(t)
	var taskID string
	var took time.Duration
	eventually(t, 60*time.Second, func() (bool, string) {
		for _, task := range snapshot(t).Tasks {
			if task.RunID == runID {
				taskID = task.ID
			}
		}
		if taskID == "" {
			return false, "the run is not in the list yet"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		began := time.Now()
		got, err := c.LogLines(ctx, taskID, time.Time{})
		if err != nil {
			return false, err.Error()
		}
		took = time.Since(began)
		return len(got) == lines, strconv.Itoa(len(got)) + " log lines so far"
	})
	t.Logf("%d ctx.log lines read in one LogLines call in %s", lines, took.Round(time.Millisecond))
	tm := startTerm(t, 160, 40, "--refresh", "1s")
	tm.openRun("stream-fast", runID)
	tm.keys("4")
	screen := tm.waitScreen(15*time.Second, "the dropped lines counted", func(s string) bool {
		return strings.Contains(s, "1000 earlier lines dropped (keeps the last 5000) · 5000 ctx.log lines")
	})
	if !strings.Contains(screen, "log 6000 at ") {
		t.Errorf("the newest line is not shown:\n%s", screen)
	}
}
