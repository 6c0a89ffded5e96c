package client

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// claims are the parts of a Hatchet API token we use as defaults. The
// payload is read without checking the signature: the engine does that.
type claims struct {
	Subject   string // the tenant id
	ServerURL string
	GRPCAddr  string
	ExpiresAt time.Time
}

// decodeClaims reads a JWT's payload. Its errors never quote the token.
func decodeClaims(token string) (claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims{}, errors.New("want three base64url parts separated by dots")
	}
	// Some encoders pad; RawURLEncoding refuses padding.
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return claims{}, errors.New("the payload is not base64url")
	}
	var p struct {
		Sub       string   `json:"sub"`
		ServerURL string   `json:"server_url"`
		GRPCAddr  string   `json:"grpc_broadcast_address"`
		Exp       *float64 `json:"exp"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return claims{}, errors.New("the payload is not a JSON object of claims")
	}
	c := claims{Subject: p.Sub, ServerURL: p.ServerURL, GRPCAddr: p.GRPCAddr}
	if p.Exp != nil {
		c.ExpiresAt = time.Unix(int64(*p.Exp), 0).UTC()
	}
	return c, nil
}
