package client

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"google.golang.org/grpc"
)

// mutating refuses a change up front in read-only mode.
func (c *Client) mutating(what string) error {
	if c.cfg.ReadOnly {
		return fmt.Errorf("%s: %w; nothing was sent", what, ErrReadOnly)
	}
	return nil
}

// The gRPC methods hatchtop may call in read-only mode: none changes the
// engine. Anything else is refused before it leaves the process.
var (
	readUnary  = []string{"/Dispatcher/GetVersion", "/v1.AdminService/GetRunDetails"}
	readStream = []string{"/Dispatcher/SubscribeToWorkflowEvents", "/Dispatcher/SubscribeToWorkflowRuns"}
)

// readOnlyGRPC is the second line of defence behind mutating: interceptors
// that refuse every call outside the read lists.
func readOnlyGRPC() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			if !slices.Contains(readUnary, method) {
				return fmt.Errorf("gRPC %s: %w", method, ErrReadOnly)
			}
			return invoker(ctx, method, req, reply, cc, opts...)
		}),
		grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			if !slices.Contains(readStream, method) {
				return nil, fmt.Errorf("gRPC %s: %w", method, ErrReadOnly)
			}
			return streamer(ctx, desc, cc, method, opts...)
		}),
	}
}

// readOnlyTransport refuses every HTTP request but GET and HEAD.
type readOnlyTransport struct{ next http.RoundTripper }

func (t readOnlyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return nil, fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, ErrReadOnly)
	}
	return t.next.RoundTrip(r)
}
