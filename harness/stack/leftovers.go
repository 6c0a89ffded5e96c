package stack

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// Leftovers lists the live processes started by this stack (found by the
// environment marker every child inherits). After Stop it should be empty.
func (s *Stack) Leftovers() []int {
	marker := []byte(markerEnv + "=" + s.Dir + "\x00")
	var pids []int
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range dirs {
		pid, err := strconv.Atoi(filepath.Base(dir))
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join(dir, "environ"))
		if err != nil || !bytes.Contains(append([]byte{0}, env...), append([]byte{0}, marker...)) {
			continue
		}
		if !zombie(dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// killLeftovers SIGKILLs whatever Leftovers finds and returns those pids.
func (s *Stack) killLeftovers() []int {
	left := s.Leftovers()
	for _, pid := range left {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return left
}

// zombie reports whether the process is dead but not yet reaped; its
// environ is still readable but it runs nothing.
func zombie(procDir string) bool {
	stat, err := os.ReadFile(filepath.Join(procDir, "stat"))
	if err != nil {
		return true // gone meanwhile
	}
	// The state follows the command name, which is in parentheses.
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' || stat[i+2] == 'X'
}
