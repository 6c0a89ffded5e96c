package model

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hatchtop/hatchtop/durable"
)

// The bounds of one task's put_stream buffer; the README states them.
const (
	maxStreamLines = 2000
	maxStreamBytes = 256 << 10
)

// streamChunk is one put_stream chunk kept in a buffer.
type streamChunk struct {
	index    int64
	text     string
	at       time.Time // the engine's timestamp, or when it arrived
	newlines int
}

// streamLine is one line of the pane: text, or the marker of a gap.
type streamLine struct {
	text string
	gap  bool
}

// streamBuf is the put_stream output of one task seen since hatchtop
// subscribed. The engine keeps no chunks, so what came before is lost.
//
// The chunks are kept in event_index order and the lines are laid out
// from them: the engine may deliver a chunk late (it holds later chunks
// up to 5s waiting for a missing one, then sends what it holds and
// whatever arrives afterwards, in the order it comes), so a late chunk
// goes back in its place, and where an index is missing the pane says
// so with a marker line.
type streamBuf struct {
	chunks    []streamChunk // kept, ascending index
	lines     []streamLine  // the chunks laid out
	partial   string        // the text after the last newline
	bytes     int           // text bytes of the kept chunks
	newlines  int           // newlines of the kept chunks
	gaps      int           // marker lines among lines
	dropped   int           // lines dropped to stay within the bounds
	floor     int64         // once chunks were dropped: the lowest index still taken; -1 before
	first     int64         // lowest index seen; -1 before any
	attempt   int           // the retry count the chunks belong to
	firstSeen time.Time     // when the first chunk arrived
	lastSeen  time.Time
}

func newStreamBuf() *streamBuf { return &streamBuf{first: -1, floor: -1} }

// streamBuf returns (creating) the buffer of a task.
func (m *Model) streamBuf(taskID string) *streamBuf {
	b, ok := m.streams[taskID]
	if !ok {
		b = newStreamBuf()
		m.streams[taskID] = b
	}
	return b
}

// last is the highest index kept; -1 when empty.
func (b *streamBuf) last() int64 {
	if len(b.chunks) == 0 {
		return -1
	}
	return b.chunks[len(b.chunks)-1].index
}

// add puts a chunk in its event_index place. A repeated index is dropped,
// as is a chunk older than what the bounds already dropped, or one of an
// earlier attempt. A new attempt starts over.
func (b *streamBuf) add(ev durable.RunEvent, now time.Time) {
	if b.first >= 0 && ev.RetryCount < b.attempt {
		return
	}
	if b.first >= 0 && ev.RetryCount > b.attempt {
		*b = *newStreamBuf()
	}
	if b.floor >= 0 && ev.Index < b.floor {
		return
	}
	pos, dup := slices.BinarySearchFunc(b.chunks, ev.Index, func(c streamChunk, i int64) int {
		switch {
		case c.index < i:
			return -1
		case c.index > i:
			return 1
		}
		return 0
	})
	if dup {
		return
	}
	at := ev.At
	if at.IsZero() {
		at = now
	}
	c := streamChunk{index: ev.Index, text: ev.Payload, at: at, newlines: strings.Count(ev.Payload, "\n")}
	if b.first < 0 {
		b.firstSeen = now
	}
	if b.first < 0 || ev.Index < b.first {
		b.first = ev.Index
	}
	b.attempt = ev.RetryCount
	b.lastSeen = now
	b.bytes += len(c.text)
	b.newlines += c.newlines
	if pos == len(b.chunks) {
		b.chunks = append(b.chunks, c)
		if pos > 0 {
			b.appendLayout(b.chunks[pos-1], c)
		} else {
			b.appendLayout(streamChunk{index: c.index - 1}, c)
		}
	} else {
		b.chunks = slices.Insert(b.chunks, pos, c)
		b.relayout()
	}
	b.bound()
}

