package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// P switches tenant on the real stack without a restart (issue 10 item 5).
// Two tenants, each with its own token, are profiles alpha and beta of a
// profiles file in a private HOME; broken (alpha's token with its signature
// altered), dead (nothing listens) and hung (connections taken, never
// answered) fail with a message naming them and leave alpha in place. After the switch to beta nothing of alpha is shown
// and no request of alpha's reaches the engine; switching back shows
// alpha's task again.
func TestProfilesSwitchTenantOnTheRealEngine(t *testing.T) {
	requireStack(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	s := env.stack

	beta, err := s.NewTenant(ctx, "profiles-beta")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tenant beta %s made", beta.ID)
	alphaLabel := fmt.Sprintf("profiles alpha nap %d", time.Now().UnixNano())
	runA := trigger(t, "sleep-labelled", map[string]any{"sleep": "10m", "label": alphaLabel})
	t.Cleanup(func() { cancelRuns(t, map[string]bool{runA: true}) })
	// No worker serves beta: its run stays QUEUED. No other test starts
	// logs-only, so its name on screen is beta's run.
	const betaTask = "logs-only"
	if _, err := s.TriggerAs(ctx, beta.Token, betaTask, map[string]any{"label": "profiles beta never runs"}); err != nil {
		t.Fatal(err)
	}

	parts := strings.Split(s.Token, ".")
	broken := parts[0] + "." + parts[1] + ".c2lnbmF0dXJlLW5vdC12YWxpZA"
	rest := startTenantProxy(t, s.APIURL, map[string]string{s.Token: "alpha", beta.Token: "beta", broken: "broken"}, s.TenantID)
	grpcA := startTCPProxy(t, s.GRPCAddr)
	grpcB := startTCPProxy(t, s.GRPCAddr)
	dead := closedPort(t)
	hung := startHungListener(t)

	home := t.TempDir()
	writeProfiles(t, home, []profileEntry{
		{"alpha", s.Token, s.TenantID, rest.URL, grpcA.addr},
		{"beta", beta.Token, beta.ID, rest.URL, grpcB.addr},
		{"broken", broken, s.TenantID, rest.URL, grpcA.addr},
		{"dead", s.Token, s.TenantID, "http://" + dead, dead},
		{"hung", s.Token, s.TenantID, "http://" + hung, hung},
	})
	tm := startTermHome(t, 200, 45, home, "--profile", "alpha", "--refresh", "1s")

	header := func(screen string) string { return lineWith(screen, "hatchtop ▸") }
	tm.waitScreen(60*time.Second, "alpha in the header and its nap listed", func(sc string) bool {
		return strings.Contains(header(sc), "▸ alpha") && strings.Contains(sc, alphaLabel)
	})
	if sc := tm.screen(); strings.Contains(sc, betaTask) {
		t.Errorf("alpha's list shows beta's %s:\n%s", betaTask, sc)
	}
	t.Logf("alpha: gRPC connections open %d (%d in all)", grpcA.open(), grpcA.total())

	// The profiles screen: one row per profile, alpha's marked current.
	rows := openProfiles(t, tm, map[string]string{
		"alpha": rest.host(), "beta": rest.host(), "broken": rest.host(), "dead": dead, "hung": hung,
	})
	if !strings.Contains(rows["alpha"].text, "current") {
		t.Errorf("alpha's row does not say current: %q", rows["alpha"].text)
	}
	for name, id := range map[string]string{"alpha": s.TenantID, "beta": beta.ID, "dead": s.TenantID} {
		if !strings.Contains(rows[name].text, id[:8]) {
			t.Errorf("%s's row does not show its tenant %s: %q", name, id[:8], rows[name].text)
		}
	}
	for name, r := range rows {
		if strings.Contains(r.text, "current") && name != "alpha" {
			t.Errorf("%s's row says current: %q", name, r.text)
		}
	}

	// broken: the engine rejects the token; a message, alpha stays.
	choose(tm, rows, "alpha", "broken")
	started := time.Now()
	sc := tm.waitScreen(20*time.Second, "a message that broken failed and alpha stays", func(sc string) bool {
		return failedLine(sc, "broken") != ""
	})
	msg := failedLine(sc, "broken")
	t.Logf("broken: %s after enter: %q", time.Since(started).Round(time.Millisecond), strings.TrimSpace(msg))
	checkStillAlpha(t, sc, header, "broken")
	if strings.Contains(sc, broken) || strings.Contains(sc, parts[2]) {
		t.Error("the token appears on screen")
	}
	tm.keys("Escape")
	tm.waitScreen(15*time.Second, "alpha's nap listed again after esc", func(sc string) bool {
		return strings.Contains(header(sc), "▸ alpha") && strings.Contains(sc, alphaLabel)
	})

	// dead: nothing listens; it must fail within the dial timeout.
	rows = openProfiles(t, tm, map[string]string{"alpha": rest.host(), "dead": dead})
	choose(tm, rows, "alpha", "dead")
	started = time.Now()
	sc = tm.waitScreen(20*time.Second, "a message that dead failed and alpha stays", func(sc string) bool {
		return failedLine(sc, "dead") != ""
	})
	msg = failedLine(sc, "dead")
	t.Logf("dead: %s after enter: %q", time.Since(started).Round(time.Millisecond), strings.TrimSpace(msg))
	if l := strings.ToLower(msg); !strings.Contains(l, "answer") && !strings.Contains(l, "connect") && !strings.Contains(l, "reach") {
		t.Errorf("dead's message does not say it cannot connect or does not answer: %q", msg)
	}
	checkStillAlpha(t, sc, header, "dead")
	tm.keys("Escape")
	tm.waitScreen(15*time.Second, "alpha's nap listed again after esc", func(sc string) bool {
		return strings.Contains(header(sc), "▸ alpha") && strings.Contains(sc, alphaLabel)
	})

	// hung: the engine takes connections and never answers; "connecting
	// to hung…" while the dial waits, then the failure.
	rows = openProfiles(t, tm, map[string]string{"alpha": rest.host(), "hung": hung})
	choose(tm, rows, "alpha", "hung")
	started = time.Now()
	connecting := false
	sc = tm.waitScreen(30*time.Second, "a message that hung failed and alpha stays", func(sc string) bool {
		connecting = connecting || strings.Contains(sc, "connecting to hung")
		return failedLine(sc, "hung") != ""
	})
	msg = failedLine(sc, "hung")
	t.Logf("hung: %s after enter (connecting shown: %t): %q", time.Since(started).Round(time.Millisecond), connecting, strings.TrimSpace(msg))
	if !connecting {
		t.Error("no \"connecting to hung…\" while the switch waited for the engine")
	}
	checkStillAlpha(t, sc, header, "hung")
	tm.keys("Escape")
	tm.waitScreen(15*time.Second, "alpha's nap listed again after esc", func(sc string) bool {
		return strings.Contains(header(sc), "▸ alpha") && strings.Contains(sc, alphaLabel)
	})

	// The failures are kept on the messages screen.
	tm.keys("M") // the messages screen
	sc = tm.waitScreen(10*time.Second, "the failures on the messages screen", func(sc string) bool {
		return failedLine(sc, "broken") != "" && failedLine(sc, "dead") != "" && failedLine(sc, "hung") != ""
	})
	tm.keys("Escape")
	tm.waitScreen(10*time.Second, "the list after the messages", func(sc string) bool { return strings.Contains(sc, alphaLabel) })

	// beta: its tenant, nothing of alpha's. alpha's list requests are held
	// unanswered from now on, so that one is in flight at the switch, which
	// must end it.
	rows = openProfiles(t, tm, map[string]string{"alpha": rest.host(), "beta": rest.host()})
	rest.hold("alpha", true)
	eventually(t, 15*time.Second, func() (bool, string) {
		return rest.heldOpen("alpha") > 0, "no list request of alpha's in flight"
	})
	enter := time.Now()
	choose(tm, rows, "alpha", "beta")
	started = time.Now()
	sc = tm.waitScreen(30*time.Second, "beta in the header, its queued run listed, alpha's nap gone", func(sc string) bool {
		return strings.Contains(header(sc), "▸ beta") && strings.Contains(sc, betaTask) && !strings.Contains(sc, alphaLabel)
	})
	t.Logf("beta's list on screen %s after enter:\n%s", time.Since(started).Round(time.Millisecond), sc)
	want := "hatchtop ▸ beta · " + grpcB.addr + " · tenant " + beta.ID[:8]
	if h := strings.TrimSpace(header(sc)); !strings.HasPrefix(h, want) {
		t.Errorf("header line 1 = %q, want it to begin %q", h, want)
	}
	for _, l := range strings.Split(withoutNotes(sc), "\n") {
		if strings.Contains(l, "alpha") && strings.Contains(l, rest.host()) {
			t.Errorf("the profiles screen is still open after the switch:\n%s", sc)
			break
		}
	}
	if shown := withoutNotes(sc); strings.Contains(shown, s.TenantID[:8]) || strings.Contains(shown, grpcA.addr) {
		t.Errorf("alpha's tenant or address still on screen after the switch:\n%s", sc)
	}

	// The held request ends with the switch. Its own deadline, 10 s after
	// it was sent, would end it too, so the times are logged; the gRPC
	// check below is the one that fails if the old client is left open.
	eventually(t, 15*time.Second, func() (bool, string) {
		return rest.heldOpen("alpha") == 0, fmt.Sprintf("%d held list requests of alpha's still in flight after the switch", rest.heldOpen("alpha"))
	})
	for _, h := range rest.heldReqs("alpha") {
		t.Logf("alpha's held %s: sent %s before the enter, given up %s after it",
			restRoute("GET", h.path), enter.Sub(h.sent).Round(time.Millisecond), h.ended.Sub(enter).Round(time.Millisecond))
	}
	rest.hold("alpha", false)

	// After the switch no request of alpha's: beta refreshes, alpha is silent.
	a0, b0 := rest.count("alpha"), rest.count("beta")
	aPath0 := rest.forTenantA()
	eventually(t, 30*time.Second, func() (bool, string) {
		if sc := tm.screen(); strings.Contains(sc, alphaLabel) {
			t.Fatalf("alpha's nap came back on beta's screen:\n%s", sc)
		}
		b := rest.count("beta")
		return b-b0 >= 6, fmt.Sprintf("beta made %d requests since the switch showed, want 6", b-b0)
	})
	a1, b1, aPath1 := rest.count("alpha"), rest.count("beta"), rest.forTenantA()
	t.Logf("after beta showed: alpha %d → %d requests, beta %d → %d, paths with alpha's tenant %d → %d; in flight now: alpha %d",
		a0, a1, b0, b1, aPath0, aPath1, rest.inFlight("alpha"))
	if a1 != a0 || aPath1 != aPath0 {
		t.Errorf("alpha's requests went on after the switch: %d → %d with its token, %d → %d naming its tenant", a0, a1, aPath0, aPath1)
	}
	if n := rest.inFlight("alpha"); n != 0 {
		t.Errorf("%d requests of alpha's still in flight after the switch", n)
	}
	// The old tenant's gRPC connection is closed too: a switch ends its feeds.
	eventually(t, 15*time.Second, func() (bool, string) {
		return grpcA.open() == 0, fmt.Sprintf("%d gRPC connections of alpha's still open", grpcA.open())
	})
	t.Logf("gRPC: alpha %d open (%d in all), beta %d open (%d in all)", grpcA.open(), grpcA.total(), grpcB.open(), grpcB.total())

	// Back to alpha: its nap again, beta's run gone.
	rows = openProfiles(t, tm, map[string]string{"alpha": rest.host(), "beta": rest.host()})
	if !strings.Contains(rows["beta"].text, "current") {
		t.Errorf("beta's row does not say current after the switch: %q", rows["beta"].text)
	}
	choose(tm, rows, "beta", "alpha")
	started = time.Now()
	sc = tm.waitScreen(30*time.Second, "alpha in the header and its nap listed again", func(sc string) bool {
		return strings.Contains(header(sc), "▸ alpha") && strings.Contains(sc, alphaLabel) && !strings.Contains(sc, betaTask)
	})
	t.Logf("back on alpha %s after enter", time.Since(started).Round(time.Millisecond))
	// And now beta is the silent one.
	a0, b0 = rest.count("alpha"), rest.count("beta")
	eventually(t, 30*time.Second, func() (bool, string) {
		a := rest.count("alpha")
		return a-a0 >= 6, fmt.Sprintf("alpha made %d requests since it showed again, want 6", a-a0)
	})
	a1, b1 = rest.count("alpha"), rest.count("beta")
	t.Logf("after alpha showed again: alpha %d → %d requests, beta %d → %d", a0, a1, b0, b1)
	if b1 != b0 {
		t.Errorf("beta's requests went on after the switch back: %d → %d", b0, b1)
	}
	eventually(t, 15*time.Second, func() (bool, string) {
		return grpcB.open() == 0, fmt.Sprintf("%d gRPC connections of beta's still open", grpcB.open())
	})
	tm.keys("q")
	eventually(t, 10*time.Second, func() (bool, string) {
		err := exec.Command("tmux", "-L", tm.socket, "has-session", "-t", "main").Run()
		return err != nil, "hatchtop still running after q"
	})
}

// profileRow is a profile's row on the profiles screen.
type profileRow struct {
	line int
	text string
}

// openProfiles presses P and waits for the profiles screen with a row for
// each name, told apart from the header by the API address it shows.
func openProfiles(t *testing.T, tm *term, api map[string]string) map[string]profileRow {
	t.Helper()
	tm.keys("P")
	var rows map[string]profileRow
	sc := tm.waitScreen(15*time.Second, "the profiles screen with a row for each of the profiles", func(sc string) bool {
		if !strings.Contains(strings.ToLower(sc), "profiles") {
			return false
		}
		rows = map[string]profileRow{}
		for i, l := range strings.Split(withoutNotes(sc), "\n") {
			for name, addr := range api {
				if _, seen := rows[name]; !seen && strings.Contains(l, name) && strings.Contains(l, addr) && !strings.Contains(l, "hatchtop ▸") {
					rows[name] = profileRow{i, l}
				}
			}
		}
		return len(rows) == len(api)
	})
	t.Logf("profiles screen:\n%s", sc)
	return rows
}

// choose moves the cursor from the row it starts on to name's row and
// presses enter.
func choose(tm *term, rows map[string]profileRow, from, to string) {
	tm.t.Helper()
	for d := rows[to].line - rows[from].line; d != 0; {
		if d > 0 {
			tm.keys("j")
			d--
		} else {
			tm.keys("k")
			d++
		}
	}
	tm.keys("Enter")
}

// failedLine is the line saying that the switch to name failed and
// alpha stays, or "".
func failedLine(screen, name string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, name) && strings.Contains(l, "still on alpha") {
			return l
		}
	}
	return ""
}

