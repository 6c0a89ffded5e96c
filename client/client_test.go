package client

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/durable"
)

func TestCheckAndVersion(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	if err := c.Check(ctxTimeout(t, 5*time.Second)); err != nil {
		t.Fatalf("check: %v", err)
	}
	v, err := c.Version(ctxTimeout(t, 5*time.Second))
	if err != nil || v != "v0.105.0" {
		t.Fatalf("version = %q, %v", v, err)
	}
	if q := f.queries[0]; q.Get("limit") != "1" {
		t.Errorf("the probe should list one row, asked %v", q)
	}
	info := c.Info()
	if info.GRPCAddr != f.grpcAdr || info.APIURL != f.api.URL || info.TenantID != testTenant {
		t.Errorf("info = %+v", info)
	}
}

// Rows shift while paging: a task created between two requests pushes a
// row of page 1 onto page 2. Every task must come back exactly once.
func TestListActivePagesAndDedupes(t *testing.T) {
	f := newFakeEngine(t, testToken())
	f.insertAt = 2
	c := dialFake(t, f, []Option{WithPageSize(2)})
	since := time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)
	tasks, err := c.ListActive(ctxTimeout(t, 5*time.Second), since)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, task := range tasks {
		ids = append(ids, task.ID)
	}
	want := []string{tid(6), tid(5), tid(4), tid(3), tid(2), tid(1)}
	if !reflect.DeepEqual(ids, want) {
		t.Fatalf("ids = %v\nwant %v", ids, want)
	}
	if n := f.count("list"); n != 3 {
		t.Errorf("%d list calls, want 3 (pages of 2 new rows until the engine counts no more)", n)
	}
	q := f.queries[0]
	if got := q["statuses"]; !reflect.DeepEqual(got, []string{"QUEUED", "RUNNING"}) {
		t.Errorf("statuses = %v", got)
	}
	if q.Get("only_tasks") != "true" || q.Get("include_payloads") != "false" || q.Get("limit") != "2" || q.Has("offset") || q.Has("until") {
		t.Errorf("query = %v", q)
	}
	if got, err := time.Parse(time.RFC3339Nano, q.Get("since")); err != nil || !got.Equal(since) {
		t.Errorf("since = %q", q.Get("since"))
	}
	// No offsets: each page continues at the oldest row of the last, asking
	// again for the three rows already seen created at that instant.
	if q := f.queries[2]; q.Get("until") != "2026-11-23T01:38:04.973216Z" || q.Get("limit") != "5" || q.Has("offset") {
		t.Errorf("last page asked %v, want until the oldest row's creation, limit 5 and no offset", q)
	}
}

// The list stops when pagination says the last page was read, even if
// that page was full.
func TestListActiveStopsAtLastPage(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, []Option{WithPageSize(3)})
	tasks, err := c.ListActive(ctxTimeout(t, 5*time.Second), time.Now().Add(-time.Hour))
	if err != nil || len(tasks) != 6 {
		t.Fatalf("%d tasks, %v", len(tasks), err)
	}
	if n := f.count("list"); n != 2 {
		t.Errorf("%d list calls, want 2", n)
	}
}

