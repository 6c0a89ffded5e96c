package durable

import (
	"testing"
	"time"
)

func TestSlotReleaseOf(t *testing.T) {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	ev := func(id int, typ string, s int) TaskEvent {
		return TaskEvent{ID: id, Type: typ, At: at(s), RetryCount: 0}
	}
	cases := []struct {
		name   string
		events []TaskEvent
		want   SlotRelease
	}{
		{"never released", []TaskEvent{ev(2, EventStarted, 1), ev(1, EventAssigned, 0)}, SlotRelease{}},
		// Newest first, as the engine answers.
		{"released after the start", []TaskEvent{ev(3, EventSlotReleased, 5), ev(2, EventStarted, 1), ev(1, EventAssigned, 0)},
			SlotRelease{Released: true, At: at(5)}},
		{"reassigned since: holds a slot again", []TaskEvent{ev(4, EventAssigned, 9), ev(3, EventSlotReleased, 5), ev(1, EventAssigned, 0)},
			SlotRelease{}},
		{"released again after the restore", []TaskEvent{ev(5, EventSlotReleased, 12), ev(4, EventAssigned, 9), ev(3, EventSlotReleased, 5)},
			SlotRelease{Released: true, At: at(12)}},
		{"no events", nil, SlotRelease{}},
	}
	for _, c := range cases {
		if got := SlotReleaseOf(c.events); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}
