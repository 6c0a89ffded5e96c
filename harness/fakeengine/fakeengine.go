// Package fakeengine is an in-process Hatchet engine that serves a large
// synthetic tenant of active durable tasks over the real protocols: the
// REST endpoints hatchtop reads (answers shaped like v0.105.0's) and the
// Dispatcher's gRPC calls it makes. It counts every request by route, so
// benchmarks can measure what the real client and model ask of an engine.
//
// The workload is static: every task stays active, sleepers sleep 1 h,
// event waits never get their event. Nothing here changes the engine's
// state except what a test does through the Server's methods.
package fakeengine

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/hatchtop/hatchtop/client"
	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
)

// Tenant is the fake's only tenant.
const Tenant = "707d0855-3c4b-4f1e-9f4a-2b8e1c0d5a11"

// Version is what GetVersion answers.
const Version = "v0.105.0"

// Routes, the keys of Counts.
const (
	RouteList       = "list"        // GET tenants/{t}/workflow-runs
	RouteTask       = "task"        // GET tasks/{id}
	RouteTaskEvents = "task-events" // GET tasks/{id}/task-events
	RouteEventLog   = "event-log"   // GET tenants/{t}/durable-tasks/{id}
	RouteLogLines   = "logs"        // GET tasks/{id}/logs
	RouteRun        = "run"         // GET workflow-runs/{id}
	RouteEvents     = "events"      // GET tenants/{t}/events
	RouteWorkers    = "workers"     // GET tenants/{t}/worker
	RouteReady      = "ready"       // GET /api/ready
	RouteOther      = "other"       // anything else (404)
	// gRPC, counted apart from REST.
	GRPCVersion    = "grpc:version"
	GRPCRunEvents  = "grpc:subscribe-workflow-events" // streams opened
	GRPCRunWatches = "grpc:subscribe-workflow-runs"   // bidi streams opened
	GRPCRunIDsSent = "grpc:workflow-run-ids"          // ids sent on those streams
)

// restRoutes are the REST routes, for Total.
var restRoutes = []string{RouteList, RouteTask, RouteTaskEvents, RouteEventLog, RouteLogLines, RouteRun, RouteEvents, RouteWorkers, RouteReady, RouteOther}

// Workload describes the tenant the fake serves.
type Workload struct {
	// Tasks is how many active durable tasks there are.
	Tasks int
	// EventWaitEvery makes every n-th task an event wait, the rest 1 h
	// sleeps; 0 means 10 (90 % sleepers, 10 % event waits).
	EventWaitEvery int
	// Now is the fake's notion of the present: tasks were created during
	// the 40 minutes before it, newest first, so every 1 h sleep is still
	// open 10 minutes later.
	Now time.Time
}

// Task is one task of the workload, as a test may want to pick one.
type Task struct {
	ID        string
	EventWait bool
	CreatedAt time.Time
}

type task struct {
	Task
	idx     int
	name    string // display name, stamped per run like the SDKs do
	wf      *workflow
	row     json.RawMessage // the list row, encoded once
	full    json.RawMessage // v1-task:get
	log     json.RawMessage // the event log
	events  json.RawMessage // v1-task-event:list
	started time.Time
}

type workflow struct {
	name, id, version, action string
}

var (
	sleeper = &workflow{"sleep-labelled", uid(0xf1, 1), uid(0xf2, 1), "sleep-labelled:sleep-labelled"}
	waiter  = &workflow{"wait-event-labelled", uid(0xf1, 2), uid(0xf2, 2), "wait-event-labelled:wait-event-labelled"}
)

// Server is a running fake engine.
type Server struct {
	// URL is the REST base URL, GRPCAddr the gRPC host:port, Token a
	// tenant token whose claims point at both.
	URL, GRPCAddr, Token string

	api  *httptest.Server
	grpc *grpc.Server

	tasks []*task // newest first, as the engine lists
	byID  map[string]*task

	mu     sync.Mutex
	counts map[string]int
}

