// Command hatchet-stack runs a real Hatchet stack (Postgres, hatchet-lite and
// optionally the TypeScript demo worker) on free loopback ports, for demos
// and manual testing of hatchtop.
//
//	hatchet-stack up --env-file PATH [--worker] [--demo-runs] [--keep-alive] [--keep]
//
// --keep-alive keeps the demo runs coming: every demo run that ends is
// replaced by a new one of the same kind, so a long demo never runs empty.
//
// Once the stack is up it writes PATH as shell "export" lines for the
// client settings, prints "stack ready", and runs until SIGINT or SIGTERM;
// then it tears everything down and removes PATH.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/hatchtop/hatchtop/harness/stack"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "hatchet-stack:", err)
		os.Exit(1)
	}
}

const usage = "usage: hatchet-stack up --env-file PATH [--worker] [--demo-runs] [--keep-alive] [--keep]"

func run(args []string) error {
	if len(args) == 0 || args[0] != "up" {
		return errors.New(usage)
	}
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	envFile := fs.String("env-file", "", "write the client settings here as shell export lines (required)")
	worker := fs.Bool("worker", false, "also run the TypeScript demo worker")
	demo := fs.Bool("demo-runs", false, "trigger the demo runs once up (implies --worker)")
	keepAlive := fs.Bool("keep-alive", false, "replace every demo run that ends by a new one (implies --demo-runs)")
	keep := fs.Bool("keep", false, "keep the stack directory (data and logs) after shutdown")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *envFile == "" || fs.NArg() > 0 {
		return errors.New(usage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	runs := none
	switch {
	case *keepAlive:
		runs = keptAlive
	case *demo:
		runs = once
	}
	return up(ctx, *envFile, stack.Options{Worker: *worker || runs != none, KeepDir: *keep}, runs)
}

// demoRuns says whether up starts the demo runs, and whether it keeps them
// coming.
type demoRuns int

const (
	none demoRuns = iota
	once
	keptAlive
)

// up starts the stack, publishes it, and holds it until ctx ends.
func up(ctx context.Context, envFile string, opts stack.Options, runs demoRuns) (err error) {
	s, err := stack.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer func() {
		os.Remove(envFile)
		err = errors.Join(err, s.Stop())
	}()
	switch runs {
	case once:
		out, err := s.TriggerDemo(ctx)
		if err != nil {
			return err
		}
		fmt.Fprint(os.Stderr, out)
	case keptAlive:
		if err := s.KeepDemoAlive(ctx); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "demo runs started; each one that ends is replaced (log: %s)\n", filepath.Join(s.LogDir, "demo.log"))
	}
	if err := writeEnvFile(envFile, s); err != nil {
		return err
	}
	fmt.Printf("stack ready: API %s, gRPC %s, tenant %s, logs %s\n", s.APIURL, s.GRPCAddr, s.TenantID, s.LogDir)
	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "hatchet-stack: shutting down")
	return nil
}

// writeEnvFile writes the settings atomically, so that a script polling for
// the file never reads half of it.
func writeEnvFile(path string, s *stack.Stack) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# hatchet-stack (pid %d); logs in %s\n", os.Getpid(), s.LogDir)
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(v))
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write env file: %w", err)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("write env file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write env file: %w", err)
	}
	return nil
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
