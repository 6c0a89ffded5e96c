package e2e

import (
	"strings"
	"testing"
	"time"
)

// Labels that terminals and the renderer measure differently, or that
// steer the terminal, on a real engine in tmux: the screen does not
// scroll (the header stays on the first line, the footer on the last),
// whatever the row holds, frame after frame.
func TestHostileLabelsKeepTheScreenInTmux(t *testing.T) {
	requireStack(t)
	labels := map[string]string{
		"flag":   "pride 🏳️\u200d🌈 flag zz",
		"skin":   "thumbs 👍🏽👍🏽👍🏽 up zz",
		"deva":   "क्षत्रिय प्रतीक्षा zz",
		"bidi":   "invoice \u202egnp.exe zz",
		"hyphen": "soft\u00adhyphen zz",
	}
	for _, l := range labels {
		// Short sleeps: the runs end soon after this test and do not
		// crowd the later tests' lists.
		trigger(t, "sleep-labelled", map[string]any{"sleep": "60s", "label": l})
	}
	for _, size := range [][2]int{{80, 24}, {160, 30}} {
		w, h := size[0], size[1]
		tm := startTerm(t, w, h, "--refresh", "1s")
		screen := tm.waitScreen(45*time.Second, "the hostile rows", func(s string) bool {
			return strings.Contains(s, "pride") && strings.Contains(s, "thumbs") && strings.Contains(s, "invoice") &&
				strings.Contains(s, "softhyphen") && strings.Contains(s, "zz") && strings.Contains(s, "● live")
		})
		t.Logf("%dx%d as tmux draws it:\n%s", w, h, screen)
		for frame := 0; frame < 4; frame++ {
			lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
			if !strings.HasPrefix(lines[0], "hatchtop ▸") {
				t.Errorf("%dx%d frame %d: the header left the first line (the screen scrolled):\n%s", w, h, frame, screen)
			}
			if len(lines) != h || !strings.Contains(lines[h-1], "q quit") {
				t.Errorf("%dx%d frame %d: the footer is not on the last line (%d lines):\n%s", w, h, frame, len(lines), screen)
			}
			if strings.Contains(screen, "\u202e") || strings.Contains(screen, "\u00ad") {
				t.Errorf("%dx%d: a bidi or format control reached the screen", w, h)
			}
			if frame == 3 {
				break
			}
			// The countdowns tick: wait for a different frame.
			prev := screen
			screen = tm.waitScreen(5*time.Second, "the next frame", func(s string) bool { return s != prev })
		}
		tm.keys("q")
	}
}
