package model

import (
	"strconv"
	"strings"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

// The bounds of one task's put_stream buffer; the README states them.
const (
	maxStreamLines = 2000
	maxStreamBytes = 256 << 10
)

// streamBuf is the put_stream output of one task seen since hatchtop
// subscribed. The engine keeps no chunks, so what came before is lost.
type streamBuf struct {
	lines     []string // complete lines, oldest first, raw (cleaned when drawn)
	partial   string   // the text after the last newline
	bytes     int
	dropped   int       // lines dropped to stay within the bounds
	first     int64     // index of the first chunk seen; -1 before any
	last      int64     // index of the last chunk kept
	chunks    int       // chunks kept
	attempt   int       // the retry count the chunks belong to
	firstSeen time.Time // when the first chunk arrived
	lastSeen  time.Time
}

func newStreamBuf() *streamBuf { return &streamBuf{first: -1, last: -1} }

// streamBuf returns (creating) the buffer of a task.
func (m *Model) streamBuf(taskID string) *streamBuf {
	b, ok := m.streams[taskID]
	if !ok {
		b = newStreamBuf()
		m.streams[taskID] = b
	}
	return b
}

// add appends a chunk in event_index order. The engine already orders a
// run's chunks per task; a repeated or older index (a reconnect replaying
// nothing, or a late duplicate) is dropped. A new attempt starts over.
func (b *streamBuf) add(ev durable.RunEvent, now time.Time) {
	if b.first >= 0 && ev.RetryCount != b.attempt {
		*b = *newStreamBuf()
		b.lines = append(b.lines, "— attempt "+strconv.Itoa(ev.RetryCount+1)+" —")
	}
	if b.first >= 0 && ev.Index <= b.last {
		return
	}
	if b.first < 0 {
		b.first = ev.Index
		b.firstSeen = now
	}
	b.attempt = ev.RetryCount
	b.last = ev.Index
	b.chunks++
	b.lastSeen = now
	text := b.partial + ev.Payload
	parts := strings.Split(text, "\n")
	b.partial = parts[len(parts)-1]
	for _, l := range parts[:len(parts)-1] {
		b.lines = append(b.lines, l)
		b.bytes += len(l) + 1
	}
	for len(b.lines) > maxStreamLines || (b.bytes > maxStreamBytes && len(b.lines) > 1) {
		b.bytes -= len(b.lines[0]) + 1
		b.lines = b.lines[1:]
		b.dropped++
	}
	if len(b.partial) > maxStreamBytes { // a stream that never writes a newline
		b.partial = b.partial[len(b.partial)-maxStreamBytes:]
	}
}

// count is the number of lines to show, the unfinished one included.
func (b *streamBuf) count() int {
	if b.partial == "" {
		return len(b.lines)
	}
	return len(b.lines) + 1
}

// line is the i-th of those lines.
func (b *streamBuf) line(i int) string {
	if i == len(b.lines) {
		return b.partial
	}
	return b.lines[i]
}

// note says what the buffer holds and what it cannot: chunks written
// before hatchtop joined are gone for good.
func (b *streamBuf) note(subscribedAt time.Time) string {
	var parts []string
	switch {
	case b == nil || b.first < 0:
		s := "no output yet"
		if !subscribedAt.IsZero() {
			s += " since hatchtop joined at " + subscribedAt.Format("15:04:05")
		}
		parts = append(parts, s+" (the engine keeps no stream chunks)")
	case b.first > 0:
		parts = append(parts, "joined mid-run at chunk "+strconv.Itoa(int(b.first))+": earlier chunks are lost (the engine keeps none)")
	default:
		parts = append(parts, "complete from the first chunk")
	}
	if b != nil && b.dropped > 0 {
		parts = append(parts, strconv.Itoa(b.dropped)+" oldest lines dropped (keeps 2000 lines / 256 KiB)")
	}
	return strings.Join(parts, " · ")
}
