package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/hatchtop/hatchtop/textsafe"
)

// kindError is one of the sentinel errors with our own wording: errors.Is
// finds both the sentinel and the underlying cause, and Error() says what
// happened and where without repeating the sentinel.
type kindError struct {
	kind  error // ErrUnauthorized, ErrUnreachable or ErrNotFound
	msg   string
	cause error
}

func (e *kindError) Error() string { return e.msg }

func (e *kindError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// failure builds errors that name an address and never hold the token.
type failure struct {
	token Secret
	// plaintext is set for the "none" TLS strategy; tls then tells, when a
	// server closed the connection unanswered, whether it speaks TLS.
	plaintext bool
	tls       *tlsSniffer
}

func newFailure(cfg Config) failure {
	return failure{token: cfg.Token, plaintext: cfg.TLS == TLSNone, tls: newTLSSniffer()}
}

// scrub removes the token (or its signature alone) from text that came
// from elsewhere, in case a server or proxy ever echoes it.
func (f failure) scrub(s string) string {
	tok := f.token.Reveal()
	if tok == "" {
		return s
	}
	s = strings.ReplaceAll(s, tok, redacted)
	if i := strings.LastIndexByte(tok, '.'); i >= 0 && len(tok)-i > 16 {
		s = strings.ReplaceAll(s, tok[i+1:], redacted)
	}
	return s
}

func (f failure) unauthorized(addr, detail string, cause error) error {
	return &kindError{kind: ErrUnauthorized, cause: cause,
		msg: f.scrub(fmt.Sprintf("the engine at %s rejected the token (%s)", addr, detail))}
}

func (f failure) unreachable(addr, detail string, cause error) error {
	return &kindError{kind: ErrUnreachable, cause: cause,
		msg: f.scrub(fmt.Sprintf("cannot reach the engine at %s (%s)", addr, detail))}
}

func (f failure) notFound(what string, cause error) error {
	return &kindError{kind: ErrNotFound, cause: cause, msg: f.scrub(what + " not found")}
}

// grpc classifies an error of a gRPC call to addr.
func (f failure) grpc(addr, what string, err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return f.transport(addr, err)
	}
	msg := clean(f.scrub(st.Message()))
	switch st.Code() {
	case codes.Unauthenticated, codes.PermissionDenied:
		return f.unauthorized(addr, "gRPC "+st.Code().String()+": "+msg, err)
	case codes.Unavailable:
		return f.unreachable(addr, f.dialReason(addr, msg), err)
	case codes.DeadlineExceeded:
		return f.unreachable(addr, "no answer before the deadline", errors.Join(err, context.DeadlineExceeded))
	case codes.Canceled:
		return fmt.Errorf("gRPC call canceled: %w", context.Canceled)
	case codes.NotFound:
		return f.notFound(what, err)
	}
	return fmt.Errorf("%s", f.scrub(fmt.Sprintf("the engine at %s answered gRPC %s: %s", addr, st.Code(), msg)))
}

// transport classifies an error that kept a request from being answered,
// or a 200 answer that did not decode.
func (f failure) transport(addr string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return f.unreachable(addr, "no answer before the deadline", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		// Not from the HTTP client: a 200 answer did not read or decode (restJSON, decodeList).
		return fmt.Errorf("%s", f.scrub(fmt.Sprintf("the API at %s answered JSON we cannot read: %s", addr, clean(f.scrub(err.Error())))))
	}
	// ue.Err leaves out the method and URL.
	return f.unreachable(addr, reason(clean(f.scrub(ue.Err.Error()))), err)
}

// http classifies a REST answer that is not the expected JSON.
func (f failure) http(addr, what string, resp *http.Response, body []byte) error {
	code := resp.StatusCode
	detail := fmt.Sprintf("HTTP %d", code)
	if m := apiMessage([]byte(f.scrub(string(body)))); m != "" {
		detail += ": " + m
	}
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return f.unauthorized(addr, detail, nil)
	case code == http.StatusNotFound:
		return f.notFound(what, errors.New(detail))
	case code >= 200 && code < 300:
		return fmt.Errorf("%s", f.scrub(fmt.Sprintf("the API at %s answered %s with %q, not JSON: is it Hatchet's API address?",
			addr, detail, resp.Header.Get("Content-Type"))))
	}
	return fmt.Errorf("%s", f.scrub(fmt.Sprintf("the API at %s answered %s", addr, detail)))
}

