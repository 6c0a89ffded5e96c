package client

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"
)

// closeCounter is a response body that counts its Close calls.
type closeCounter struct {
	io.Reader
	closed int
}

func (b *closeCounter) Close() error { b.closed++; return nil }

func answerOf(code int, contentType, body string) (*http.Response, *closeCounter) {
	b := &closeCounter{Reader: strings.NewReader(body)}
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return &http.Response{StatusCode: code, Header: h, Body: b}, b
}

// The REST helper turns every answer that is not 200 JSON into the error a
// user reads, naming what was asked for a 404, and always closes the body.
func TestRESTJSONErrors(t *testing.T) {
	cfg := Config{APIURL: "http://api.test", Token: Secret(testToken())}
	c := &Client{cfg: cfg, fail: newFailure(cfg)}
	const api = "the API at http://api.test answered "
	cases := []struct {
		name, contentType, body string
		code                    int
		kind                    error // a sentinel the error must hold, or nil for none
		want                    string
	}{
		{"json error body", "application/json", `{"errors":[{"description":"database is down"}]}`, 500, nil, api + "HTTP 500: database is down"},
		{"json message", "application/json; charset=utf-8", `{"message":"slow down"}`, 429, nil, api + "HTTP 429: slow down"},
		{"html body", "text/html", "<html><h1>502 Bad Gateway</h1></html>", 502, nil, api + "HTTP 502"},
		{"empty body", "", "", 500, nil, api + "HTTP 500"},
		{"not found", "application/json", `{"errors":[{"description":"task not found"}]}`, 404, ErrNotFound, "task t1 not found"},
		{"not found, not JSON", "text/plain", "404 page not found", 404, ErrNotFound, "task t1 not found"},
		{"unauthorized", "application/json", `{"errors":[{"description":"Please provide valid credentials"}]}`, 401, ErrUnauthorized,
			"the engine at http://api.test rejected the token (HTTP 401: Please provide valid credentials)"},
		{"forbidden", "", "", 403, ErrUnauthorized, "the engine at http://api.test rejected the token (HTTP 403)"},
		{"200 not json", "text/html", "<html>the web UI</html>", 200, nil,
			api + `HTTP 200 with "text/html", not JSON: is it Hatchet's API address?`},
		{"200 bad json", "application/json", `{"metadata": 12}`, 200, nil, "the API at http://api.test answered JSON we cannot read: "},
		{"escape in message", "application/json", "{\"message\":\"\\u001b[31mred\"}", 500, nil, api + "HTTP 500: red"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := answerOf(tc.code, tc.contentType, tc.body)
			got, err := restJSON[struct{ Metadata struct{} }](c, "task t1", resp, nil)
			if err == nil || got != nil {
				t.Fatalf("got %v, %v; want an error", got, err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %q, want it to start %q", err, tc.want)
			}
			for _, k := range []error{ErrNotFound, ErrUnauthorized, ErrUnreachable} {
				if is := errors.Is(err, k); is != (k == tc.kind) {
					t.Errorf("errors.Is(%v, %v) = %v", err, k, is)
				}
			}
			if body.closed == 0 {
				t.Error("body left open")
			}
		})
	}

	t.Run("ok", func(t *testing.T) {
		resp, body := answerOf(200, "application/json", `{"name":"n"}`)
		got, err := restJSON[struct{ Name string }](c, "task t1", resp, nil)
		if err != nil || got == nil || got.Name != "n" || body.closed == 0 {
			t.Fatalf("got %+v, %v, closed %d", got, err, body.closed)
		}
	})
	t.Run("unanswered", func(t *testing.T) {
		refused := &url.Error{Op: "Get", URL: "http://api.test/x", Err: syscall.ECONNREFUSED}
		_, err := restJSON[struct{}](c, "task t1", nil, refused)
		if !errors.Is(err, ErrUnreachable) || err.Error() != "cannot reach the engine at http://api.test (connection refused)" {
			t.Errorf("error %v", err)
		}
	})
}
