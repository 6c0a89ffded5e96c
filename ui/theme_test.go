package ui

import (
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// The colours are resolved once in NewStyles; what they draw must be what
// lipgloss's adaptive colours draw on the same renderer, for a dark and a
// light background and every colour profile.
func TestStylesResolveColoursOnce(t *testing.T) {
	const light, dark = "#1a7f37", "#3fb950" // Live's green
	for _, p := range []termenv.Profile{termenv.TrueColor, termenv.ANSI256, termenv.ANSI, termenv.Ascii} {
		for _, bg := range []bool{true, false} {
			r := lipgloss.NewRenderer(nil)
			r.SetColorProfile(p)
			r.SetHasDarkBackground(bg)
			st := NewStyles(r)

			fg := st.Live.GetForeground()
			if _, adaptive := fg.(lipgloss.AdaptiveColor); adaptive {
				t.Fatalf("profile %v, dark %v: Live's foreground is still adaptive: %#v", p, bg, fg)
			}
			want := r.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: light, Dark: dark}).Bold(true).Render("x")
			if got := st.Live.Render("x"); got != want {
				t.Errorf("profile %v, dark %v: Live draws %q, the adaptive colour %q", p, bg, got, want)
			}
			variant, other := light, dark
			if bg {
				variant, other = dark, light
			}
			if got, v := st.Live.Render("x"), r.NewStyle().Foreground(lipgloss.Color(variant)).Bold(true).Render("x"); got != v {
				t.Errorf("profile %v, dark %v: Live draws %q, not its %s variant %q", p, bg, got, variant, v)
			}
			// 16 colours draw both greens alike; the richer profiles must not.
			if (p == termenv.TrueColor || p == termenv.ANSI256) && st.Live.Render("x") == r.NewStyle().Foreground(lipgloss.Color(other)).Bold(true).Render("x") {
				t.Errorf("profile %v, dark %v: Live draws the %s variant", p, bg, other)
			}
			// Two colours on one style: the cursor's bar.
			if p != termenv.Ascii {
				bar := r.NewStyle().Background(lipgloss.AdaptiveColor{Light: "#ddf4ff", Dark: "#1f3a5f"}).
					Foreground(lipgloss.AdaptiveColor{Light: "#1f2328", Dark: "#e6edf3"}).Render("row")
				if got := st.Selected.Render("row"); got != bar {
					t.Errorf("profile %v, dark %v: the cursor's bar is %q, the adaptive colours' %q", p, bg, got, bar)
				}
			}
		}
	}
}

// BenchmarkTableColours draws a full 200×50 list (46 rows) in 256 colours
// on a dark background, as harness/perf's terminal shows it: the styles'
// colours are converted once, not per styled cell.
func BenchmarkTableColours(b *testing.B) {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.ANSI256)
	r.SetHasDarkBackground(true)
	st := NewStyles(r)
	sample := sampleRows()
	rows := make([]Row, 46)
	for i := range rows {
		rows[i] = sample[i%len(sample)]
		rows[i].Selected = i == 0
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Table(rows, 200, 46, "", st)
	}
}
