package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

// chunk is a stream event of index i written at t0+i seconds.
func chunk(i int64, payload string) durable.RunEvent {
	return durable.RunEvent{Kind: durable.TaskStream, RunID: "r", TaskID: "t", Index: i, Payload: payload, At: t0.Add(time.Duration(i) * time.Second)}
}

// addAll feeds the chunks of indexes in the given order, each "line i\n".
func addAll(b *streamBuf, indexes ...int64) {
	for _, i := range indexes {
		b.add(chunk(i, fmt.Sprintf("line %d\n", i)), t0)
	}
}

func TestStreamGapMarkerBetweenMissingIndexes(t *testing.T) {
	b := newStreamBuf()
	addAll(b, 0, 1, 2)
	addAll(b, 52) // 3..51 never arrive
	want := []string{"line 0", "line 1", "line 2", "… 49 chunks not received (12:00:02–12:00:52)", "line 52"}
	if got := streamLines(b); !slices.Equal(got, want) {
		t.Fatalf("lines %q\nwant  %q", got, want)
	}
	if !b.isGap(3) || b.isGap(4) || b.isGap(0) {
		t.Errorf("gap flags wrong: %v %v %v", b.isGap(3), b.isGap(4), b.isGap(0))
	}
	if n := b.note(t0); !strings.Contains(n, "1 gap in the stream") {
		t.Errorf("note %q", n)
	}
	addAll(b, 54)
	if got := b.line(5); got != "… 1 chunk not received (12:00:52–12:00:54)" {
		t.Errorf("single gap %q", got)
	}
}

func TestStreamLateChunkFillsItsGap(t *testing.T) {
	b := newStreamBuf()
	addAll(b, 0, 1, 4, 5) // 2 and 3 held back by the engine
	if got := b.line(2); got != "… 2 chunks not received (12:00:01–12:00:04)" {
		t.Fatalf("marker %q", got)
	}
	addAll(b, 3) // late: the marker shrinks
	want := []string{"line 0", "line 1", "… 1 chunk not received (12:00:01–12:00:03)", "line 3", "line 4", "line 5"}
	if got := streamLines(b); !slices.Equal(got, want) {
		t.Fatalf("after 3: %q", got)
	}
	addAll(b, 2) // the last missing one: no marker left
	want = []string{"line 0", "line 1", "line 2", "line 3", "line 4", "line 5"}
	if got := streamLines(b); !slices.Equal(got, want) || b.gaps != 0 {
		t.Fatalf("after 2: %q (gaps %d)", got, b.gaps)
	}
	if n := b.note(t0); strings.Contains(n, "gap") || !strings.Contains(n, "complete from the first chunk") {
		t.Errorf("note %q", n)
	}
}

// A late chunk whose text continues an unfinished line joins it, as if it
// had come in order.
func TestStreamLateChunkJoinsPartialLines(t *testing.T) {
	b := newStreamBuf()
	b.add(chunk(0, "ab"), t0)
	b.add(chunk(2, "ef\n"), t0)
	if got := streamLines(b); !slices.Equal(got, []string{"ab", "… 1 chunk not received (12:00:00–12:00:02)", "ef"}) {
		t.Fatalf("with a gap %q", got)
	}
	b.add(chunk(1, "cd\ngh"), t0)
	if got := streamLines(b); !slices.Equal(got, []string{"abcd", "ghef"}) {
		t.Fatalf("filled %q", got)
	}
}

func TestStreamJoinedMidRunThenEarlierChunkArrives(t *testing.T) {
	b := newStreamBuf()
	addAll(b, 7, 8)
	if n := b.note(t0); !strings.Contains(n, "joined mid-run at chunk 7") {
		t.Fatalf("note %q", n)
	}
	addAll(b, 6, 8, 7) // late, then repeats
	if got := streamLines(b); !slices.Equal(got, []string{"line 6", "line 7", "line 8"}) {
		t.Fatalf("lines %q", got)
	}
	if n := b.note(t0); !strings.Contains(n, "joined mid-run at chunk 6") {
		t.Errorf("note %q", n)
	}
}

