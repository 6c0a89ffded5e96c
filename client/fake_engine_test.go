package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
	"github.com/hatchtop/hatchtop/client/pb/eventspb"
	"github.com/hatchtop/hatchtop/client/pb/v1pb"
)

const testTenant = "707d0855-3c4b-4f1e-9f4a-2b8e1c0d5a11"

// fakeEngine serves the REST endpoints hatchtop uses from the fixtures in
// testdata/ (shaped like v0.105.0's answers) and the gRPC services over a
// loopback listener. Both check the bearer token like the engine does.
type fakeEngine struct {
	token   string
	api     *httptest.Server
	grpcAdr string

	mu       sync.Mutex
	rows     []json.RawMessage
	tasks    map[string]json.RawMessage
	logs     map[string][]json.RawMessage
	calls    map[string]int // "list", "task:<id>", "log:<id>"
	queries  []url.Values   // of list calls
	insertAt int            // when > 0, a new row appears before list call number insertAt+1
	grpcReqs []proto.Message
	posts    []string                                 // "METHOD path body" of every change asked over REST
	feeds    map[string][]*dispatcherpb.WorkflowEvent // run id -> what its subscription sends
	feedErr  error                                    // when set, subscriptions fail with it
	// feedClose ends a run's feed cleanly after its events even without a
	// hangup, as the engine does for a run that had already finished.
	feedClose  map[string]bool
	runStatus  map[string]v1pb.RunStatus // GetRunDetails; absent: NotFound
	eventFiles map[string]string         // task id -> its task-events fixture
	logQueries []url.Values              // of log-line calls
}

func newFakeEngine(t *testing.T, token string) *fakeEngine {
	t.Helper()
	return startFake(t, token, false)
}

// newTLSFakeEngine serves both APIs over TLS with httptest's certificate
// (valid for 127.0.0.1 and example.com); caPEM is its CA.
func newTLSFakeEngine(t *testing.T, token string) (f *fakeEngine, caPEM []byte) {
	t.Helper()
	f = startFake(t, token, true)
	return f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.api.Certificate().Raw})
}

func startFake(t *testing.T, token string, useTLS bool) *fakeEngine {
	f := &fakeEngine{token: token, calls: map[string]int{},
		eventFiles: map[string]string{tid(10): "task-events-dag.json"}}
	var list struct{ Rows []json.RawMessage }
	readFixture(t, "workflow-runs.json", &list)
	f.rows = list.Rows
	readFixture(t, "tasks.json", &f.tasks)
	readFixture(t, "event-logs.json", &f.logs)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/ready", f.ready) // health_test.go
	mux.HandleFunc("GET /api/v1/stable/tenants/{tenant}/workflow-runs", f.authed(f.list))
	mux.HandleFunc("GET /api/v1/stable/tenants/{tenant}/durable-tasks/{task}", f.authed(f.eventLog))
	mux.HandleFunc("GET /api/v1/stable/tasks/{task}", f.authed(f.task))
	mux.HandleFunc("GET /api/v1/stable/tasks/{task}/task-events", f.authed(f.taskEvents))
	mux.HandleFunc("GET /api/v1/stable/tasks/{task}/logs", f.authed(f.logLines))
	mux.HandleFunc("GET /api/v1/stable/workflow-runs/{run}", f.authed(f.run))
	mux.HandleFunc("POST /api/v1/stable/tenants/{tenant}/tasks/cancel", f.authed(f.change(`{"ids":[]}`)))
	mux.HandleFunc("POST /api/v1/stable/tenants/{tenant}/tasks/replay", f.authed(f.change(`{"ids":[]}`)))
	mux.HandleFunc("POST /api/v1/stable/tasks/{task}/restore", f.authed(f.change(`{"requeued":true}`)))
	mux.HandleFunc("POST /api/v1/stable/tenants/{tenant}/durable-tasks/branch", f.authed(f.change(`{"taskExternalId":"`+tid(1)+`","nodeId":3,"branchId":2}`)))
	f.api = httptest.NewUnstartedServer(mux)
	opts := []grpc.ServerOption{grpc.UnaryInterceptor(f.checkToken), grpc.StreamInterceptor(f.checkStreamToken)}
	if useTLS {
		f.api.StartTLS()
		opts = append(opts, grpc.Creds(credentials.NewServerTLSFromCert(&f.api.TLS.Certificates[0])))
	} else {
		f.api.Start()
	}
	t.Cleanup(f.api.Close)

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(opts...)
	dispatcherpb.RegisterDispatcherServer(srv, &fakeDispatcher{f: f})
	eventspb.RegisterEventsServiceServer(srv, &fakeEvents{f: f})
	v1pb.RegisterAdminServiceServer(srv, &fakeAdmin{f: f})
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	f.grpcAdr = lis.Addr().String()
	return f
}

