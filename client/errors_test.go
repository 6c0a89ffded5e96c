package client

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// hangUpAddr reads what a client sends first, then hangs up without a
// word, as a server does that speaks neither gRPC nor TLS.
func hangUpAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				_ = c.SetReadDeadline(time.Now().Add(time.Second))
				_, _ = io.ReadAtLeast(c, make([]byte, 24), 24) // the HTTP/2 preface
				c.Close()
			}()
		}
	}()
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}

const tlsAdvice = "the server speaks TLS; set " + envTLS + "=tls"

// Issue 9: the advice to turn TLS on comes only when the server's first
// bytes are TLS; never on a hang, a plain hang-up, a refusal, or when the
// client already speaks TLS.
func TestTLSAdviceOnlyWhenTheServerSpeaksTLS(t *testing.T) {
	f, _ := newTLSFakeEngine(t, testToken())
	hangUp, silent, closed := hangUpAddr(t), silentAddr(t), closedAddr(t)
	cases := []struct {
		name   string
		env    []string
		advice bool
		says   string
	}{
		{"plaintext against TLS", nil, true, ""},
		{"plaintext against a hang-up", []string{envHostPort, hangUp}, false, closedUnanswered},
		{"plaintext against a hang", []string{envHostPort, silent}, false, "no answer"},
		{"plaintext against nothing", []string{envHostPort, closed}, false, "connection refused"},
		{"TLS against a hang-up", []string{envHostPort, hangUp, envTLS, "tls"}, false, ""},
		{"TLS against a hang", []string{envHostPort, silent, envTLS, "tls"}, false, "no answer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl := dialFake(t, f, nil, c.env...)
			_, err := cl.Version(ctxTimeout(t, 2*time.Second))
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if got := strings.Contains(msg, tlsAdvice); got != c.advice {
				t.Errorf("advice %v, want %v: %s", got, c.advice, msg)
			}
			if !c.advice && strings.Contains(msg, envTLS+"=tls") {
				t.Errorf("wrong TLS advice: %s", msg)
			}
			if !strings.Contains(msg, c.says) {
				t.Errorf("%s, want it to say %q", msg, c.says)
			}
		})
	}
}

func TestSniffTLSReadsTheFirstBytes(t *testing.T) {
	f, _ := newTLSFakeEngine(t, testToken())
	if yes, _ := sniffTLS(f.grpcAdr); !yes {
		t.Error("a TLS server not recognised")
	}
	for name, addr := range map[string]string{"hang-up": hangUpAddr(t), "silent": silentAddr(t), "closed": closedAddr(t)} {
		start := time.Now()
		if yes, _ := sniffTLS(addr); yes {
			t.Errorf("%s: taken for TLS", name)
		}
		if took := time.Since(start); took > 5*sniffFor {
			t.Errorf("%s: the sniff took %s", name, took) // bounded by its deadline, not by the server
		}
	}
}

func TestTLSSnifferSharesOneAnswer(t *testing.T) {
	now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	calls := 0
	s := &tlsSniffer{seen: map[string]sniffed{}, now: func() time.Time { return now },
		dial: func(string) (bool, error) { calls++; return true, nil }}
	for range 50 {
		if !s.speaksTLS("a:1") {
			t.Fatal("answer lost")
		}
	}
	if calls != 1 {
		t.Errorf("%d sniffs for 50 failures at once", calls)
	}
	now = now.Add(sniffFor)
	s.speaksTLS("a:1")
	if calls != 2 {
		t.Errorf("the answer was kept past %s", sniffFor)
	}
}

func TestReasonNeverGuessesTLS(t *testing.T) {
	for msg, want := range map[string]string{
		`connection error: desc = "error reading server preface: EOF"`:                                       closedUnanswered,
		`connection error: desc = "failed to receive server preface within timeout"`:                         "timed out",
		`connection error: desc = "error reading server preface: context deadline exceeded"`:                 "timed out",
		`net/http: HTTP/1.x transport connection broken: malformed HTTP response "\x15\x03\x01\x00\x02\x02"`: "the server speaks TLS; use an https:// URL",
		`tls: first record does not look like a TLS handshake`:                                               "it does not speak TLS; try " + envTLS + "=none",
	} {
		if got := reason(msg); got != want {
			t.Errorf("reason(%q) = %q, want %q", msg, got, want)
		}
	}
}

// Whatever a dial error says, reason never advises turning TLS on (only a
// sniffed TLS record does) and stays one printable line.
func FuzzReason(f *testing.F) {
	for _, s := range []string{
		`connection error: desc = "error reading server preface: EOF"`,
		`connection error: desc = "failed to receive server preface within timeout"`,
		`transport: authentication handshake failed: EOF`,
		`dial tcp 127.0.0.1:1: connect: connection refused`,
		`malformed HTTP response "\x16\x03\x01"`,
		"tls: first record does not look like a TLS handshake",
		"x509: certificate signed by unknown authority",
		"\x1b[31mserver preface\x07",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		r := reason(clean(msg))
		if strings.Contains(r, envTLS+"=tls") {
			t.Errorf("reason(%q) = %q advises TLS without a sniff", msg, r)
		}
		if strings.ContainsAny(r, "\n\r\x1b\x07") {
			t.Errorf("reason(%q) = %q is not one printable line", msg, r)
		}
	})
}

// Server text in an error is one short printable line: escape sequences
// go whole (not just their ESC), bidi overrides go, and it is cut at 200
// characters.
func TestCleanServerText(t *testing.T) {
	for in, want := range map[string]string{
		"\x1b[31mdenied\x1b[0m  by\n proxy": "denied by proxy",
		"\x1b]0;pwned\x07token expired":     "token expired",
		"pay \u202eevil":                    "pay evil",
		strings.Repeat("é", 201):            strings.Repeat("é", 200) + "…",
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}