// apiMessage extracts the engine's error text: {"message": …} or
// {"errors": [{"description": …}]}.
func apiMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
		Errors  []struct {
			Description string `json:"description"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	if e.Message == "" && len(e.Errors) > 0 {
		e.Message = e.Errors[0].Description
	}
	return clean(e.Message)
}

// closedUnanswered is the reason for a server that hung up before it said
// anything a gRPC client understands.
const closedUnanswered = "it closed the connection before answering"

// dialReason is reason, plus the TLS advice when it is right: a plaintext
// client was hung up on by a server whose first bytes are TLS. A hang, a
// refusal or a client already on TLS never gets it.
func (f failure) dialReason(addr, msg string) string {
	r := reason(msg)
	if r == closedUnanswered && f.plaintext && f.tls.speaksTLS(addr) {
		return "the server speaks TLS; set " + envTLS + "=tls"
	}
	return r
}

// reason shortens a dial error to what a user can act on. It guesses at
// nothing: advice about TLS comes only from what the server sent.
func reason(msg string) string {
	l := strings.ToLower(msg)
	switch {
	case strings.Contains(l, "connection refused"):
		return "connection refused"
	case strings.Contains(l, "no such host") || strings.Contains(l, "produced zero addresses"):
		return "unknown host"
	case strings.Contains(l, "does not look like a tls handshake"):
		return "it does not speak TLS; try " + envTLS + "=none"
	case strings.Contains(l, "server gave http response to https client"):
		return "it does not speak TLS; use an http:// URL"
	case strings.Contains(l, `malformed http response "\x15\x03`) || strings.Contains(l, `malformed http response "\x16\x03`):
		return "the server speaks TLS; use an https:// URL" // a TLS record where HTTP was expected
	case strings.Contains(l, "timeout") || strings.Contains(l, "deadline exceeded"):
		return "timed out" // before the TLS cases: a hang is no handshake failure
	case strings.Contains(l, "x509") || strings.Contains(l, "tls:") || strings.Contains(l, "handshake"):
		return "TLS handshake failed: " + tlsDetail(msg)
	case strings.Contains(l, "server preface"):
		return closedUnanswered
	case strings.Contains(l, "connection reset") || strings.Contains(l, "eof"):
		return "the connection was closed: " + msg
	}
	return msg
}

// tlsSniffer tells whether a server speaks TLS by what it answers a TLS
// hello, remembering the answer a little while: many calls fail at once.
type tlsSniffer struct {
	mu   sync.Mutex
	seen map[string]sniffed
	now  func() time.Time
	dial func(addr string) (bool, error) // sniffTLS; tests replace it
}

type sniffed struct {
	at  time.Time
	tls bool
}

// sniffFor is how long an answer is kept and how long one sniff may take.
const sniffFor = time.Second

func newTLSSniffer() *tlsSniffer {
	return &tlsSniffer{seen: map[string]sniffed{}, now: time.Now, dial: sniffTLS}
}

func (s *tlsSniffer) speaksTLS(addr string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock() // held across the sniff: concurrent failures share one
	if v, ok := s.seen[addr]; ok && s.now().Sub(v.at) < sniffFor {
		return v.tls
	}
	yes, _ := s.dial(addr)
	s.seen[addr] = sniffed{at: s.now(), tls: yes}
	return yes
}

// errSniffed ends a sniffing handshake once the server has spoken.
var errSniffed = errors.New("sniffed")

// sniffTLS sends a TLS hello to addr and reports whether the first bytes
// back are a TLS handshake record (0x16 0x03). The handshake stops at the
// server's certificate: nothing is sent after the hello, nothing trusted.
func sniffTLS(addr string) (bool, error) {
	conn, err := net.DialTimeout("tcp", addr, sniffFor)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(sniffFor)); err != nil {
		return false, err
	}
	rec := &firstBytes{Conn: conn}
	host, _, _ := net.SplitHostPort(addr)
	cfg := &tls.Config{
		ServerName: host,
		// Verification is replaced by a refusal of every certificate: the
		// connection never carries anything.
		InsecureSkipVerify:    true, //nolint:gosec // see above
		VerifyPeerCertificate: func([][]byte, [][]*x509.Certificate) error { return errSniffed },
	}
	err = tls.Client(rec, cfg).Handshake()
	return len(rec.got) == 2 && rec.got[0] == 0x16 && rec.got[1] == 0x03, err
}

// firstBytes keeps the first two bytes read from a connection.
type firstBytes struct {
	net.Conn
	got []byte
}

func (c *firstBytes) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if k := min(n, 2-len(c.got)); k > 0 {
		c.got = append(c.got, p[:k]...)
	}
	return n, err
}

// tlsDetail keeps the innermost reason of a TLS failure ("certificate
// signed by unknown authority") out of grpc's wrapping.
func tlsDetail(msg string) string {
	for _, p := range []string{"x509: ", "tls: "} {
		if i := strings.LastIndex(msg, p); i >= 0 {
			return strings.TrimRight(msg[i+len(p):], `"`)
		}
	}
	return msg
}

// clean keeps server text to one short printable line.
func clean(s string) string { return textsafe.Line(s, 200) }