func readFixture(t *testing.T, name string, into any) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// env is the environment of a client of this fake, token included.
func (f *fakeEngine) env(extra ...string) func(string) string {
	m := map[string]string{
		envToken:     f.token,
		envHostPort:  f.grpcAdr,
		envServerURL: f.api.URL,
		envTLS:       "none",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return func(k string) string { return m[k] }
}

func (f *fakeEngine) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[name]
}

// authed answers 401 without a bearer token and 403 with a wrong one, as
// the engine does, with the engine's error body.
func (f *fakeEngine) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		switch {
		case !strings.HasPrefix(auth, "Bearer "):
			writeFixture(w, http.StatusUnauthorized, "forbidden.json")
		case auth != "Bearer "+f.token:
			writeFixture(w, http.StatusForbidden, "forbidden.json")
		case r.PathValue("tenant") != "" && r.PathValue("tenant") != testTenant:
			writeFixture(w, http.StatusForbidden, "forbidden.json")
		default:
			h(w, r)
		}
	}
}

func writeFixture(w http.ResponseWriter, code int, name string) {
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(data)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// pageArgs reads limit and offset with the engine's defaults.
func pageArgs(q url.Values, defLimit int) (limit, offset int) {
	limit, offset = defLimit, 0
	if v, err := strconv.Atoi(q.Get("limit")); err == nil {
		limit = v
	}
	if v, err := strconv.Atoi(q.Get("offset")); err == nil {
		offset = v
	}
	return limit, offset
}

func window[T any](all []T, limit, offset int) []T {
	if offset > len(all) {
		offset = len(all)
	}
	end := min(offset+limit, len(all))
	return all[offset:end]
}

func (f *fakeEngine) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, offset := pageArgs(q, 50)
	f.mu.Lock()
	f.calls["list"]++
	f.queries = append(f.queries, q)
	if f.insertAt > 0 && len(f.queries) == f.insertAt+1 {
		// A task created between two page requests pushes every row down.
		fresh := strings.Replace(string(f.rows[0]), "000000000006", "000000000007", -1)
		f.rows = append([]json.RawMessage{json.RawMessage(fresh)}, f.rows...)
		f.insertAt = 0
	}
	within := createdWithin(f.rows, q)
	rows := window(within, limit, offset)
	total := len(within)
	f.mu.Unlock()
	cur := offset/limit + 1
	writeJSON(w, map[string]any{
		"pagination": map[string]any{"current_page": cur, "next_page": cur + 1, "num_pages": (total + limit - 1) / limit},
		"rows":       rows,
	})
}

// createdWithin keeps the rows created at or before the query's until, as
// the engine filters inserted_at; rows are newest first. since is ignored:
// the fixtures are older than most tests' windows.
func createdWithin(rows []json.RawMessage, q url.Values) []json.RawMessage {
	until, _ := time.Parse(time.RFC3339Nano, q.Get("until"))
	var out []json.RawMessage
	for _, row := range rows {
		var r struct {
			TaskInsertedAt time.Time `json:"taskInsertedAt"`
		}
		json.Unmarshal(row, &r)
		if until.IsZero() || !r.TaskInsertedAt.After(until) {
			out = append(out, row)
		}
	}
	return out
}

func (f *fakeEngine) eventLog(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("task")
	limit, offset := pageArgs(r.URL.Query(), 1000)
	f.mu.Lock()
	f.calls["log:"+id]++
	entries, ok := f.logs[id]
	f.mu.Unlock()
	if !ok {
		writeFixture(w, http.StatusNotFound, "not-found.json")
		return
	}
	writeJSON(w, window(entries, limit, offset))
}