// withoutNotes blanks the lines of an earlier failure's message ("…;
// still on alpha"), which may name alpha's addresses, keeping the others
// where they are.
func withoutNotes(screen string) string {
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		if strings.Contains(l, "still on alpha") || strings.Contains(l, "could not switch") {
			lines[i] = ""
		}
	}
	return strings.Join(lines, "\n")
}

// checkStillAlpha fails unless, after a failed switch, the profiles
// screen is still open and the header (if shown) still names alpha.
func checkStillAlpha(t *testing.T, sc string, header func(string) string, name string) {
	t.Helper()
	if !strings.Contains(strings.ToLower(sc), "profiles") {
		t.Errorf("the profiles screen closed after %s failed:\n%s", name, sc)
	}
	if h := header(sc); h != "" && !strings.Contains(h, "▸ alpha") {
		t.Errorf("after %s failed the header is %q, want alpha's", name, h)
	}
	if h := header(sc); strings.Contains(h, "▸ "+name) {
		t.Errorf("the header names %s after it failed: %q", name, h)
	}
}

type profileEntry struct{ name, token, tenant, api, grpc string }

// writeProfiles writes HOME/.hatchet/profiles.yaml in the hatchet CLI's
// format, alpha the default.
func writeProfiles(t *testing.T, home string, ps []profileEntry) {
	t.Helper()
	var b strings.Builder
	b.WriteString("defaultProfile: alpha\nprofiles:\n")
	for _, p := range ps {
		fmt.Fprintf(&b, "  %s:\n    name: %s\n    token: %s\n    tenantId: %s\n    apiServerURL: %s\n    grpcHostPort: %s\n    tlsStrategy: none\n",
			p.name, p.name, p.token, p.tenant, p.api, p.grpc)
	}
	dir := filepath.Join(home, ".hatchet")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "profiles.yaml"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// startTermHome is startTerm with HOME set to home and no Hatchet client
// settings in the environment at all: the profile is the only config.
func startTermHome(t *testing.T, width, height int, home string, args ...string) *term {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is needed for the screen tests (apt-get install tmux)")
	}
	tm := &term{t: t, socket: fmt.Sprintf("hatchtop-e2e-%d", time.Now().UnixNano())}
	cmdline := []string{"env", "-i"}
	for _, kv := range cleanEnv() {
		if !strings.HasPrefix(kv, "HOME=") {
			cmdline = append(cmdline, kv)
		}
	}
	cmdline = append(cmdline, "HOME="+home, "TERM=xterm-256color", env.bin)
	cmdline = append(cmdline, args...)
	tm.tmux(append([]string{"new-session", "-d", "-s", "main", "-x", fmt.Sprint(width), "-y", fmt.Sprint(height)}, quoteAll(cmdline)...)...)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

// startHungListener returns a loopback address that accepts connections
// and never answers on them, as an engine that hangs.
func startHungListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	return l.Addr().String()
}

