package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// eventually polls cond until it holds or the deadline passes; the last
// reason it gave is reported on failure.
func eventually(t *testing.T, within time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	var why string
	for {
		var ok bool
		if ok, why = cond(); ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", within, why)
		}
		time.Sleep(250 * time.Millisecond) // poll interval, not synchronisation
	}
}

type result struct {
	stdout, stderr string
	code           int
	took           time.Duration
}

// hatchtop runs the built binary with the stack's environment plus extra
// variables (later ones win).
func hatchtop(t *testing.T, extraEnv []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, env.bin, args...)
	cmd.Env = append(append(cleanEnv(), env.stack.Env()...), extraEnv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run hatchtop: %v", err)
	}
	return r
}

// cleanEnv is the test's environment without any Hatchet client settings
// and with an empty home, so no profile of the machine leaks in.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HATCHET_") && !strings.HasPrefix(kv, "HOME=") {
			out = append(out, kv)
		}
	}
	return append(out, "HOME="+os.TempDir())
}

// snap is the part of `hatchtop snapshot --json` the tests read.
type snap struct {
	Version string `json:"version"`
	Tasks   []struct {
		ID          string `json:"id"`
		RunID       string `json:"runId"`
		Name        string `json:"name"`
		Status      string `json:"status"`
		Evicted     bool   `json:"evicted"`
		Attempt     int    `json:"attempt"`
		RetryCount  int    `json:"retryCount"`
		MaxRetries  *int   `json:"maxRetries"`
		AttemptText string `json:"attemptText"`
		Waits       []struct {
			Label           string     `json:"label"`
			Title           string     `json:"title"`
			Kind            string     `json:"kind"`
			On              string     `json:"on"`
			EventKeys       []string   `json:"eventKeys"`
			SleepDurationMs int64      `json:"sleepDurationMs"`
			Deadline        *time.Time `json:"deadline"`
			RemainingMs     *int64     `json:"remainingMs"`
		} `json:"waits"`
	} `json:"tasks"`
}

func snapshot(t *testing.T) snap {
	t.Helper()
	r := hatchtop(t, nil, "snapshot", "--json")
	if r.code != 0 {
		t.Fatalf("snapshot exited %d: %s", r.code, r.stderr)
	}
	var s snap
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("snapshot is not JSON: %v\n%s", err, r.stdout)
	}
	return s
}

// restEventLog reads a task's durable event log straight from the REST API,
// independently of hatchtop's client, as the ground truth.
func restEventLog(t *testing.T, taskID string) []struct {
	InsertedAt  time.Time `json:"insertedAt"`
	UserMessage string    `json:"userMessage"`
	IsSatisfied bool      `json:"isSatisfied"`
	WaitData    []struct {
		SleepDurationMs int64 `json:"sleepDurationMs"`
	} `json:"waitData"`
} {
	t.Helper()
	url := fmt.Sprintf("%s/api/v1/stable/tenants/%s/durable-tasks/%s", env.stack.APIURL, env.stack.TenantID, taskID)
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+env.stack.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET event log: %v", err)
	}
	defer resp.Body.Close()
	var out []struct {
		InsertedAt  time.Time `json:"insertedAt"`
		UserMessage string    `json:"userMessage"`
		IsSatisfied bool      `json:"isSatisfied"`
		WaitData    []struct {
			SleepDurationMs int64 `json:"sleepDurationMs"`
		} `json:"waitData"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode event log (HTTP %d): %v", resp.StatusCode, err)
	}
	return out
}
