package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
)

const userAgent = "hatchtop"

// keepaliveParams ping an idle connection every 20 s: the engine answers
// pings more often than every 5 s with GOAWAY, and grpc-go refuses < 10 s.
var keepaliveParams = keepalive.ClientParameters{
	Time:                20 * time.Second,
	Timeout:             10 * time.Second,
	PermitWithoutStream: true,
}

// reconnectParams cap grpc's own reconnect backoff at 1 s (its default
// grows to 2 min): calls fail at once while the connection is down, so an
// engine back from an outage would otherwise stay unreachable to the
// probe and the feeds long after it answers again.
var reconnectParams = grpc.ConnectParams{
	Backoff:           backoff.Config{BaseDelay: 250 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: time.Second},
	MinConnectTimeout: 5 * time.Second,
}

// grpcOptions secures the connection per the TLS strategy and sends the
// token with every call.
func grpcOptions(cfg Config) ([]grpc.DialOption, error) {
	creds := insecure.NewCredentials()
	if cfg.TLS != TLSNone {
		tc, err := tlsConfig(cfg)
		if err != nil {
			return nil, err
		}
		tc.ServerName = cfg.ServerName
		creds = credentials.NewTLS(tc)
	}
	return []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithPerRPCCredentials(bearer{token: cfg.Token, secure: cfg.TLS != TLSNone}),
		grpc.WithKeepaliveParams(keepaliveParams),
		grpc.WithUserAgent(userAgent),
	}, nil
}

// bearer puts "authorization: Bearer <jwt>" in each call's metadata.
type bearer struct {
	token  Secret
	secure bool // false only for the "none" strategy, else grpc refuses plaintext
}

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.token.Reveal()}, nil
}

func (b bearer) RequireTransportSecurity() bool { return b.secure }

// httpClient bounds each phase of a REST call; callers' contexts bound the
// whole. An https API is verified with the same root CA, client
// certificate and minimum version as gRPC, and under the configured server
// name when one was set (else under its URL's host).
func httpClient(cfg Config) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = 5 * time.Second
	tr.ResponseHeaderTimeout = 30 * time.Second
	tr.MaxIdleConnsPerHost = 8
	tc, err := tlsConfig(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.ServerNameSet {
		tc.ServerName = cfg.ServerName
	}
	tr.TLSClientConfig = tc
	return &http.Client{Transport: tr, Timeout: time.Minute}, nil
}

// tlsConfig trusts the system's roots plus the configured root CA, so one
// setting serves an engine whose gRPC and REST certificates differ, and
// presents the client certificate when one is configured.
func tlsConfig(cfg Config) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: max(cfg.MinVersion, tls.VersionTLS12)}
	if cert, ok, err := clientCertificate(cfg); err != nil {
		return nil, err
	} else if ok {
		tc.Certificates = []tls.Certificate{cert}
	}
	if cfg.RootCAFile == "" && cfg.RootCA == "" {
		return tc, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	pem, source := []byte(cfg.RootCA), envRootCA
	if cfg.RootCAFile != "" {
		if pem, err = os.ReadFile(cfg.RootCAFile); err != nil {
			return nil, fmt.Errorf("read root CA: %w", err)
		}
		source = cfg.RootCAFile
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("root CA %s holds no PEM certificate", source)
	}
	tc.RootCAs = pool
	return tc, nil
}

// clientCertificate loads the configured certificate and key, files first
// as the SDKs do. Its errors name the files, never the key's content.
func clientCertificate(cfg Config) (tls.Certificate, bool, error) {
	certPEM, certFrom := []byte(cfg.Cert), envCert
	keyPEM, keyFrom := []byte(cfg.Key.Reveal()), envKey
	var err error
	if cfg.CertFile != "" {
		if certPEM, err = os.ReadFile(cfg.CertFile); err != nil {
			return tls.Certificate{}, false, fmt.Errorf("read client certificate: %w", err)
		}
		certFrom = cfg.CertFile
	}
	if cfg.KeyFile != "" {
		if keyPEM, err = os.ReadFile(cfg.KeyFile); err != nil {
			return tls.Certificate{}, false, fmt.Errorf("read client key: %w", err)
		}
		keyFrom = cfg.KeyFile
	}
	if len(certPEM) == 0 && len(keyPEM) == 0 {
		return tls.Certificate{}, false, nil
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// The library's message says which half is wrong, not what it holds.
		return tls.Certificate{}, false, fmt.Errorf("client certificate %s with key %s: %s",
			certFrom, keyFrom, strings.TrimPrefix(err.Error(), "tls: "))
	}
	return cert, true, nil
}