// tenantProxy is a reverse proxy in front of the REST API that counts
// requests by the profile whose token they carry, and those whose path
// names tenant A.
type tenantProxy struct {
	URL     string
	tokens  map[string]string // token → profile name
	tenantA string

	release chan struct{} // closed at the end: lets held requests go

	mu       sync.Mutex
	counts   map[string]int
	inflight map[string]int
	holding  map[string]bool // whose list requests get no answer until the client gives up
	held     []heldReq
	pathA    int
}

func startTenantProxy(t *testing.T, target string, tokens map[string]string, tenantA string) *tenantProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &tenantProxy{tokens: tokens, tenantA: tenantA, release: make(chan struct{}),
		counts: map[string]int{}, inflight: map[string]int{}, holding: map[string]bool{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := p.tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		if !ok {
			who = "other"
		}
		p.mu.Lock()
		p.counts[who]++
		p.inflight[who]++
		if strings.Contains(r.URL.RawQuery+r.URL.Path, p.tenantA) {
			p.pathA++
		}
		hold := p.holding[who] && strings.HasSuffix(r.URL.Path, "/workflow-runs")
		i := len(p.held)
		if hold {
			p.held = append(p.held, heldReq{who: who, path: r.URL.Path, sent: time.Now()})
		}
		p.mu.Unlock()
		defer func() {
			p.mu.Lock()
			p.inflight[who]--
			p.mu.Unlock()
		}()
		if hold {
			select {
			case <-r.Context().Done():
				p.mu.Lock()
				p.held[i].ended = time.Now()
				p.mu.Unlock()
				return
			case <-p.release:
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(p.release) }) // before srv.Close, which waits for handlers
	p.URL = srv.URL
	return p
}

func (p *tenantProxy) host() string { return strings.TrimPrefix(p.URL, "http://") }

func (p *tenantProxy) count(who string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[who]
}

func (p *tenantProxy) inFlight(who string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.inflight[who]
}

// heldReq is a request the proxy held unanswered, and when the client
// gave up on it (zero while it waits).
type heldReq struct {
	who, path   string
	sent, ended time.Time
}

// hold makes who's list requests from now on wait unanswered until the
// client gives up (on), or go through again (off).
func (p *tenantProxy) hold(who string, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holding[who] = on
}

// heldOpen is how many of who's held requests the client still waits for.
func (p *tenantProxy) heldOpen(who string) int {
	n := 0
	for _, h := range p.heldReqs(who) {
		if h.ended.IsZero() {
			n++
		}
	}
	return n
}

func (p *tenantProxy) heldReqs(who string) []heldReq {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []heldReq
	for _, h := range p.held {
		if h.who == who {
			out = append(out, h)
		}
	}
	return out
}

func (p *tenantProxy) forTenantA() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pathA
}