// Start serves w until Close.
func Start(w Workload) (*Server, error) {
	if w.EventWaitEvery <= 0 {
		w.EventWaitEvery = 10
	}
	if w.Now.IsZero() {
		w.Now = time.Now()
	}
	s := &Server{byID: map[string]*task{}, counts: map[string]int{}}
	span := 40 * time.Minute
	for i := range w.Tasks {
		created := w.Now.Add(-time.Duration(i+1) * span / time.Duration(w.Tasks+1)).UTC().Truncate(time.Microsecond)
		t := &task{Task: Task{ID: uid(0, i+1), EventWait: i%w.EventWaitEvery == w.EventWaitEvery-1, CreatedAt: created}, idx: i}
		t.wf = sleeper
		if t.EventWait {
			t.wf = waiter
		}
		t.name = fmt.Sprintf("%s-%d", t.wf.name, created.UnixMilli()+int64(i))
		t.started = created.Add(100 * time.Millisecond)
		if err := t.encode(); err != nil {
			return nil, err
		}
		s.tasks = append(s.tasks, t)
		s.byID[t.ID] = t
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/ready", s.counted(RouteReady, func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("{}")) }))
	mux.HandleFunc("GET /api/v1/stable/tenants/{tenant}/workflow-runs", s.counted(RouteList, s.list))
	mux.HandleFunc("GET /api/v1/stable/tenants/{tenant}/durable-tasks/{task}", s.counted(RouteEventLog, s.eventLog))
	mux.HandleFunc("GET /api/v1/stable/tasks/{task}", s.counted(RouteTask, s.task))
	mux.HandleFunc("GET /api/v1/stable/tasks/{task}/task-events", s.counted(RouteTaskEvents, s.taskEvents))
	mux.HandleFunc("GET /api/v1/stable/tasks/{task}/logs", s.counted(RouteLogLines, s.logLines))
	mux.HandleFunc("GET /api/v1/stable/workflow-runs/{run}", s.counted(RouteRun, s.run))
	mux.HandleFunc("GET /api/v1/stable/tenants/{tenant}/events", s.counted(RouteEvents, s.events))
	mux.HandleFunc("GET /api/v1/tenants/{tenant}/worker", s.counted(RouteWorkers, s.workers))
	mux.HandleFunc("/", s.counted(RouteOther, func(w http.ResponseWriter, _ *http.Request) { notFound(w) }))
	s.api = httptest.NewServer(mux)
	s.URL = s.api.URL

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.api.Close()
		return nil, fmt.Errorf("fake engine: listen for gRPC: %w", err)
	}
	s.grpc = grpc.NewServer(grpc.UnaryInterceptor(s.unaryAuth), grpc.StreamInterceptor(s.streamAuth),
		// The client pings idle connections every 20 s, which the engine allows.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}))
	dispatcherpb.RegisterDispatcherServer(s.grpc, &dispatcher{s: s})
	go s.grpc.Serve(lis)
	s.GRPCAddr = lis.Addr().String()
	s.Token = token(s.URL, s.GRPCAddr)
	return s, nil
}

// Close stops both servers.
func (s *Server) Close() {
	s.grpc.Stop()
	s.api.Close()
}

// Env is a client environment for the fake (HATCHET_CLIENT_* variables).
func (s *Server) Env() map[string]string {
	return map[string]string{
		"HATCHET_CLIENT_TOKEN":        s.Token,
		"HATCHET_CLIENT_HOST_PORT":    s.GRPCAddr,
		"HATCHET_CLIENT_SERVER_URL":   s.URL,
		"HATCHET_CLIENT_TLS_STRATEGY": "none",
	}
}

// Tasks lists the workload's tasks, newest first.
func (s *Server) Tasks() []Task {
	out := make([]Task, len(s.tasks))
	for i, t := range s.tasks {
		out[i] = t.Task
	}
	return out
}

// Counts is how many requests each route has had so far.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// REST is the number of REST requests so far.
func (s *Server) REST() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range restRoutes {
		n += s.counts[r]
	}
	return n
}

func (s *Server) count(route string, n int) {
	s.mu.Lock()
	s.counts[route] += n
	s.mu.Unlock()
}

// counted counts a request, then checks the bearer token and tenant as the
// engine does.
func (s *Server) counted(route string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.count(route, 1)
		if route != RouteReady && r.Header.Get("Authorization") != "Bearer "+s.Token {
			writeJSON(w, http.StatusForbidden, []byte(`{"errors":[{"description":"forbidden"}]}`))
			return
		}
		if t := r.PathValue("tenant"); t != "" && t != Tenant {
			writeJSON(w, http.StatusForbidden, []byte(`{"errors":[{"description":"forbidden"}]}`))
			return
		}
		h(w, r)
	}
}

