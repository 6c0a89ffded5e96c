package client

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// grpcWithout serves gRPC with no Hatchet service: only the standard
// health service, like many a gRPC server that is not Hatchet.
func grpcWithout(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// Only a real answer to GetVersion proves an engine: a gRPC server that
// answers Unimplemented, or a plain HTTP server, is refused at start with
// one line naming the address, before any REST call.
func TestCheckRefusesWhatIsNotAnEngine(t *testing.T) {
	f := newFakeEngine(t, testToken())
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>hello</html>"))
	}))
	t.Cleanup(web.Close)
	webAddr := strings.TrimPrefix(web.URL, "http://")
	for name, addr := range map[string]string{
		"gRPC without Hatchet": grpcWithout(t),
		"plain HTTP":           webAddr,
	} {
		t.Run(name, func(t *testing.T) {
			c := dialFake(t, f, nil, envHostPort, addr)
			before := f.count("list")
			err := c.Check(ctxTimeout(t, 5*time.Second))
			if err == nil {
				t.Fatal("check accepted it")
			}
			want := addr + " answered but is not a Hatchet engine ("
			if !strings.HasPrefix(err.Error(), want) || !errors.Is(err, ErrNotAnEngine) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("check: %q, want one line starting %q", err, want)
			}
			if errors.Is(err, ErrUnreachable) || errors.Is(err, ErrUnauthorized) {
				t.Errorf("%v is not unreachable nor a rejected token", err)
			}
			if f.count("list") != before {
				t.Error("check went on to REST after the version call failed")
			}
			assertNoToken(t, err, testToken())
		})
	}
}
