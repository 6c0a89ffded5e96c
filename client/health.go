package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"google.golang.org/grpc"

	"github.com/hatchtop/hatchtop/client/pb/dispatcherpb"
)

// Probe is the cheap health check the dashboard runs while it backs off:
// gRPC's GetVersion and the API's /api/ready at once; nil as soon as
// either answers. The gRPC connection skips what is left of its own
// reconnect backoff and the call waits (within ctx) for it to connect, so
// an engine that is back is seen within a connection attempt.
func (c *Client) Probe(ctx context.Context) error {
	c.conn.ResetConnectBackoff()
	answers := make(chan error, 2)
	go func() {
		_, err := c.dispatch.GetVersion(ctx, &dispatcherpb.GetVersionRequest{}, grpc.WaitForReady(true))
		if err != nil {
			err = c.fail.grpc(c.cfg.GRPCAddr, "version", err)
		}
		answers <- err
	}()
	go func() { answers <- c.ready(ctx) }()
	first := <-answers
	if first == nil {
		return nil
	}
	second := <-answers
	if second == nil {
		return nil
	}
	return fmt.Errorf("health probe: %w", errors.Join(first, second))
}

// ready asks the API whether it is up; it sends no token: the route is
// public and a probe has no need of it.
func (c *Client) ready(ctx context.Context) error {
	url := strings.TrimRight(c.cfg.APIURL, "/") + "/api/ready"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("API address %s: %w", c.cfg.APIURL, err)
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return c.fail.transport(c.cfg.APIURL, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the API at %s is not ready: HTTP %d", c.cfg.APIURL, resp.StatusCode)
	}
	return nil
}
