package client

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/hatchtop/hatchtop/engine"
)

// Environment variables read by LoadConfig; the names are the Hatchet SDKs'.
const (
	envToken      = "HATCHET_CLIENT_TOKEN"
	envHostPort   = "HATCHET_CLIENT_HOST_PORT"
	envServerURL  = "HATCHET_CLIENT_SERVER_URL"
	envTenantID   = "HATCHET_CLIENT_TENANT_ID"
	envNamespace  = "HATCHET_CLIENT_NAMESPACE"
	envTLS        = "HATCHET_CLIENT_TLS_STRATEGY"
	envRootCAFile = "HATCHET_CLIENT_TLS_ROOT_CA_FILE"
	envRootCA     = "HATCHET_CLIENT_TLS_ROOT_CA"
	envServerName = "HATCHET_CLIENT_TLS_SERVER_NAME"
	envCertFile   = "HATCHET_CLIENT_TLS_CERT_FILE"
	envKeyFile    = "HATCHET_CLIENT_TLS_KEY_FILE"
	envCert       = "HATCHET_CLIENT_TLS_CERT"
	envKey        = "HATCHET_CLIENT_TLS_KEY"
	envMinVersion = "HATCHET_CLIENT_TLS_MIN_VERSION"
)

// TLSStrategy says how the gRPC connection is secured.
type TLSStrategy string

// The SDKs' strategies.
const (
	TLSOn   TLSStrategy = "tls"
	TLSMTLS TLSStrategy = "mtls" // TLS with a client certificate, which the engine may require
	TLSNone TLSStrategy = "none" // plaintext, for local engines
)

// Config is everything needed to reach one tenant of one engine. Its Token
// never prints, so a Config can be logged whole.
type Config struct {
	Token      Secret
	TenantID   string
	GRPCAddr   string // host:port
	APIURL     string // REST base, no trailing slash
	Namespace  string // "" or lowercased with a trailing "_"
	TLS        TLSStrategy
	RootCAFile string // extra root CA (PEM file), trusted besides the system's
	RootCA     string // the same, inline PEM
	ServerName string // TLS server name; the host of GRPCAddr by default
	// ServerNameSet says ServerName was configured rather than derived: the
	// REST API is then verified under it too (else under its URL's host).
	ServerNameSet bool
	CertFile      string // client certificate (PEM file), presented to gRPC and REST
	KeyFile       string // its private key (PEM file)
	Cert          string // the certificate inline (PEM)
	Key           Secret // the key inline (PEM); never printed
	MinVersion    uint16 // lowest TLS version; tls.VersionTLS12 unless set
	Profile       string // the CLI profile the settings came from, if any
	ExpiresAt     time.Time
	ReadOnly      bool // refuse every change, in the client and its transports
}

