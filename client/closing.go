package client

import (
	"context"
	"io"
	"net/http"
	"sync"
)

// closingTransport ends every REST request in flight when the client is
// closed: after a switch of tenant none of the old tenant's requests may
// run on until its own timeout. gRPC calls end with the connection.
type closingTransport struct {
	next   http.RoundTripper
	closed context.Context // done when the client closes
}

func (t closingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	stop := context.AfterFunc(t.closed, cancel)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		stop()
		cancel()
		return nil, err
	}
	// The body is read after RoundTrip returns: the request's context
	// lives until it is closed.
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: func() { stop(); cancel() }}
	return resp, nil
}

// releasingBody releases its request's context when closed.
type releasingBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}
