package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Killing the engine mid-watch shows "reconnecting"; bringing it back
// shows live data again without restarting hatchtop. It runs last: the
// engine stalls new runs for about a minute after a restart.
func TestEngineRestartMidWatch(t *testing.T) {
	requireStack(t)
	waitForWaits(t, "event", "or", "retry")
	tm := startTerm(t, 200, 40, "--refresh", "1s")
	tm.waitScreen(30*time.Second, "live data and open feeds", func(s string) bool {
		return strings.Contains(s, "● live") && strings.Contains(s, "feeds ·") && strings.Contains(s, "third time lucky")
	})
	stopped := time.Now()
	env.stack.StopEngine()
	tm.waitScreen(30*time.Second, "reconnecting", func(s string) bool {
		return strings.Contains(s, "reconnecting")
	})
	t.Logf("reconnecting shown %s after the engine stopped", time.Since(stopped).Round(time.Millisecond))
	// The screen keeps its rows while the engine is away.
	if s := tm.screen(); !strings.Contains(s, "third time lucky") {
		t.Errorf("rows vanished while reconnecting:\n%s", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := env.stack.StartEngine(ctx); err != nil {
		t.Fatalf("restart the engine: %v", err)
	}
	restarted := time.Now()
	tm.waitScreen(60*time.Second, "live again with feeds back", func(s string) bool {
		first := strings.SplitN(s, "\n", 2)[0]
		return strings.Contains(first, "● live") && !strings.Contains(first, "reconnecting") &&
			strings.Contains(first, "feeds ·") && (strings.Contains(first, "updated 0s ago") || strings.Contains(first, "updated 1s ago"))
	})
	t.Logf("live again %s after the engine came back", time.Since(restarted).Round(time.Millisecond))
	tm.keys("q")
}
