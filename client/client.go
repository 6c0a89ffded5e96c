package client

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/hatchet-dev/hatchet/pkg/client/rest"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
	"github.com/hatchtop/hatchtop/client/pb/eventspb"
	"github.com/hatchtop/hatchtop/client/pb/v1pb"
)

// Client is an Engine backed by a real Hatchet engine: gRPC with our own
// stubs, REST through Hatchet's generated client. It is safe for
// concurrent use.
type Client struct {
	cfg      Config
	tenant   uuid.UUID
	conn     *grpc.ClientConn
	dispatch dispatcherpb.DispatcherClient
	events   eventspb.EventsServiceClient
	admin    v1pb.AdminServiceClient
	http     *http.Client
	stop     context.CancelFunc // ends the REST requests in flight (Close)
	api      *rest.ClientWithResponses
	fail     failure
	pageSize int64 // tasks per list page
	logPage  int64 // entries per event-log page

	mu      sync.Mutex
	durable map[string]bool // workflow version + action id -> durable
	watches []*RunWatch     // closed with the client
	closed  bool
	pages   sync.Pool // *bytes.Buffer reused by every list answer (listpage.go)
}

var _ Engine = (*Client)(nil)

// Option adjusts Dial (tests ask for small pages).
type Option func(*dialSettings)

type dialSettings struct {
	pageSize int64
	logPage  int64
}

// WithPageSize sets how many rows one REST page asks for, both of the
// task list and of an event log.
func WithPageSize(n int) Option {
	return func(s *dialSettings) {
		if n > 0 {
			s.pageSize, s.logPage = int64(n), int64(n)
		}
	}
}

const (
	// defaultPageSize keeps a list page small and its COUNT cheap while
	// needing one request for most tenants.
	defaultPageSize = 200
	// defaultLogPage is the engine's own default for the event log.
	defaultLogPage = 1000
)

// Dial prepares the gRPC and REST clients. It does no I/O (connections are
// made on first use); call Check to prove the engine answers.
func Dial(_ context.Context, cfg Config, opts ...Option) (*Client, error) {
	s := dialSettings{pageSize: defaultPageSize, logPage: defaultLogPage}
	for _, o := range opts {
		o(&s)
	}
	tenant, err := uuid.Parse(cfg.TenantID)
	if err != nil {
		return nil, fmt.Errorf("tenant id %q is not a UUID", cfg.TenantID)
	}
	gopts, err := grpcOptions(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.ReadOnly {
		gopts = append(gopts, readOnlyGRPC()...)
	}
	conn, err := grpc.NewClient(cfg.GRPCAddr, gopts...)
	if err != nil {
		return nil, fmt.Errorf("engine address %s: %w", cfg.GRPCAddr, err)
	}
	hc, err := httpClient(cfg)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if cfg.ReadOnly {
		hc.Transport = readOnlyTransport{next: hc.Transport}
	}
	closed, stop := context.WithCancel(context.Background())
	hc.Transport = closingTransport{next: hc.Transport, closed: closed}
	api, err := rest.NewClientWithResponses(cfg.APIURL,
		rest.WithHTTPClient(hc),
		rest.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+cfg.Token.Reveal())
			req.Header.Set("User-Agent", userAgent)
			return nil
		}))
	if err != nil {
		stop()
		conn.Close()
		return nil, fmt.Errorf("API address %s: %w", cfg.APIURL, err)
	}
	return &Client{
		cfg:      cfg,
		tenant:   tenant,
		conn:     conn,
		dispatch: dispatcherpb.NewDispatcherClient(conn),
		events:   eventspb.NewEventsServiceClient(conn),
		admin:    v1pb.NewAdminServiceClient(conn),
		http:     hc,
		stop:     stop,
		api:      api,
		fail:     newFailure(cfg),
		pageSize: s.pageSize,
		logPage:  s.logPage,
		durable:  map[string]bool{},
	}, nil
}

// Info implements Engine.
func (c *Client) Info() Info { return c.cfg.Info() }

// Close implements Engine. Every request in flight ends with it, REST and
// gRPC, with an error.
func (c *Client) Close() error {
	c.mu.Lock()
	watches := c.watches
	c.watches, c.closed = nil, true
	c.mu.Unlock()
	for _, w := range watches {
		w.Close()
	}
	c.stop()
	c.http.CloseIdleConnections()
	return c.conn.Close()
}

// Version implements Engine with Dispatcher.GetVersion.
func (c *Client) Version(ctx context.Context) (string, error) {
	resp, err := c.dispatch.GetVersion(ctx, &dispatcherpb.GetVersionRequest{})
	if err != nil {
		return "", fmt.Errorf("engine version: %w", c.fail.grpc(c.cfg.GRPCAddr, "version", err))
	}
	return resp.GetVersion(), nil
}