func TestStreamOlderAttemptIgnoredNewerStartsOver(t *testing.T) {
	b := newStreamBuf()
	b.add(durable.RunEvent{Kind: durable.TaskStream, Index: 0, RetryCount: 1, Payload: "two\n"}, t0)
	b.add(durable.RunEvent{Kind: durable.TaskStream, Index: 5, RetryCount: 0, Payload: "late from one\n"}, t0)
	if got := streamLines(b); !slices.Equal(got, []string{"two"}) {
		t.Fatalf("an older attempt's chunk got in: %q", got)
	}
	b.add(durable.RunEvent{Kind: durable.TaskStream, Index: 0, RetryCount: 2, Payload: "three\n"}, t0)
	if got := streamLines(b); !slices.Equal(got, []string{"three"}) || !strings.Contains(b.note(t0), "attempt 3") {
		t.Fatalf("%q %q", got, b.note(t0))
	}
}

// The bounds drop the oldest lines first, whatever order the chunks came
// in, and a chunk older than the cut is not let back in above it.
func TestStreamBoundsDropOldestInIndexOrder(t *testing.T) {
	b := newStreamBuf()
	n := int64(maxStreamLines + 100)
	order := make([]int64, 0, n)
	for i := range n {
		order = append(order, i)
	}
	// Swap neighbours all along: every other chunk arrives late.
	for i := 0; i+1 < len(order); i += 2 {
		order[i], order[i+1] = order[i+1], order[i]
	}
	addAll(b, order...)
	got := streamLines(b)
	if len(got) != maxStreamLines || b.dropped != 100 || b.gaps != 0 {
		t.Fatalf("%d lines, %d dropped, %d gaps", len(got), b.dropped, b.gaps)
	}
	for i, l := range got {
		if want := fmt.Sprintf("line %d", int64(i)+100); l != want {
			t.Fatalf("line %d is %q, want %q", i, l, want)
		}
	}
	addAll(b, 5) // long dropped: refused
	if streamLines(b)[0] != "line 100" || b.count() != maxStreamLines {
		t.Errorf("an evicted index came back: %q", streamLines(b)[0])
	}
	if !strings.Contains(b.note(t0), "100 oldest lines dropped") {
		t.Errorf("note %q", b.note(t0))
	}
}

func TestStreamBoundsBytesAndALoneHugeChunk(t *testing.T) {
	b := newStreamBuf()
	big := strings.Repeat("y", 1000) + "\n"
	for i := range int64(300) { // 300 KB in 300 lines
		b.add(chunk(i, big), t0)
	}
	if b.bytes > maxStreamBytes || b.count() != maxStreamBytes/len(big) {
		t.Fatalf("%d bytes in %d lines", b.bytes, b.count())
	}
	if b.line(b.count()-1) != big[:1000] {
		t.Error("the newest line is not last")
	}
	b = newStreamBuf()
	b.add(chunk(0, strings.Repeat("z\n", maxStreamLines+7)), t0)
	if b.count() != maxStreamLines || b.dropped != 7 {
		t.Errorf("a lone chunk of too many lines: %d lines, %d dropped", b.count(), b.dropped)
	}
	b = newStreamBuf()
	b.add(chunk(0, strings.Repeat("é", maxStreamBytes)), t0) // no newline, 2 bytes a rune
	if b.bytes > maxStreamBytes || !strings.HasPrefix(b.line(0), "é") {
		t.Errorf("a lone unfinished line: %d bytes, starts %q", b.bytes, b.line(0)[:4])
	}
}

