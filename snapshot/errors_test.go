package snapshot

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hatchtop/hatchtop/client/fake"
)

// The real client already names the call that failed; the snapshot adds
// the name only when the engine's error lacks it.
func TestTakeNamesTheFailureOnce(t *testing.T) {
	cases := []struct {
		name string
		fail func(*fake.Engine, error)
		err  string
		want string
	}{
		{"version named by the client", (*fake.Engine).FailVersion,
			"engine version: cannot reach the engine at h:1 (connection refused)",
			"engine version: cannot reach the engine at h:1 (connection refused)"},
		{"version unnamed", (*fake.Engine).FailVersion, "boom", "engine version: boom"},
		{"list named by the client", (*fake.Engine).FailList,
			"list active tasks: the API at http://h answered HTTP 500", "list active tasks: the API at http://h answered HTTP 500"},
		{"list unnamed", (*fake.Engine).FailList, "boom", "list active tasks: boom"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := fake.New()
			c.fail(e, errors.New(c.err))
			_, err := Take(context.Background(), e, time.Now().Add(-time.Hour), time.Now)
			if err == nil || err.Error() != c.want {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if !strings.Contains(err.Error(), c.err) {
				t.Fatalf("error %v lost the cause", err)
			}
		})
	}
}
