package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
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
		return f.unreachable(addr, reason(msg), err)
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
		// Not from the HTTP client: the generated client failed to decode.
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

// reason shortens a dial error to what a user can act on.
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
	case strings.Contains(l, "x509") || strings.Contains(l, "tls:") || strings.Contains(l, "handshake"):
		return "TLS handshake failed: " + tlsDetail(msg)
	case strings.Contains(l, "server preface"):
		return "it closed the connection; if it expects TLS, set " + envTLS + "=tls"
	case strings.Contains(l, "timeout") || strings.Contains(l, "deadline exceeded"):
		return "timed out"
	case strings.Contains(l, "connection reset") || strings.Contains(l, "eof"):
		return "the connection was closed: " + msg
	}
	return msg
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
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