// ErrNotAnEngine is returned by Check when the gRPC address answers but
// not as a Hatchet engine would.
var ErrNotAnEngine = errors.New("not a Hatchet engine")

// Check is the startup probe: the gRPC endpoint answers the version call
// and accepts the token, and so does the REST API. Only a real answer to
// GetVersion proves an engine: Unimplemented comes from any gRPC server.
// Its errors are one line meant for the user, naming the address at fault.
func (c *Client) Check(ctx context.Context) error {
	if _, err := c.dispatch.GetVersion(ctx, &dispatcherpb.GetVersionRequest{}); err != nil {
		if why, ok := notAnEngine(err); ok {
			return &kindError{kind: ErrNotAnEngine, cause: err,
				msg: c.fail.scrub(fmt.Sprintf("%s answered but is not a Hatchet engine (%s)", c.cfg.GRPCAddr, why))}
		}
		err = c.fail.grpc(c.cfg.GRPCAddr, "version", err)
		if errors.Is(err, ErrUnreachable) {
			if why := c.tlsRefusal(ctx); why != "" {
				return c.fail.unreachable(c.cfg.GRPCAddr, why, err)
			}
		}
		return c.explain(err)
	}
	if _, err := c.listPage(ctx, time.Now().Add(-time.Minute), 1, 0); err != nil {
		return c.explain(err)
	}
	return nil
}

// notAnEngine recognises the answers of a server that is not Hatchet's
// gRPC endpoint: a gRPC server without the Dispatcher service, an HTTP/1
// server, an HTTP/2 server that is not gRPC.
func notAnEngine(err error) (why string, ok bool) {
	st, isStatus := status.FromError(err)
	if !isStatus {
		return "", false
	}
	msg := clean(st.Message())
	l := strings.ToLower(msg)
	switch {
	case st.Code() == codes.Unimplemented:
		return "gRPC Unimplemented: " + msg, true
	case strings.Contains(l, "looked like an http/1.1 header"):
		return "it answered HTTP/1.1, not gRPC; is this the API's address?", true
	case strings.Contains(l, "unexpected http status code") || strings.Contains(l, "malformed header") ||
		strings.Contains(l, "unexpected content-type"):
		return "it answered HTTP/2 that is not gRPC: " + msg, true
	}
	return "", false
}

// tlsRefusal tells, after a failed call, whether the gRPC endpoint
// refused our TLS client: no certificate, or one it does not trust. Under
// TLS 1.3 that refusal comes after the handshake, so gRPC may only have
// seen a broken pipe; one handshake and read of our own hears the alert.
func (c *Client) tlsRefusal(ctx context.Context) string {
	if c.cfg.TLS == TLSNone {
		return ""
	}
	tc, err := tlsConfig(c.cfg)
	if err != nil {
		return ""
	}
	tc.ServerName = c.cfg.ServerName
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := (&tls.Dialer{Config: tc}).DialContext(ctx, "tcp", c.cfg.GRPCAddr)
	if err != nil {
		return ""
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetReadDeadline(deadline)
	_, err = conn.Read(make([]byte, 1))
	// Only an alert from the engine counts; its text is from TLS's table.
	if err == nil || !strings.Contains(err.Error(), "remote error: tls: ") {
		return ""
	}
	msg := err.Error()
	msg = msg[strings.LastIndex(msg, "tls: ")+len("tls: "):]
	switch {
	case strings.Contains(msg, "certificate required") && (c.cfg.CertFile != "" || c.cfg.Cert != ""):
		// Go sends no certificate the engine's list of CAs does not cover.
		return fmt.Sprintf("TLS handshake failed: the engine refused the client certificate %s: it is not signed by a CA the engine trusts",
			first(c.cfg.CertFile, envCert))
	case strings.Contains(msg, "certificate required"):
		return fmt.Sprintf("TLS handshake failed: %s; the engine wants a client certificate: set %s=mtls with %s and %s",
			msg, envTLS, envCertFile, envKeyFile)
	}
	if c.cfg.CertFile != "" || c.cfg.Cert != "" {
		return fmt.Sprintf("TLS handshake failed: the engine refused the client certificate %s: %s", first(c.cfg.CertFile, envCert), msg)
	}
	return "TLS handshake failed: " + msg
}

// explain adds the likely cause to a rejected token.
func (c *Client) explain(err error) error {
	if errors.Is(err, ErrUnauthorized) && !c.cfg.ExpiresAt.IsZero() && c.cfg.ExpiresAt.Before(time.Now()) {
		return fmt.Errorf("%w; the token expired at %s", err, c.cfg.ExpiresAt.Format(time.RFC3339))
	}
	return err
}
