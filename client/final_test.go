package client

import (
	"testing"
	"time"
)

// The final read of a finished task is one request: the task alone, not
// its events or run as TaskDetail reads.
func TestTaskFinalIsOneRead(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	d, err := c.TaskFinal(ctxTimeout(t, 5*time.Second), tid(1))
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != tid(1) || d.Name == "" {
		t.Errorf("task: %+v", d.Task)
	}
	if d.Events != nil || f.count("task:"+tid(1)) != 1 {
		t.Errorf("a final read of a running task read its events (%d) or the task %d times", len(d.Events), f.count("task:"+tid(1)))
	}
	if _, err := c.TaskFinal(ctxTimeout(t, 5*time.Second), "not-a-uuid"); err == nil {
		t.Error("a bad id is read")
	}
}
