package main

import (
	"io"
	"testing"
	"time"
)

// Durable tasks sleep for days: by default hatchtop looks 30 days back
// (issue 8), and --since still narrows it.
func TestSinceDefaultIsThirtyDays(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	o, err := parseFlags(nil, io.Discard)
	if err != nil || o.since != 30*24*time.Hour {
		t.Fatalf("default --since = %s, %v; want 720h", o.since, err)
	}
	o, err = parseFlags([]string{"--since", "2h"}, io.Discard)
	if err != nil || o.since != 2*time.Hour {
		t.Fatalf("--since 2h = %s, %v", o.since, err)
	}
}