// appendLayout lays out c after prev, the chunk before it.
func (b *streamBuf) appendLayout(prev, c streamChunk) {
	if c.index != prev.index+1 {
		if b.partial != "" {
			b.lines = append(b.lines, streamLine{text: b.partial})
			b.partial = ""
		}
		b.lines = append(b.lines, streamLine{text: gapText(prev, c), gap: true})
		b.gaps++
	}
	text := b.partial + c.text
	for {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			break
		}
		b.lines = append(b.lines, streamLine{text: text[:i]})
		text = text[i+1:]
	}
	b.partial = text
}

// relayout lays every kept chunk out again.
func (b *streamBuf) relayout() {
	b.lines, b.partial, b.gaps = b.lines[:0], "", 0
	for i, c := range b.chunks {
		prev := streamChunk{index: c.index - 1}
		if i > 0 {
			prev = b.chunks[i-1]
		}
		b.appendLayout(prev, c)
	}
}

// gapText is the marker between two chunks whose indexes are not adjacent.
func gapText(prev, next streamChunk) string {
	n := next.index - prev.index - 1
	what := " chunks"
	if n == 1 {
		what = " chunk"
	}
	return "… " + strconv.FormatInt(n, 10) + what + " not received (" +
		prev.at.Local().Format(timeFormat) + "–" + next.at.Local().Format(timeFormat) + ")"
}

// over reports whether the buffer is beyond its bounds.
func (b *streamBuf) over() bool {
	return len(b.lines) > maxStreamLines || b.bytes > maxStreamBytes
}

// bound drops the oldest chunks (then the oldest lines of a lone chunk)
// until the buffer is within its bounds. Chunks older than what it keeps
// are no longer taken, so a late one cannot reappear above the cut.
func (b *streamBuf) bound() {
	if !b.over() {
		return
	}
	before := b.textLines()
	for b.over() && len(b.chunks) > 1 {
		c := b.chunks[0]
		b.chunks = b.chunks[1:]
		b.bytes -= len(c.text)
		b.newlines -= c.newlines
		// A chunk that ends its lines leaves exactly its own lines (and
		// the marker after it) at the top: cut those, lay nothing out.
		if strings.HasSuffix(c.text, "\n") {
			cut := c.newlines
			if b.chunks[0].index != c.index+1 {
				cut++
				b.gaps--
			}
			b.lines = b.lines[cut:]
			continue
		}
		b.relayout()
	}
	if b.over() && len(b.chunks) == 1 {
		b.trimLone()
	}
	b.floor = b.chunks[0].index
	b.dropped += before - b.textLines()
}

// trimLone keeps the last lines and bytes of a single chunk too big for
// the bounds on its own.
func (b *streamBuf) trimLone() {
	c := &b.chunks[0]
	text := c.text
	if extra := len(b.lines) - maxStreamLines; extra > 0 {
		for range extra {
			i := strings.IndexByte(text, '\n')
			if i < 0 {
				break
			}
			text = text[i+1:]
		}
	}
	if len(text) > maxStreamBytes {
		cut := len(text) - maxStreamBytes
		for cut < len(text) && !utf8.RuneStart(text[cut]) {
			cut++
		}
		text = text[cut:]
	}
	b.bytes += len(text) - len(c.text)
	b.newlines += strings.Count(text, "\n") - c.newlines
	c.text, c.newlines = text, strings.Count(text, "\n")
	b.relayout()
}

// textLines is the number of lines that are not markers, the unfinished
// one included.
func (b *streamBuf) textLines() int {
	return b.count() - b.gaps
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
	return b.lines[i].text
}

// isGap reports whether the i-th line marks chunks not received.
func (b *streamBuf) isGap(i int) bool {
	return i < len(b.lines) && b.lines[i].gap
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
	if b != nil && b.attempt > 0 {
		parts = append(parts, "attempt "+strconv.Itoa(b.attempt+1)+" (earlier attempts' output cleared)")
	}
	if b != nil && b.gaps > 0 {
		s := " gaps"
		if b.gaps == 1 {
			s = " gap"
		}
		parts = append(parts, strconv.Itoa(b.gaps)+s+" in the stream")
	}
	if b != nil && b.dropped > 0 {
		parts = append(parts, strconv.Itoa(b.dropped)+" oldest lines dropped (keeps 2000 lines / 256 KiB)")
	}
	return strings.Join(parts, " · ")
}
