package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestOvershoot(t *testing.T) {
	cases := []struct {
		s    string
		want int
	}{
		{"plain ascii", 0},
		{"日本", 0},                // wide either way
		{"👍🏽", 2},                // two wide code points, one cluster
		{"❤️", 0},                // narrower code point by code point: no risk
		{"क्षत्रिय", 3},          // conjuncts: 6 code point cells, 3 clusters
		{"\x1b[31m👍🏽\x1b[0m", 2}, // styles are not cells
		{"e\u0301", 0},           // a combining accent takes no cell either way
	}
	for _, c := range cases {
		if got := overshoot(c.s); got != c.want {
			t.Errorf("overshoot(%q) = %d, want %d", c.s, got, c.want)
		}
	}
}

func TestCutFitsAndKeepsClustersWhole(t *testing.T) {
	for _, h := range hostile {
		s := Clean(h.s)
		for w := 0; w <= 40; w++ {
			out := cut(s, w, "…")
			if sw := safeWidth(out); sw > w {
				t.Errorf("cut(%q, %d) = %q: %d cells", s, w, out, sw)
			}
			body := strings.TrimSuffix(out, "…")
			if !strings.HasPrefix(s, body) || !clusterBoundary(s, len(body)) {
				t.Errorf("cut(%q, %d) = %q splits a cluster", s, w, out)
			}
		}
	}
}

// clusterBoundary reports whether byte offset i of s falls between two
// grapheme clusters.
func clusterBoundary(s string, i int) bool {
	at := 0
	for at < i {
		c, _ := ansi.FirstGraphemeCluster(s[at:], ansi.GraphemeWidth)
		if c == "" {
			return false
		}
		at += len(c)
	}
	return at == i
}

// FuzzCut: whatever the text and the width, a cut line fits by the safe
// measure, by the renderer's too, and ends between grapheme clusters.
func FuzzCut(f *testing.F) {
	for _, h := range hostile {
		f.Add(h.s, 7)
	}
	f.Add("👍🏽👍🏽👍🏽👍🏽", 3)
	f.Add("\x1b[31mक्षत्रिय\x1b[0m", 4)
	f.Fuzz(func(t *testing.T, s string, w int) {
		w = w % 200
		if w < 0 {
			w = -w
		}
		s = Clean(s)
		out := cut(s, w, "…")
		if safeWidth(out) > w || ansi.StringWidth(out) > w {
			t.Fatalf("cut(%q, %d) = %q is %d cells (%d by the renderer)", s, w, out, safeWidth(out), ansi.StringWidth(out))
		}
		body := strings.TrimSuffix(out, "…")
		if out != s && (!strings.HasPrefix(s, body) || !clusterBoundary(s, len(body))) {
			t.Fatalf("cut(%q, %d) = %q splits a cluster", s, w, out)
		}
	})
}

// FuzzFitCells: the list's middle cut and ON's key-keeping cut give
// exactly w cells by the renderer (the tables leave room for what a
// terminal may draw wider, as for fit); a middle cut is at most w by the
// safe measure too and keeps the text's end.
func FuzzFitCells(f *testing.F) {
	for _, h := range hostile {
		f.Add(h.s, 9)
		f.Add("sleep 10m | event "+h.s, 17)
	}
	f.Add("wait-event-labelled-1795000000123", 16)
	f.Fuzz(func(t *testing.T, s string, w int) {
		w = w % 120
		if w < 0 {
			w = -w
		}
		s = Clean(s)
		for name, fn := range map[string]func(string, int) string{"fitMiddle": fitMiddle, "fitOn": fitOn} {
			out := fn(s, w)
			if ansi.StringWidth(out) != w {
				t.Fatalf("%s(%q, %d) = %q: %d cells by the renderer", name, s, w, out, ansi.StringWidth(out))
			}
		}
		if out := strings.TrimRight(fitMiddle(s, w), " "); w >= 5 && strings.Contains(out, "…") && safeWidth(s) > w {
			tail := out[strings.LastIndex(out, "…")+len("…"):]
			if !strings.HasSuffix(strings.TrimRight(s, " "), tail) || safeWidth(out) > w {
				t.Fatalf("fitMiddle(%q, %d) = %q: lost the end, or %d cells safe", s, w, out, safeWidth(out))
			}
		}
	})
}
