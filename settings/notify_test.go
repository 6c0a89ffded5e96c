package settings

import (
	"strings"
	"testing"
)

func TestParseNotify(t *testing.T) {
	cases := []struct {
		in     string
		on     bool
		filter string
	}{
		{"read_only: false\n", false, ""},
		{"notify: true\n", true, ""},
		{"notify: false\n", false, ""},
		{"notify: approv\n", true, "approv"},
		{"notify: \"payment:\"\n", true, "payment:"},
		{"notify: [approv, \"refund:\"]\n", true, "approv,refund:"},
	}
	for _, c := range cases {
		s, err := Parse("c.yaml", []byte(c.in))
		if err != nil || s.Notify != c.on || s.NotifyFilter != c.filter {
			t.Errorf("%q: %v %q, %v; want %v %q", c.in, s.Notify, s.NotifyFilter, err, c.on, c.filter)
		}
	}
	for _, bad := range []string{"notify: \"\"\n", "notify: []\n", "notify: {a: b}\n", "notify: a,b\n", "notify: [a, \"\"]\n"} {
		_, err := Parse("c.yaml", []byte(bad))
		if err == nil || !strings.Contains(err.Error(), "c.yaml: notify: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line naming notify", bad, err)
		}
	}
}