// Any arrival order of the same chunks lays out the same lines as the
// in-order one, and the incremental layout always equals a full one.
func TestStreamAnyOrderSameLines(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		n := 1 + rng.IntN(60)
		var order []int64
		for i := range int64(n) {
			if rng.IntN(8) != 0 { // some never arrive
				order = append(order, i)
			}
		}
		payload := func(i int64) string {
			if i%3 == 0 {
				return fmt.Sprintf("<%d>", i) // no newline: joins the next
			}
			return fmt.Sprintf("<%d>\n", i)
		}
		inOrder := newStreamBuf()
		for _, i := range order {
			inOrder.add(chunk(i, payload(i)), t0)
		}
		shuffled := slices.Clone(order)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		b := newStreamBuf()
		for _, i := range shuffled {
			b.add(chunk(i, payload(i)), t0)
			b.add(chunk(i, "dup\n"), t0) // repeats never show
			checkLayout(t, b)
		}
		if got, want := streamLines(b), streamLines(inOrder); !slices.Equal(got, want) {
			t.Fatalf("round %d, order %v:\n got %q\nwant %q", round, shuffled, got, want)
		}
	}
}

// checkLayout asserts the buffer's invariants: chunks ascending and
// unique, counters that match, within bounds, and incremental lines equal
// to laying everything out again.
func checkLayout(t *testing.T, b *streamBuf) {
	t.Helper()
	bytes, newlines, gaps := 0, 0, 0
	for i, c := range b.chunks {
		if i > 0 && c.index <= b.chunks[i-1].index {
			t.Fatalf("chunks out of order at %d: %d after %d", i, c.index, b.chunks[i-1].index)
		}
		if i > 0 && c.index != b.chunks[i-1].index+1 {
			gaps++
		}
		bytes += len(c.text)
		newlines += strings.Count(c.text, "\n")
	}
	if bytes != b.bytes || newlines != b.newlines || gaps != b.gaps {
		t.Fatalf("counters: bytes %d/%d newlines %d/%d gaps %d/%d", b.bytes, bytes, b.newlines, newlines, b.gaps, gaps)
	}
	if b.count() > maxStreamLines+1 || b.bytes > maxStreamBytes {
		t.Fatalf("beyond bounds: %d lines, %d bytes", b.count(), b.bytes)
	}
	got := streamLines(b)
	full := *b
	full.lines = nil
	full.relayout()
	if want := streamLines(&full); !slices.Equal(got, want) {
		t.Fatalf("incremental layout\n %q\ndiffers from a full one\n %q", got, want)
	}
}

// FuzzStreamBuf feeds chunks in any order, sizes and attempts; the layout
// keeps its invariants.
func FuzzStreamBuf(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4})
	f.Add([]byte{5, 3, 4, 1, 0, 2, 9})
	f.Add([]byte{0x80, 0x01, 0xff, 0x7f, 0x10, 0x11})
	f.Fuzz(func(t *testing.T, ops []byte) {
		b := newStreamBuf()
		for i, op := range ops {
			idx := int64(op & 0x3f)
			payload := strings.Repeat(fmt.Sprintf("%d\n", i), int(op>>6)*700) // up to ~2100 lines in one chunk
			if op&0x40 != 0 {
				payload += "tail"
			}
			ev := chunk(idx, payload)
			if op == 0xff {
				ev.RetryCount = b.attempt + 1
			}
			b.add(ev, t0)
			checkLayout(t, b)
		}
	})
}

// BenchmarkStreamAdd is one chunk into a full buffer (2000 lines): in
// order, the common case, and late, which lays the buffer out again.
func BenchmarkStreamAdd(b *testing.B) {
	full := func() *streamBuf {
		s := newStreamBuf()
		for i := range int64(maxStreamLines) {
			s.add(chunk(2*i, fmt.Sprintf("chunk %d of the stream\n", i)), t0) // every other index missing
		}
		return s
	}
	b.Run("in-order", func(b *testing.B) {
		s := full()
		next := int64(2 * maxStreamLines)
		for b.Loop() {
			s.add(chunk(next, "another chunk of the stream\n"), t0)
			next++
		}
	})
	b.Run("late", func(b *testing.B) {
		s := full()
		hole := s.last() - 1 // fills the holes from the newest down
		for b.Loop() {
			if hole < s.chunks[0].index {
				b.StopTimer()
				s, hole = full(), s.last()-1
				b.StartTimer()
			}
			s.add(chunk(hole, "a late chunk\n"), t0)
			hole -= 2
		}
	})
}
