package client

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

// The probe answers when either half of the engine does, and fails, within
// its deadline, only when neither does.
func TestProbe(t *testing.T) {
	f := newFakeEngine(t, testToken())
	closed, silent := closedAddr(t), silentAddr(t)
	cases := []struct {
		name string
		env  []string
		ok   bool
	}{
		{"both up", nil, true},
		{"only the API", []string{envHostPort, closed}, true},
		{"only gRPC", []string{envServerURL, "http://" + closed}, true},
		{"neither", []string{envHostPort, closed, envServerURL, "http://" + closed}, false},
		{"neither answers", []string{envHostPort, silent, envServerURL, "http://" + silent}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := dialFake(t, f, nil, c.env...)
			start := time.Now()
			err := cl.Probe(ctxTimeout(t, 500*time.Millisecond))
			if c.ok != (err == nil) {
				t.Fatalf("probe: %v, want ok=%v", err, c.ok)
			}
			if err != nil && !errors.Is(err, ErrUnreachable) {
				t.Errorf("probe error %v is not ErrUnreachable", err)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("the probe outlived its deadline: %s", took)
			}
		})
	}
}

// ready is the fake's /api/ready: public, as the engine's is.
func (f *fakeEngine) ready(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls["ready"]++
	if r.Header.Get("Authorization") != "" {
		f.calls["ready with a token"]++
	}
	f.mu.Unlock()
	w.Write([]byte(`{"status":"ok"}`))
}

func TestProbeSendsNoTokenToTheReadyRoute(t *testing.T) {
	f := newFakeEngine(t, testToken())
	closed := closedAddr(t)
	cl := dialFake(t, f, nil, envHostPort, closed) // only the API answers
	if err := cl.Probe(ctxTimeout(t, 2*time.Second)); err != nil {
		t.Fatal(err)
	}
	if f.count("ready") != 1 || f.count("ready with a token") != 0 {
		t.Errorf("ready called %d times, %d with the token", f.count("ready"), f.count("ready with a token"))
	}
}