func TestListActiveMapsRows(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	tasks, err := c.ListActive(ctxTimeout(t, 5*time.Second), time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]durable.Task{}
	for _, task := range tasks {
		byID[task.ID] = task
	}
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	want := map[string]durable.Task{
		tid(2): {ID: tid(2), RunID: tid(2), Name: "wait-event-labelled-1795397884902", WorkflowName: "wait-event-labelled",
			WorkflowID: "3a7c0000-0000-4000-8000-000000000002", VersionID: "5e1f0000-0000-4000-8000-000000000002", ActionID: "wait-event-labelled:wait-event-labelled",
			Status: durable.StatusRunning, Evicted: true, Durable: true, Attempt: 1,
			CreatedAt: ts("2026-11-23T01:38:04.973216Z"), StartedAt: ts("2026-11-23T01:38:04.764Z"),
			Metadata: map[string]any{"traceparent": "00-82755b9a74eb5ae6383ff164f6050001-690b4840961533ab-01"}},
		tid(3): {ID: tid(3), RunID: tid(3), Name: "retry-then-sleep-1795397884903", WorkflowName: "retry-then-sleep",
			WorkflowID: "3a7c0000-0000-4000-8000-000000000003", VersionID: "5e1f0000-0000-4000-8000-000000000003", ActionID: "retry-then-sleep:retry-then-sleep",
			Status: durable.StatusRunning, Durable: true, RetryCount: 2, Attempt: 3,
			CreatedAt: ts("2026-11-23T01:38:04.973216Z"), StartedAt: ts("2026-11-23T01:38:05.205Z"),
			Metadata: map[string]any{"traceparent": "00-82755b9a74eb5ae6383ff164f6050001-690b4840961533ab-01"}},
		tid(4): {ID: tid(4), RunID: tid(4), Name: "sleep-unlabelled-1795397884904", WorkflowName: "sleep-unlabelled",
			WorkflowID: "3a7c0000-0000-4000-8000-000000000004", VersionID: "5e1f0000-0000-4000-8000-000000000004", ActionID: "sleep-unlabelled:sleep-unlabelled",
			Status: durable.StatusQueued, Durable: true, Attempt: 1, CreatedAt: ts("2026-11-23T01:38:04.973216Z")},
		tid(5): {ID: tid(5), RunID: "9d0c0000-0000-4000-8000-000000000005", Name: "send-email-1795397884905", WorkflowName: "billing",
			WorkflowID: "3a7c0000-0000-4000-8000-000000000005", VersionID: "5e1f0000-0000-4000-8000-000000000005", ActionID: "billing:send-email",
			Status: durable.StatusRunning, Attempt: 1,
			CreatedAt: ts("2026-11-23T01:38:04.973216Z"), StartedAt: ts("2026-11-23T01:38:05.072Z"),
			Metadata: map[string]any{"customer": "acme", "attempt_note": "first"}},
	}
	for id, w := range want {
		got := byID[id]
		if !got.CreatedAt.Equal(w.CreatedAt) || !got.StartedAt.Equal(w.StartedAt) {
			t.Errorf("%s: times %s %s, want %s %s", id, got.CreatedAt, got.StartedAt, w.CreatedAt, w.StartedAt)
		}
		got.CreatedAt, got.StartedAt, w.CreatedAt, w.StartedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s:\n got %+v\nwant %+v", id, got, w)
		}
	}
}

