package stack

import (
	"context"
	"fmt"
	"os/exec"
)

// preflight fails fast, before any long build, when a tool is missing, and
// picks the ports.
func (s *Stack) preflight(ctx context.Context) error {
	if err := s.checkPostgresBin(); err != nil {
		return err
	}
	if s.opts.Worker {
		for _, tool := range []string{"node", "npm"} {
			if _, err := exec.LookPath(tool); err != nil {
				return fmt.Errorf("the worker needs Node.js 20 and npm: %w", err)
			}
		}
	}
	return s.pickPorts(ctx)
}