// String describes the config for logs, without the token.
func (c Config) String() string {
	s := fmt.Sprintf("grpc=%s api=%s tenant=%s tls=%s", c.GRPCAddr, c.APIURL, c.TenantID, c.TLS)
	if c.ServerName != "" {
		s += " server_name=" + c.ServerName
	}
	if c.CertFile != "" || c.Cert != "" {
		s += " client_cert=" + first(c.CertFile, "inline")
	}
	if c.Namespace != "" {
		s += " namespace=" + c.Namespace
	}
	if c.Profile != "" {
		s += " profile=" + c.Profile
	}
	if !c.ExpiresAt.IsZero() {
		s += " token_expires=" + c.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return s + " token=" + redacted
}

// GoString keeps %#v from printing the fields one by one.
func (c Config) GoString() string { return "client.Config{" + c.String() + "}" }

// Info is the static description of the engine this config points at.
func (c Config) Info() Info {
	return Info{GRPCAddr: c.GRPCAddr, APIURL: c.APIURL, TenantID: c.TenantID, Namespace: c.Namespace, Profile: c.Profile}
}

// ConfigInput is what LoadConfig reads, passed in so that it stays testable.
type ConfigInput struct {
	Getenv  func(string) string // os.Getenv; nil means an empty environment
	Home    string              // the user's home, for ~/.hatchet/
	Profile string              // --profile; "" picks one only when no token is set
	// Environment takes the HATCHET_CLIENT_* variables alone, as the
	// switcher's "environment" does, whatever profiles exist.
	Environment bool
}

// ErrNoToken is returned when neither the environment nor a profile gives a token.
var ErrNoToken = errors.New("no token: set " + envToken + " or use --profile")

// settings are the raw values of one source (environment or profile),
// before token claims fill the gaps.
type settings struct {
	token     string
	tokenName string // how errors name the token's origin
	tenant    string
	hostPort  string
	serverURL string
	tls       string
	tlsName   string // how errors name the strategy's origin
	profile   string
	// hatchtop's own profile fields; empty from the environment
	rootCAFile, certFile, keyFile, serverName string
}

// LoadConfig builds a Config. Precedence: an explicit --profile, else
// HATCHET_CLIENT_TOKEN with the other HATCHET_CLIENT_* variables, else the
// CLI's default (or only) profile. Claims of the token fill whatever is
// still unset. A profile's own values win over the environment's; the
// namespace and the TLS files and server name, which the CLI's profiles
// lack, come from the environment unless the profile has hatchtop's own
// tlsRootCAFile, tlsCertFile, tlsKeyFile or tlsServerName. Errors are one
// line and never hold the token or a key.
func LoadConfig(in ConfigInput) (Config, error) {
	getenv := in.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }

	s, err := chooseSource(in, env)
	if err != nil {
		return Config{}, err
	}
	cl, err := decodeClaims(s.token)
	if err != nil {
		return Config{}, fmt.Errorf("%s is not a JWT (%v)", s.tokenName, err)
	}
	cfg := Config{
		Token:      Secret(s.token),
		TenantID:   first(s.tenant, cl.Subject),
		GRPCAddr:   first(s.hostPort, cl.GRPCAddr),
		APIURL:     strings.TrimRight(first(s.serverURL, cl.ServerURL), "/"),
		RootCAFile: first(s.rootCAFile, env(envRootCAFile)),
		RootCA:     env(envRootCA),
		CertFile:   first(s.certFile, env(envCertFile)),
		KeyFile:    first(s.keyFile, env(envKeyFile)),
		Cert:       env(envCert),
		Key:        Secret(env(envKey)),
		Profile:    s.profile,
		ExpiresAt:  cl.ExpiresAt,
	}
	if ns := env(envNamespace); ns != "" {
		cfg.Namespace = strings.ToLower(ns) + "_"
	}
	if cfg.TLS, err = parseTLS(s.tls, s.tlsName); err != nil {
		return Config{}, err
	}
	if cfg.MinVersion, err = parseMinVersion(env(envMinVersion)); err != nil {
		return Config{}, err
	}
	if err := cfg.validate(s); err != nil {
		return Config{}, err
	}
	if err := cfg.validateTLS(s); err != nil {
		return Config{}, err
	}
	host, _, _ := net.SplitHostPort(cfg.GRPCAddr)
	name := first(s.serverName, env(envServerName))
	cfg.ServerName, cfg.ServerNameSet = first(name, host), name != ""
	if in.Environment {
		cfg.Profile = engine.EnvironmentProfile // for the header, after a switch to it
	}
	return cfg, nil
}