// List rows carry no isDurable: it is learnt once per workflow version
// and action from the task endpoint, then cached.
func TestListActiveLearnsDurabilityOncePerVersion(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	for range 2 {
		tasks, err := c.ListActive(ctxTimeout(t, 5*time.Second), time.Now().Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range tasks {
			if task.Durable != (task.ID != tid(5)) {
				t.Errorf("%s (%s): durable = %v", task.ID, task.Name, task.Durable)
			}
		}
	}
	// t1 and t6 share a version: one of them is asked, once.
	if n := f.count("task:"+tid(1)) + f.count("task:"+tid(6)); n != 1 {
		t.Errorf("%d task fetches for the shared version, want 1", n)
	}
	for _, n := range []int{2, 3, 4, 5} {
		if got := f.count("task:" + tid(n)); got != 1 {
			t.Errorf("task %d fetched %d times over two polls, want 1", n, got)
		}
	}
}

func TestEventLogMapsAndPages(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, []Option{WithPageSize(3)})
	got, err := c.EventLog(ctxTimeout(t, 5*time.Second), tid(1))
	if err != nil {
		t.Fatal(err)
	}
	if n := f.count("log:" + tid(1)); n != 3 {
		t.Errorf("%d log pages, want 3 (8 entries, pages of 3)", n)
	}
	at := func(s string) time.Time {
		v, _ := time.Parse(time.RFC3339Nano, "2026-11-23T"+s+"Z")
		return v
	}
	ev := func(k string) durable.Condition { return durable.Condition{Kind: durable.CondEvent, EventKey: k} }
	sl := func(d time.Duration) durable.Condition { return durable.Condition{Kind: durable.CondSleep, Sleep: d} }
	want := []durable.Entry{
		{NodeID: 1, BranchID: 1, Kind: durable.EntryWaitFor, Label: "cooling down before retry", InsertedAt: at("01:38:04.709884"),
			Satisfied: true, SatisfiedAt: at("01:40:04.882542"), Conditions: []durable.Condition{sl(2 * time.Minute)}},
		{NodeID: 2, BranchID: 1, Kind: durable.EntryMemo, InsertedAt: at("01:40:05")},
		{NodeID: 3, BranchID: 1, Kind: durable.EntryWaitFor, Label: "approval or timeout", InsertedAt: at("01:40:05.1"),
			Conditions: []durable.Condition{{Or: []durable.Condition{ev("approval:granted"), sl(10 * time.Minute)}}}},
		{NodeID: 4, BranchID: 1, Kind: durable.EntryWaitFor, InsertedAt: at("01:40:05.2"),
			Conditions: []durable.Condition{ev("payment:confirmed"), {Or: []durable.Condition{sl(1500 * time.Millisecond), ev("payment:failed")}}}},
		{NodeID: 5, BranchID: 1, Kind: durable.EntryRun, Label: "step label", InsertedAt: at("01:40:05.3"),
			Conditions: []durable.Condition{{Kind: durable.CondChild, WorkflowName: "billing"}}},
		{NodeID: 6, BranchID: 1, Kind: durable.EntryWaitFor, InsertedAt: at("01:40:05.4"), Conditions: []durable.Condition{sl(0)}},
		{NodeID: 7, BranchID: 1, Kind: durable.EntryWaitFor, InsertedAt: at("01:40:05.5"), Conditions: []durable.Condition{ev("single")}},
		{NodeID: 3, BranchID: 2, Kind: durable.EntryWaitFor, Label: "replayed wait", InsertedAt: at("01:41:00"),
			Conditions: []durable.Condition{sl(45 * time.Second)}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.InsertedAt.Equal(w.InsertedAt) || !g.SatisfiedAt.Equal(w.SatisfiedAt) {
			t.Errorf("entry %d: times %s %s, want %s %s", i, g.InsertedAt, g.SatisfiedAt, w.InsertedAt, w.SatisfiedAt)
		}
		g.InsertedAt, g.SatisfiedAt, w.InsertedAt, w.SatisfiedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	// What the dashboard derives from it: branch 2 replaced nodes 3 to 7,
	// so its wait is the only open one.
	if open := durable.OpenWaits(got); len(open) != 1 || open[0].Label != "replayed wait" {
		t.Errorf("open waits = %+v", open)
	}
}

func TestEventLogEmptyAndNotFound(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	ctx := ctxTimeout(t, 5*time.Second)
	if got, err := c.EventLog(ctx, tid(5)); err != nil || len(got) != 0 {
		t.Errorf("non-durable task: %v, %v", got, err)
	}
	_, err := c.EventLog(ctx, tid(99))
	if !errors.Is(err, ErrNotFound) || !strings.HasPrefix(err.Error(), "event log: ") {
		t.Errorf("unknown task: %v", err)
	}
	_, err = c.EventLog(ctx, "not-a-uuid")
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("bad id: %v", err)
	}
}

func TestTaskConfig(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil)
	cases := map[string]durable.Config{
		tid(1): {MaxRetries: 0, Timeout: 5 * time.Minute}, // Timeout null: the engine's default
		tid(2): {MaxRetries: 0, Timeout: 24 * time.Hour},
		tid(3): {MaxRetries: 3, Timeout: 24 * time.Hour},
		tid(4): {MaxRetries: 0, Timeout: 90 * time.Second}, // Retries null
		tid(5): {MaxRetries: 5, Timeout: 2 * time.Minute},  // the second step of a DAG, by action id
	}
	for id, want := range cases {
		got, err := c.TaskConfig(ctxTimeout(t, 5*time.Second), id)
		if err != nil || got != want {
			t.Errorf("%s: %+v, %v; want %+v", id, got, err, want)
		}
	}
	got, err := c.TaskConfig(ctxTimeout(t, 5*time.Second), tid(99))
	if !errors.Is(err, ErrNotFound) || got != durable.UnknownConfig() {
		t.Errorf("unknown task: %+v, %v", got, err)
	}
}