// tcpProxy forwards a loopback port to the engine's gRPC port and counts
// the connections through it, to see a client's connections close.
type tcpProxy struct {
	addr string

	mu           sync.Mutex
	active, seen int
}

func startTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{addr: l.Addr().String()}
	var conns sync.WaitGroup
	done := make(chan struct{})
	var mu sync.Mutex
	var open []net.Conn
	t.Cleanup(func() {
		close(done)
		l.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		conns.Wait()
	})
	go func() {
		for {
			in, err := l.Accept()
			if err != nil {
				return
			}
			out, err := net.DialTimeout("tcp", target, 5*time.Second)
			if err != nil {
				in.Close()
				continue
			}
			mu.Lock()
			select {
			case <-done:
				mu.Unlock()
				in.Close()
				out.Close()
				return
			default:
			}
			open = append(open, in, out)
			conns.Add(1)
			mu.Unlock()
			p.mu.Lock()
			p.active++
			p.seen++
			p.mu.Unlock()
			go func() {
				defer conns.Done()
				var pipes sync.WaitGroup
				pipes.Add(2)
				pipe := func(dst, src net.Conn) {
					defer pipes.Done()
					_, _ = io.Copy(dst, src)
					// Either side ending ends the connection.
					in.Close()
					out.Close()
				}
				go pipe(out, in)
				go pipe(in, out)
				pipes.Wait()
				p.mu.Lock()
				p.active--
				p.mu.Unlock()
			}()
		}
	}()
	return p
}

func (p *tcpProxy) open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.active
}

func (p *tcpProxy) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen
}