// chooseSource picks where the settings come from.
func chooseSource(in ConfigInput, env func(string) string) (settings, error) {
	if in.Profile != "" {
		pf, err := readProfiles(in.Home, env)
		if err != nil {
			return settings{}, fmt.Errorf("--profile %s: %w", printable(in.Profile), err)
		}
		p, err := pf.lookup(in.Profile)
		if err != nil {
			return settings{}, err
		}
		return p.settings()
	}
	tok := env(envToken)
	if in.Environment && tok == "" {
		return settings{}, fmt.Errorf("the environment has no token: %s is not set", envToken)
	}
	if tok != "" {
		return settings{
			token: tok, tokenName: envToken,
			tenant: env(envTenantID), hostPort: env(envHostPort), serverURL: env(envServerURL),
			tls: env(envTLS), tlsName: envTLS,
		}, nil
	}
	pf, err := readProfiles(in.Home, env)
	if err != nil || len(pf.profiles) == 0 {
		// A broken or absent profiles file is not what the user asked for:
		// report the missing token.
		return settings{}, ErrNoToken
	}
	p, ok := pf.implicit()
	if !ok {
		return settings{}, fmt.Errorf("%w (profiles: %s)", ErrNoToken, strings.Join(pf.names(), ", "))
	}
	return p.settings()
}

func (c Config) validate(s settings) error {
	from := func(envName string) string {
		if s.profile != "" {
			return fmt.Sprintf("profile %q", s.profile)
		}
		return envName
	}
	if c.TenantID == "" {
		return fmt.Errorf("no tenant id: the token has no sub claim; set %s", envTenantID)
	}
	if _, err := uuid.Parse(c.TenantID); err != nil {
		return fmt.Errorf("tenant id %q (from %s or the token) is not a UUID", c.TenantID, from(envTenantID))
	}
	if c.GRPCAddr == "" {
		return fmt.Errorf("no engine address: the token has no grpc_broadcast_address; set %s", envHostPort)
	}
	if _, port, err := net.SplitHostPort(c.GRPCAddr); err != nil || port == "" {
		return fmt.Errorf("engine address %q (from %s or the token) is not host:port", c.GRPCAddr, from(envHostPort))
	}
	if c.APIURL == "" {
		return fmt.Errorf("no API address: the token has no server_url; set %s", envServerURL)
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("API address %q (from %s or the token) is not an http(s) URL", c.APIURL, from(envServerURL))
	}
	return nil
}

func parseTLS(v, name string) (TLSStrategy, error) {
	switch strings.ToLower(v) {
	case "", string(TLSOn):
		return TLSOn, nil
	case string(TLSMTLS):
		return TLSMTLS, nil
	case string(TLSNone):
		return TLSNone, nil
	}
	return "", fmt.Errorf("%s %q is not one of tls, mtls, none", name, v)
}

// parseMinVersion reads the SDKs' "1.2" / "1.3"; unset is TLS 1.2, which
// every engine's TLS 1.3 default satisfies too.
func parseMinVersion(v string) (uint16, error) {
	switch strings.NewReplacer("tls", "", "_", "", "v", "").Replace(strings.ToLower(v)) {
	case "", "1.2", "12":
		return tls.VersionTLS12, nil
	case "1.3", "13":
		return tls.VersionTLS13, nil
	}
	return 0, fmt.Errorf("%s %q is not 1.2 or 1.3", envMinVersion, v)
}

// validateTLS checks that a client certificate comes with its key, and
// that mtls has one. Files are read when dialling.
func (c Config) validateTLS(s settings) error {
	certFrom, keyFrom, strategy := envCertFile, envKeyFile, envTLS+"=mtls"
	if s.profile != "" {
		strategy = s.tlsName + " mtls"
		certFrom = fmt.Sprintf("%s (or profile %q tlsCertFile)", envCertFile, s.profile)
		keyFrom = fmt.Sprintf("%s (or profile %q tlsKeyFile)", envKeyFile, s.profile)
	}
	hasCert, hasKey := c.CertFile != "" || c.Cert != "", c.KeyFile != "" || c.Key != ""
	switch {
	case c.TLS == TLSMTLS && !hasCert && !hasKey:
		return fmt.Errorf("%s needs a client certificate: set %s and %s", strategy, certFrom, keyFrom)
	case hasCert && !hasKey:
		return fmt.Errorf("a client certificate needs its key: set %s", keyFrom)
	case hasKey && !hasCert:
		return fmt.Errorf("a client key needs its certificate: set %s", certFrom)
	}
	return nil
}

// first returns the first non-empty value.
func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