func TestUnauthorized(t *testing.T) {
	f := newFakeEngine(t, testToken())
	wrong := strings.Join(strings.Split(testToken(), ".")[:2], ".") + ".Zm9yZ2VkLXNpZ25hdHVyZS0wMTIzNDU2Nzg5"
	c := dialFake(t, f, nil, envToken, wrong)
	ctx := ctxTimeout(t, 5*time.Second)

	err := c.Check(ctx)
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "the engine at "+f.grpcAdr+" rejected the token") {
		t.Errorf("check: %v", err)
	}
	_, err = c.ListActive(ctx, time.Now())
	if !errors.Is(err, ErrUnauthorized) || !strings.HasPrefix(err.Error(), "list active tasks: the engine at "+f.api.URL) {
		t.Errorf("list: %v", err)
	}
	_, err = c.EventLog(ctx, tid(1))
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "HTTP 403: Please provide valid credentials") {
		t.Errorf("event log: %v", err)
	}
	_, err = c.TaskConfig(ctx, tid(1))
	if !errors.Is(err, ErrUnauthorized) {
		t.Errorf("task config: %v", err)
	}
	_, err = c.Version(ctx)
	if !errors.Is(err, ErrUnauthorized) {
		t.Errorf("version: %v", err)
	}
}

// gRPC accepts the token but REST refuses the tenant: Check must say so,
// which is why it makes one REST call.
func TestCheckCatchesRESTRejection(t *testing.T) {
	f := newFakeEngine(t, testToken())
	c := dialFake(t, f, nil, envTenantID, "11111111-1111-4111-8111-111111111111")
	err := c.Check(ctxTimeout(t, 5*time.Second))
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), f.api.URL) {
		t.Fatalf("check: %v", err)
	}
}

func TestCheckNamesAnExpiredToken(t *testing.T) {
	f := newFakeEngine(t, testToken())
	expired := jwt(map[string]any{"sub": testTenant, "exp": 1700000000})
	c := dialFake(t, f, nil, envToken, expired)
	err := c.Check(ctxTimeout(t, 5*time.Second))
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), "the token expired at 2023-11-14T22:13:20Z") {
		t.Fatalf("check: %v", err)
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestUnreachable(t *testing.T) {
	f := newFakeEngine(t, testToken())
	closed := closedAddr(t)

	c := dialFake(t, f, nil, envHostPort, closed, envServerURL, "http://"+closed)
	start := time.Now()
	err := c.Check(ctxTimeout(t, 5*time.Second))
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), closed) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("check: %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("check took %s", took)
	}
	_, err = c.ListActive(ctxTimeout(t, 5*time.Second), time.Now())
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "http://"+closed) {
		t.Errorf("list: %v", err)
	}

	// Only the API is down: gRPC passes, the REST probe names the URL.
	c = dialFake(t, f, nil, envServerURL, "http://"+closed)
	err = c.Check(ctxTimeout(t, 5*time.Second))
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "http://"+closed) {
		t.Errorf("check with the API down: %v", err)
	}
}

