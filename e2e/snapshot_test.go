package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// byRun indexes a snapshot's tasks by scenario name.
func byRun(s snap) map[string]int {
	out := map[string]int{}
	for name, run := range env.runs {
		for i, task := range s.Tasks {
			if task.RunID == run {
				out[name] = i
			}
		}
	}
	return out
}

// waitForAllWaits polls snapshots until every scenario's task shows an open
// wait (the retried one only after its third attempt starts).
func waitForAllWaits(t *testing.T) snap {
	t.Helper()
	var names []string
	for _, sc := range scenarios {
		names = append(names, sc.name)
	}
	return waitForWaits(t, names...)
}

// waitForWaits waits until the named scenarios all wait; later tests name
// the long-lived ones only, the 120 s sleep being over by then.
func waitForWaits(t *testing.T, names ...string) snap {
	t.Helper()
	var s snap
	eventually(t, 90*time.Second, func() (bool, string) {
		s = snapshot(t)
		idx := byRun(s)
		for _, name := range names {
			i, ok := idx[name]
			if !ok {
				return false, name + " not listed yet"
			}
			if len(s.Tasks[i].Waits) == 0 {
				return false, fmt.Sprintf("%s has no open wait yet (status %s, attempt %d)", name, s.Tasks[i].Status, s.Tasks[i].Attempt)
			}
		}
		return true, ""
	})
	return s
}

func TestSnapshotShowsEveryWait(t *testing.T) {
	requireStack(t)
	s := waitForAllWaits(t)
	if s.Version != "v0.105.0" {
		t.Errorf("engine version %q, want v0.105.0", s.Version)
	}
	idx := byRun(s)

	long := s.Tasks[idx["long-sleep"]]
	w := long.Waits[0]
	if w.Label != longSleepLabel || w.Kind != "sleep" || w.SleepDurationMs != 120000 || w.Deadline == nil || w.RemainingMs == nil {
		t.Errorf("long sleep wait = %+v", w)
	}
	// The deadline is the engine's insertedAt + sleepDurationMs, read here
	// straight from the REST API.
	log := restEventLog(t, long.ID)
	if len(log) == 0 || len(log[0].WaitData) == 0 {
		t.Fatalf("REST event log of the long sleep is empty: %+v", log)
	}
	want := log[0].InsertedAt.Add(time.Duration(log[0].WaitData[0].SleepDurationMs) * time.Millisecond)
	if d := w.Deadline.Sub(want); d < -time.Second || d > time.Second {
		t.Errorf("deadline %s, REST says %s", w.Deadline, want)
	}
	if rem := time.Duration(*w.RemainingMs) * time.Millisecond; rem <= 0 || rem > 120*time.Second {
		t.Errorf("remaining %s out of (0, 120s]", rem)
	}

	ev := s.Tasks[idx["event"]].Waits[0]
	if ev.Label != "awaiting payment confirmation" || ev.Kind != "event" || strings.Join(ev.EventKeys, ",") != "e2e:payment:confirmed" {
		t.Errorf("event wait = %+v", ev)
	}

	or := s.Tasks[idx["or"]].Waits[0]
	if or.Label != "approval or timeout" || or.Kind != "any" || or.On != "event e2e:approval:granted | sleep 1h" ||
		strings.Join(or.EventKeys, ",") != "e2e:approval:granted" || or.SleepDurationMs != 3600000 {
		t.Errorf("or wait = %+v", or)
	}

	retry := s.Tasks[idx["retry"]]
	if retry.Attempt != 3 || retry.RetryCount != 2 || retry.MaxRetries == nil || *retry.MaxRetries != 3 || retry.AttemptText != "attempt 3/4" {
		t.Errorf("retried task: attempt %d retryCount %d maxRetries %v text %q", retry.Attempt, retry.RetryCount, retry.MaxRetries, retry.AttemptText)
	}
	if retry.Waits[0].Label != "third time lucky" {
		t.Errorf("retried task's wait label %q", retry.Waits[0].Label)
	}

	un := s.Tasks[idx["unlabelled"]].Waits[0]
	if un.Label != "" || un.Title != "sleeping 5m" || un.Kind != "sleep" {
		t.Errorf("unlabelled wait = %+v", un)
	}

	// JSON keeps the label byte for byte (escaped by the encoder); the
	// screen tests check it is never shown raw.
	if evil := s.Tasks[idx["evil"]].Waits[0]; evil.Label != evilLabel {
		t.Errorf("evil label = %q, want it byte for byte", evil.Label)
	}
}

func TestSnapshotTableIsCleanText(t *testing.T) {
	requireStack(t)
	waitForAllWaits(t)
	r := hatchtop(t, nil, "snapshot")
	if r.code != 0 {
		t.Fatalf("snapshot exited %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"STATUS", longSleepLabel, "third time lucky", "3/4", "sleeping 5m", "red label"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.ContainsAny(r.stdout, "\x1b\x07") || strings.Contains(r.stdout, "pwned") {
		t.Errorf("raw escape sequence in the table: %q", r.stdout)
	}
}