func writeJSON(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(body)
}

func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, []byte(`{"message": "not found"}`))
}

// pageArgs reads limit and offset with the engine's defaults.
func pageArgs(q url.Values, defLimit int) (limit, offset int) {
	limit, offset = defLimit, 0
	if v, err := strconv.Atoi(q.Get("limit")); err == nil && v > 0 {
		limit = v
	}
	if v, err := strconv.Atoi(q.Get("offset")); err == nil && v > 0 {
		offset = v
	}
	return limit, offset
}

// list answers v1-workflow-run:list: tasks created in [since, until] with
// one of the statuses (all are RUNNING), of the workflows asked for,
// newest first unless order_by_direction=ASC, paged by limit and offset.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, err := time.Parse(time.RFC3339Nano, q.Get("since"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, []byte(`{"errors":[{"description":"since is required"}]}`))
		return
	}
	var until time.Time
	if v := q.Get("until"); v != "" {
		if until, err = time.Parse(time.RFC3339Nano, v); err != nil {
			writeJSON(w, http.StatusBadRequest, []byte(`{"errors":[{"description":"bad until"}]}`))
			return
		}
	}
	statuses := splitValues(q["statuses"])
	workflows := splitValues(q["workflow_ids"])
	match := make([]*task, 0, len(s.tasks))
	for _, t := range s.tasks {
		if t.CreatedAt.Before(since) || !until.IsZero() && t.CreatedAt.After(until) {
			continue
		}
		if len(statuses) > 0 && !slices.Contains(statuses, "RUNNING") {
			continue
		}
		if len(workflows) > 0 && !slices.Contains(workflows, t.wf.id) {
			continue
		}
		match = append(match, t)
	}
	if strings.EqualFold(q.Get("order_by_direction"), "ASC") {
		slices.Reverse(match)
	}
	limit, offset := pageArgs(q, 50)
	page := window(match, limit, offset)
	cur := offset/limit + 1
	pages := (len(match) + limit - 1) / limit
	var b strings.Builder
	fmt.Fprintf(&b, `{"pagination":{"current_page":%d,"next_page":%d,"num_pages":%d},"rows":[`, cur, cur+1, pages)
	for i, t := range page {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(t.row)
	}
	b.WriteString("]}")
	writeJSON(w, http.StatusOK, []byte(b.String()))
}