// silentAddr accepts connections and never answers, like a firewall that
// drops packets: only the caller's deadline ends the wait.
func silentAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var conns []net.Conn
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				close(done)
				return
			}
			conns = append(conns, conn)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

func TestUnreachableHonoursTheDeadline(t *testing.T) {
	f := newFakeEngine(t, testToken())
	silent := silentAddr(t)
	c := dialFake(t, f, nil, envHostPort, silent, envServerURL, "http://"+silent)
	for name, call := range map[string]func() error{
		"check": func() error { return c.Check(ctxTimeout(t, 300*time.Millisecond)) },
		"list": func() error {
			_, err := c.ListActive(ctxTimeout(t, 300*time.Millisecond), time.Now())
			return err
		},
	} {
		start := time.Now()
		err := call()
		if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), silent) {
			t.Errorf("%s: %v", name, err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s took %s, want about the 300ms deadline", name, took)
		}
	}
}

func TestServerErrors(t *testing.T) {
	f := newFakeEngine(t, testToken())
	var body, contentType string
	var code int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(code)
		w.Write([]byte(strings.ReplaceAll(body, "AUTH", r.Header.Get("Authorization"))))
	}))
	t.Cleanup(srv.Close)
	c := dialFake(t, f, nil, envServerURL, srv.URL)
	cases := []struct {
		code              int
		contentType, body string
		want              string
	}{
		{500, "application/json", `{"errors":[{"description":"database is down"}]}`, "answered HTTP 500: database is down"},
		{502, "text/html", `<html>bad gateway</html>`, "answered HTTP 502"},
		{200, "text/html", `<html>the web UI</html>`, "not JSON"},
		{200, "application/json", `{"rows": 12}`, "list active tasks: "},
		// A proxy echoing the request back must not leak the token.
		{500, "application/json", `{"message":"bad header: AUTH"}`, "bad header: Bearer " + redacted},
	}
	for _, tc := range cases {
		code, contentType, body = tc.code, tc.contentType, tc.body
		_, err := c.ListActive(ctxTimeout(t, 5*time.Second), time.Now())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%d %s: %v, want %q", tc.code, tc.body, err, tc.want)
			continue
		}
		if errors.Is(err, ErrUnauthorized) || errors.Is(err, ErrUnreachable) || errors.Is(err, ErrNotFound) {
			t.Errorf("%d: %v should be none of the sentinels", tc.code, err)
		}
		assertNoToken(t, err, testToken())
	}
}

// Every failure path, with the token in play: none may print it.
func TestErrorsNeverHoldTheToken(t *testing.T) {
	f := newFakeEngine(t, testToken())
	closed := closedAddr(t)
	wrong := strings.Join(strings.Split(testToken(), ".")[:2], ".") + ".Zm9yZ2VkLXNpZ25hdHVyZS0wMTIzNDU2Nzg5"
	for _, env := range [][]string{
		{envToken, wrong},
		{envHostPort, closed, envServerURL, "http://" + closed},
	} {
		c := dialFake(t, f, nil, env...)
		ctx := ctxTimeout(t, 5*time.Second)
		_, e1 := c.ListActive(ctx, time.Now())
		_, e2 := c.EventLog(ctx, tid(1))
		_, e3 := c.TaskConfig(ctx, tid(1))
		_, e4 := c.Version(ctx)
		for _, err := range []error{c.Check(ctx), e1, e2, e3, e4} {
			if err == nil {
				t.Errorf("%v: want an error", env)
				continue
			}
			assertNoToken(t, err, testToken())
			assertNoToken(t, err, wrong)
		}
	}
}

func assertNoToken(t *testing.T, err error, token string) {
	t.Helper()
	sig := token[strings.LastIndexByte(token, '.')+1:]
	if s := err.Error(); strings.Contains(s, token) || strings.Contains(s, sig) || strings.Contains(s, "\n") {
		t.Errorf("error leaks the token or spans lines: %q", s)
	}
}
