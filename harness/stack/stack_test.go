package stack

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLineSignal(t *testing.T) {
	l := newLineSignal("worker ready")
	for _, chunk := range []string{"starting\nwork", "er re", "ady"} {
		if _, err := l.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-l.seen:
		t.Fatal("signalled before the line was complete")
	default:
	}
	_, _ = l.Write([]byte("\nmore\n"))
	select {
	case <-l.seen:
	default:
		t.Fatal("not signalled after the ready line")
	}
	_, _ = l.Write([]byte("worker ready\n")) // a second match must not panic
}

func TestTailFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.log")
	var b strings.Builder
	for i := range 50 {
		b.WriteString(strings.Repeat("x", i%7) + "\n")
	}
	b.WriteString("last\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	got := strings.Split(tailFile(path, 3), "\n")
	if len(got) != 3 || got[2] != "last" {
		t.Fatalf("tail = %q", got)
	}
	if !strings.Contains(tailFile(filepath.Join(t.TempDir(), "missing"), 3), "cannot read log") {
		t.Fatal("a missing log should say so")
	}
}

func TestTokenSubject(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	tok := enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`{"sub":"tenant-1","server_url":"x"}`)) + ".sig"
	if sub, err := tokenSubject(tok); err != nil || sub != "tenant-1" {
		t.Fatalf("tokenSubject = %q, %v", sub, err)
	}
	for _, bad := range []string{"", "a.b", "a.!!.c", "a." + enc([]byte(`{}`)) + ".c"} {
		if _, err := tokenSubject(bad); err == nil {
			t.Errorf("tokenSubject(%q) accepted", bad)
		}
	}
}

func TestLastLine(t *testing.T) {
	if got := lastLine("warn: x\n eyJ.a.b \n\n"); got != "eyJ.a.b" {
		t.Fatalf("lastLine = %q", got)
	}
}

func TestFreePortsDistinct(t *testing.T) {
	ports, err := freePorts(6)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if seen[p] || p == 0 {
			t.Fatalf("ports not distinct: %v", ports)
		}
		seen[p] = true
	}
}

func TestCheckPostgresBinExplains(t *testing.T) {
	s := &Stack{opts: Options{PostgresBin: t.TempDir()}}
	err := s.checkPostgresBin()
	if err == nil || !strings.Contains(err.Error(), "HATCHTOP_POSTGRES_BIN") {
		t.Fatalf("err = %v, want a hint about HATCHTOP_POSTGRES_BIN", err)
	}
}