// splitValues reads a repeated or comma-separated query parameter.
func splitValues(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, p := range strings.Split(v, ",") {
			if p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func window[T any](all []T, limit, offset int) []T {
	offset = min(offset, len(all))
	return all[offset:min(offset+limit, len(all))]
}

func (s *Server) lookup(w http.ResponseWriter, r *http.Request, name string) (*task, bool) {
	t, ok := s.byID[r.PathValue(name)]
	if !ok {
		notFound(w)
	}
	return t, ok
}

func (s *Server) task(w http.ResponseWriter, r *http.Request) {
	if t, ok := s.lookup(w, r, "task"); ok {
		writeJSON(w, http.StatusOK, t.full)
	}
}

// eventLog answers the bare array of v1-durable-task:event-log:list.
func (s *Server) eventLog(w http.ResponseWriter, r *http.Request) {
	if t, ok := s.lookup(w, r, "task"); ok {
		if _, offset := pageArgs(r.URL.Query(), 1000); offset > 0 {
			writeJSON(w, http.StatusOK, []byte("[]"))
			return
		}
		writeJSON(w, http.StatusOK, t.log)
	}
}

// taskEvents answers an empty list without a limit, as the engine does.
func (s *Server) taskEvents(w http.ResponseWriter, r *http.Request) {
	t, ok := s.lookup(w, r, "task")
	if !ok {
		return
	}
	if r.URL.Query().Get("limit") == "" {
		writeJSON(w, http.StatusOK, []byte(`{"pagination":{},"rows":[]}`))
		return
	}
	writeJSON(w, http.StatusOK, t.events)
}

// events answers v1-event:list: the static workload pushes no events.
func (s *Server) events(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, []byte(`{"pagination":{"current_page":1,"next_page":1,"num_pages":1},"rows":[]}`))
}

// workers answers worker:list: one worker with both actions, its
// heartbeat now.
func (s *Server) workers(w http.ResponseWriter, _ *http.Request) {
	body, err := json.Marshal(map[string]any{"rows": []any{map[string]any{
		"metadata": map[string]any{"id": uid(0xf3, 1), "createdAt": time.Now().UTC(), "updatedAt": time.Now().UTC()},
		"name":     "fake-worker", "type": "SELFHOSTED", "status": "ACTIVE", "lastHeartbeatAt": time.Now().UTC(),
		"actions":    []string{sleeper.action, waiter.action},
		"slotConfig": map[string]any{"default": map[string]int{"limit": 100, "available": 100}, "durable": map[string]int{"limit": 1000, "available": 1000}},
	}}})
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, []byte(`{"message": "encode"}`))
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// logLines: the workload's tasks log nothing.
func (s *Server) logLines(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.lookup(w, r, "task"); ok {
		writeJSON(w, http.StatusOK, []byte(`{"pagination":{"current_page":1,"next_page":1,"num_pages":1},"rows":[]}`))
	}
}

// run answers v1-workflow-run:get of a standalone task's run.
func (s *Server) run(w http.ResponseWriter, r *http.Request) {
	t, ok := s.lookup(w, r, "run")
	if !ok {
		return
	}
	body, err := json.Marshal(map[string]any{
		"run": map[string]any{
			"displayName": t.name, "input": map[string]any{}, "output": map[string]any{},
			"metadata": map[string]any{"id": t.ID, "createdAt": t.CreatedAt, "updatedAt": t.started},
			"status":   "RUNNING", "tenantId": Tenant, "workflowId": t.wf.id,
		},
		"shape":      []any{},
		"taskEvents": []any{},
		"tasks":      []json.RawMessage{t.row},
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// encode builds the task's answers once, in the engine's field names.
func (t *task) encode() error {
	meta := map[string]any{"createdAt": t.CreatedAt, "id": t.ID, "updatedAt": t.started}
	row := map[string]any{
		"actionId":              t.wf.action,
		"additionalMetadata":    map[string]any{"traceparent": fmt.Sprintf("00-%032x-%016x-01", t.idx+1, t.idx+1)},
		"attempt":               1,
		"createdAt":             t.CreatedAt,
		"displayName":           t.name,
		"errorMessage":          "",
		"input":                 map[string]any{},
		"metadata":              meta,
		"numSpawnedChildren":    0,
		"output":                map[string]any{},
		"retryCount":            0,
		"status":                "RUNNING",
		"stepId":                uid(0xf3, t.idx+1),
		"taskExternalId":        t.ID,
		"taskId":                t.idx + 1,
		"taskInsertedAt":        t.CreatedAt,
		"tenantId":              Tenant,
		"type":                  "TASK",
		"workflowId":            t.wf.id,
		"workflowName":          t.wf.name,
		"workflowRunExternalId": t.ID,
		"workflowVersionId":     t.wf.version,
		"startedAt":             t.started,
	}
	var err error
	if t.row, err = json.Marshal(row); err != nil {
		return err
	}
	// v1-task:get adds durability and the workflow version's config.
	row["isDurable"] = true
	row["isEvicted"] = false
	row["workflowConfig"] = map[string]any{
		"Name": t.wf.name, "DefaultPriority": nil, "description": "",
		"Tasks": []any{map[string]any{
			"Action": t.wf.action, "ReadableId": t.wf.name, "Retries": 0, "Timeout": "24h",
			"Parents": []any{}, "isDurable": true, "slotRequests": map[string]any{"durable": 1},
		}},
	}
	if t.full, err = json.Marshal(row); err != nil {
		return err
	}
	wait := map[string]any{"kind": "SLEEP", "sleepDurationMs": time.Hour.Milliseconds()}
	label := "cooling down before retry"
	if t.EventWait {
		wait = map[string]any{"kind": "USER_EVENT", "eventKey": fmt.Sprintf("payment:confirmed:%d", t.idx)}
		label = "awaiting payment confirmation"
	}
	entry := map[string]any{
		"branchId": 1, "nodeId": 1, "kind": "WAIT_FOR", "isSatisfied": false,
		"insertedAt": t.started.Add(10 * time.Millisecond), "taskDisplayName": t.name,
		"taskExternalId": t.ID, "userMessage": label, "waitData": []any{wait},
	}
	if t.log, err = json.Marshal([]any{entry}); err != nil {
		return err
	}
	worker := uid(0xf4, 1)
	ev := func(id int, typ string, at time.Time, withWorker bool) map[string]any {
		e := map[string]any{"id": id, "eventType": typ, "message": "", "timestamp": at, "attempt": 1,
			"retryCount": 0, "taskDisplayName": t.name, "taskId": t.ID}
		if withWorker {
			e["workerId"] = worker
		}
		return e
	}
	events := []map[string]any{ // newest first
		ev(3, "STARTED", t.started, false),
		ev(2, "ASSIGNED", t.started.Add(-50*time.Millisecond), true),
		ev(1, "QUEUED", t.CreatedAt, false),
	}
	t.events, err = json.Marshal(map[string]any{"pagination": map[string]any{}, "rows": events})
	return err
}

// uid is a fixed-format UUID: kind picks the family, n the member.
func uid(kind, n int) string { return fmt.Sprintf("0b1e7c5e-%04x-4000-8000-%012d", kind, n) }

// token is an unsigned JWT whose claims name the fake's tenant and
// addresses, as the engine's tokens do.
func token(apiURL, grpcAddr string) string {
	enc := base64.RawURLEncoding
	claims, _ := json.Marshal(map[string]any{
		"sub": Tenant, "server_url": apiURL, "grpc_broadcast_address": grpcAddr,
		"exp": 4102444800, "token_id": "fake-engine",
	})
	return enc.EncodeToString([]byte(`{"alg":"ES256","kid":"fake","typ":"JWT"}`)) + "." +
		enc.EncodeToString(claims) + "." + enc.EncodeToString([]byte("signature-of-the-fake-engine-0123"))
}

func (s *Server) authorized(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer "+s.Token {
		return status.Error(codes.Unauthenticated, "invalid auth token")
	}
	return nil
}

func (s *Server) unaryAuth(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if err := s.authorized(ctx); err != nil {
		return nil, err
	}
	return h(ctx, req)
}

func (s *Server) streamAuth(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	if err := s.authorized(ss.Context()); err != nil {
		return err
	}
	return h(srv, ss)
}

// dispatcher answers the version and keeps run feeds open without events:
// nothing in the workload finishes or streams.
type dispatcher struct {
	dispatcherpb.UnimplementedDispatcherServer
	s *Server
}

func (d *dispatcher) GetVersion(context.Context, *dispatcherpb.GetVersionRequest) (*dispatcherpb.GetVersionResponse, error) {
	d.s.count(GRPCVersion, 1)
	return &dispatcherpb.GetVersionResponse{Version: Version}, nil
}

func (d *dispatcher) SubscribeToWorkflowEvents(r *dispatcherpb.SubscribeToWorkflowEventsRequest, ss grpc.ServerStreamingServer[dispatcherpb.WorkflowEvent]) error {
	d.s.count(GRPCRunEvents, 1)
	if _, ok := d.s.byID[r.GetWorkflowRunId()]; !ok {
		return status.Error(codes.NotFound, "workflow run not found")
	}
	<-ss.Context().Done()
	return nil
}

func (d *dispatcher) SubscribeToWorkflowRuns(ss grpc.BidiStreamingServer[dispatcherpb.SubscribeToWorkflowRunsRequest, dispatcherpb.WorkflowRunEvent]) error {
	d.s.count(GRPCRunWatches, 1)
	for {
		if _, err := ss.Recv(); err != nil {
			return nil // the client closed its side or went away
		}
		d.s.count(GRPCRunIDsSent, 1)
	}
}

// Dial is the real hatchtop client configured for the fake, as the
// environment of Env would configure it.
func (s *Server) Dial(ctx context.Context, opts ...client.Option) (*client.Client, error) {
	env := s.Env()
	cfg, err := client.LoadConfig(client.ConfigInput{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		return nil, fmt.Errorf("fake engine: client config: %w", err)
	}
	return client.Dial(ctx, cfg, opts...)
}