func (f *fakeEngine) task(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("task")
	f.mu.Lock()
	f.calls["task:"+id]++
	t, ok := f.tasks[id]
	f.mu.Unlock()
	if !ok {
		writeFixture(w, http.StatusNotFound, "not-found.json")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(t)
}

// change records a REST change and answers body.
func (f *fakeEngine) change(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.posts = append(f.posts, r.Method+" "+r.URL.Path+" "+strings.TrimSpace(string(b)))
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}
}

func (f *fakeEngine) lastPost() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.posts) == 0 {
		return ""
	}
	return f.posts[len(f.posts)-1]
}

func (f *fakeEngine) taskEvents(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("limit") == "" {
		writeJSON(w, map[string]any{"pagination": map[string]any{}, "rows": []any{}}) // as the engine does
		return
	}
	name, ok := f.eventFiles[r.PathValue("task")]
	if !ok {
		name = "task-events.json"
	}
	writeFixture(w, http.StatusOK, name)
}

// logLines answers like the engine: lines strictly after since, in the
// asked order, at most limit (1000).
func (f *fakeEngine) logLines(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.logQueries = append(f.logQueries, q)
	f.mu.Unlock()
	data, err := os.ReadFile("testdata/log-lines.json")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var raw struct {
		Pagination json.RawMessage   `json:"pagination"`
		Rows       []json.RawMessage `json:"rows"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	since, _ := time.Parse(time.RFC3339Nano, q.Get("since"))
	rows := []json.RawMessage{}
	for _, row := range raw.Rows {
		var l struct {
			CreatedAt time.Time `json:"createdAt"`
		}
		json.Unmarshal(row, &l)
		if since.IsZero() || l.CreatedAt.After(since) {
			rows = append(rows, row)
		}
	}
	if q.Get("order_by_direction") != "ASC" {
		slices.Reverse(rows)
	}
	limit, _ := pageArgs(q, 1000)
	writeJSON(w, map[string]any{"pagination": raw.Pagination, "rows": window(rows, limit, 0)})
}

// run serves the one DAG run of the fixtures.
func (f *fakeEngine) run(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("run")
	f.mu.Lock()
	f.calls["run:"+id]++
	f.mu.Unlock()
	if id != tid(9) {
		writeFixture(w, http.StatusNotFound, "not-found.json")
		return
	}
	writeFixture(w, http.StatusOK, "workflow-run.json")
}

func (f *fakeEngine) checkStreamToken(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	md, _ := metadata.FromIncomingContext(ss.Context())
	if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer "+f.token {
		return status.Error(codes.Unauthenticated, "invalid auth token")
	}
	return h(srv, ss)
}

// checkToken is the engine's gRPC auth: a missing or wrong bearer token
// is Unauthenticated "invalid auth token".
func (f *fakeEngine) checkToken(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer "+f.token {
		return nil, status.Error(codes.Unauthenticated, "invalid auth token")
	}
	f.mu.Lock()
	f.grpcReqs = append(f.grpcReqs, req.(proto.Message))
	f.mu.Unlock()
	return h(ctx, req)
}

func (f *fakeEngine) lastRequest() proto.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.grpcReqs) == 0 {
		return nil
	}
	return f.grpcReqs[len(f.grpcReqs)-1]
}

// SubscribeToWorkflowEvents sends the run's scripted events, or fails
// with feedErr; an unknown run is NotFound, as the engine says after
// looking for it. After a hangup, or with feedClose, the stream ends
// cleanly; otherwise it stays open like an idle run's.
func (d *fakeDispatcher) SubscribeToWorkflowEvents(r *dispatcherpb.SubscribeToWorkflowEventsRequest, s grpc.ServerStreamingServer[dispatcherpb.WorkflowEvent]) error {
	d.f.mu.Lock()
	events, ok := d.f.feeds[r.GetWorkflowRunId()]
	err := d.f.feedErr
	closeIt := d.f.feedClose[r.GetWorkflowRunId()]
	d.f.mu.Unlock()
	switch {
	case err != nil:
		return err
	case !ok:
		return status.Error(codes.NotFound, "workflow run not found")
	}
	for _, ev := range events {
		if err := s.Send(ev); err != nil {
			return err
		}
	}
	if closeIt || len(events) > 0 && events[len(events)-1].Hangup {
		return nil
	}
	<-s.Context().Done()
	return nil
}

type fakeDispatcher struct {
	dispatcherpb.UnimplementedDispatcherServer
	f *fakeEngine
}

func (d *fakeDispatcher) GetVersion(context.Context, *dispatcherpb.GetVersionRequest) (*dispatcherpb.GetVersionResponse, error) {
	return &dispatcherpb.GetVersionResponse{Version: "v0.105.0"}, nil
}

var refreshedUntil = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

func (d *fakeDispatcher) RefreshTimeout(_ context.Context, r *dispatcherpb.RefreshTimeoutRequest) (*dispatcherpb.RefreshTimeoutResponse, error) {
	if _, ok := d.f.tasks[r.TaskRunExternalId]; !ok {
		return nil, status.Error(codes.NotFound, "task run not found")
	}
	return &dispatcherpb.RefreshTimeoutResponse{TimeoutAt: timestamppb.New(refreshedUntil)}, nil
}

func (d *fakeDispatcher) RestoreEvictedTask(context.Context, *dispatcherpb.RestoreEvictedTaskRequest) (*dispatcherpb.RestoreEvictedTaskResponse, error) {
	return &dispatcherpb.RestoreEvictedTaskResponse{Requeued: true}, nil
}

type fakeEvents struct {
	eventspb.UnimplementedEventsServiceServer
	f *fakeEngine
}

func (e *fakeEvents) Push(_ context.Context, r *eventspb.PushEventRequest) (*eventspb.Event, error) {
	return &eventspb.Event{TenantId: testTenant, EventId: "e-1", Key: r.Key, Payload: r.Payload, Scope: r.Scope}, nil
}

type fakeAdmin struct {
	v1pb.UnimplementedAdminServiceServer
	f *fakeEngine
}

// GetRunDetails answers a run's status from runStatus.
func (a *fakeAdmin) GetRunDetails(_ context.Context, r *v1pb.GetRunDetailsRequest) (*v1pb.GetRunDetailsResponse, error) {
	a.f.mu.Lock()
	st, ok := a.f.runStatus[r.ExternalId]
	a.f.mu.Unlock()
	if !ok {
		return nil, status.Error(codes.NotFound, "workflow run not found")
	}
	done := st == v1pb.RunStatus_COMPLETED || st == v1pb.RunStatus_FAILED || st == v1pb.RunStatus_CANCELLED
	return &v1pb.GetRunDetailsResponse{Status: st, Done: done}, nil
}

func (a *fakeAdmin) CancelTasks(_ context.Context, r *v1pb.CancelTasksRequest) (*v1pb.CancelTasksResponse, error) {
	return &v1pb.CancelTasksResponse{CancelledTasks: r.ExternalIds}, nil
}

func (a *fakeAdmin) ReplayTasks(_ context.Context, r *v1pb.ReplayTasksRequest) (*v1pb.ReplayTasksResponse, error) {
	return &v1pb.ReplayTasksResponse{ReplayedTasks: r.ExternalIds}, nil
}

func (a *fakeAdmin) BranchDurableTask(_ context.Context, r *v1pb.BranchDurableTaskRequest) (*v1pb.BranchDurableTaskResponse, error) {
	return &v1pb.BranchDurableTaskResponse{TaskExternalId: r.TaskExternalId, NodeId: r.NodeId, BranchId: r.BranchId + 1}, nil
}

// jwt builds an unsigned-looking token with the given claims.
func jwt(claims map[string]any) string {
	enc := base64.RawURLEncoding
	payload, _ := json.Marshal(claims)
	return enc.EncodeToString([]byte(`{"alg":"ES256","kid":"test","typ":"JWT"}`)) + "." +
		enc.EncodeToString(payload) + "." + enc.EncodeToString([]byte("signature-of-test-token-0123456789"))
}

// testToken is a token whose claims point nowhere useful: tests set the
// addresses explicitly, as a user overriding the claims would.
func testToken() string {
	return jwt(map[string]any{
		"sub": testTenant, "server_url": "http://claims.invalid:8080",
		"grpc_broadcast_address": "claims.invalid:7077", "exp": 1900000000, "token_id": "t-1",
	})
}

// dialFake dials f with its environment plus extra settings.
func dialFake(t *testing.T, f *fakeEngine, opts []Option, extraEnv ...string) *Client {
	t.Helper()
	cfg, err := LoadConfig(ConfigInput{Getenv: f.env(extraEnv...), Home: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := Dial(context.Background(), cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func tid(n int) string { return fmt.Sprintf("0b1e7c5e-0000-4000-8000-%012d", n) }

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
