package client

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/hatchet-dev/hatchet/pkg/client/rest"

	"github.com/hatchtop/hatchtop/durable"
)

func TestConfigOfMatchesTheStep(t *testing.T) {
	st := func(action, id string, retries any, timeout any) any {
		return map[string]any{"Action": action, "ReadableId": id, "Retries": retries, "Timeout": timeout}
	}
	wc := func(steps ...any) *map[string]any {
		m := map[string]any{"Name": "wf", "Tasks": steps}
		return &m
	}
	cases := []struct {
		name        string
		action      string
		displayName string
		config      *map[string]any
		want        durable.Config
		ok          bool
	}{
		{"by action id", "wf:b", "b-123", wc(st("wf:a", "a", 1.0, "1m"), st("wf:b", "b", 2.0, "2m")), durable.Config{MaxRetries: 2, Timeout: 2 * time.Minute}, true},
		{"action id ignores case", "WF:B", "", wc(st("wf:a", "a", 1.0, "1m"), st("wf:b", "b", 2.0, "2m")), durable.Config{MaxRetries: 2, Timeout: 2 * time.Minute}, true},
		{"by display name with an SDK suffix", "", "send-email-1795397884905",
			wc(st("", "send", 1.0, "1m"), st("", "send-email", 4.0, "1h30m")), durable.Config{MaxRetries: 4, Timeout: 90 * time.Minute}, true},
		{"a lone step", "other:x", "x", wc(st("wf:a", "a", 7.0, nil)), durable.Config{MaxRetries: 7, Timeout: 5 * time.Minute}, true},
		{"a duration only the database reads", "wf:a", "", wc(st("wf:a", "a", 0.0, "1d")), durable.Config{MaxRetries: 0}, true},
		{"on-failure step", "wf:fail", "", &map[string]any{"Tasks": []any{st("wf:a", "a", 1.0, "1m"), st("wf:b", "b", 1.0, "1m")},
			"onFailureJob": st("wf:fail", "fail", 0.0, "10s")}, durable.Config{Timeout: 10 * time.Second}, true},
		{"no match among several", "wf:c", "c", wc(st("wf:a", "a", 1.0, "1m"), st("wf:b", "b", 1.0, "1m")), durable.UnknownConfig(), false},
		{"no workflow config", "wf:a", "a", nil, durable.UnknownConfig(), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			task := &rest.V1TaskSummary{ActionId: &c.action, DisplayName: c.displayName, WorkflowConfig: c.config}
			got, ok := configOf(task)
			if got != c.want || ok != c.ok {
				t.Errorf("got %+v %v, want %+v %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestHTTPStatusKinds(t *testing.T) {
	f := failure{token: "a.b.c"}
	for code, kind := range map[int]error{401: ErrUnauthorized, 403: ErrUnauthorized, 404: ErrNotFound} {
		err := f.http("http://h", "task x", &http.Response{StatusCode: code, Header: http.Header{}}, []byte(`{"message":"m"}`))
		if !errors.Is(err, kind) {
			t.Errorf("%d: %v, want %v", code, err, kind)
		}
	}
}
