//go:build linux

package perf

import (
	"bytes"
	"flag"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// extraEnv is -perf.env's variables, added to the binary's environment
// (GOMAXPROCS=1, GODEBUG=gctrace=1, …) to try a setting without a build.
var extraEnv []string

func init() {
	flag.Func("perf.env", "add KEY=VALUE to the binary's environment (repeatable)", func(s string) error {
		if !strings.Contains(s, "=") {
			return fmt.Errorf("want KEY=VALUE, got %q", s)
		}
		extraEnv = append(extraEnv, s)
		return nil
	})
}

var (
	cpuWindow = flag.Duration("perf.cpu-window", 60*time.Second, "BenchmarkIdleCPU: how long to measure the idle list's CPU time")
	rssWindow = flag.Duration("perf.rss-window", 20*time.Second, "BenchmarkRSS: how long to sample RSS once the list has loaded (several polls)")
	prebuilt  = flag.String("perf.bin", "", "measure this hatchtop binary instead of building the checkout's")
	starts    = flag.Int("perf.starts", 5, "BenchmarkFirstRows: starts per workload; the median is reported")
	record    = flag.String("perf.record", "", "BenchmarkIdleCPU: also record the window with Linux perf (call graphs) into this file; the cpu-% of such a run includes perf's sampling")
)

// BenchmarkFirstRows is the time from the start of the process to the
// first task row written to its terminal (a pty of the benchmark's, 200×50,
// answering the queries an xterm answers), against a fake engine serving
// 1,000 or 10,000 active tasks: `ms` is the median of the starts made in
// -benchtime (at least -perf.starts of them), `max-ms` the slowest.
// Issue 8's target: ≤ 200 ms on both.
func BenchmarkFirstRows(b *testing.B) {
	bin := buildHatchtop(b)
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("tasks=%d", n), func(b *testing.B) {
			srv := startFake(b, n)
			env := hatchtopEnv(b, srv)
			var took []time.Duration
			once := func() {
				r := startPTY(b, bin, env)
				took = append(took, r.waitFirstRow(b, 20*time.Second))
				r.stop(b)
			}
			// Starts for -benchtime (1 s by default), and at least
			// -perf.starts of them.
			for b.Loop() {
				once()
			}
			for len(took) < *starts {
				once()
			}
			slices.Sort(took)
			b.Logf("first row after %v", took)
			b.ReportMetric(ms(took[len(took)/2]), "ms")
			b.ReportMetric(ms(took[len(took)-1]), "max-ms")
			b.ReportMetric(0, "ns/op") // one start is not an operation
		})
	}
}

// BenchmarkIdleCPU is the CPU hatchtop uses while it sits in the list of
// 1,000 active tasks with default flags (--refresh 5s): utime+stime from
// /proc/<pid>/stat over a window (60 s by default) once the list has loaded
// and every row on screen shows its wait label. `cpu-%` is of one core.
// Issue 8's target: ≤ 1 %.
func BenchmarkIdleCPU(b *testing.B) {
	bin := buildHatchtop(b)
	b.Run("tasks=1000", func(b *testing.B) {
		srv, tm := startSettled(b, bin, 1000, 60*time.Second)

		cpu0, err := procCPU(tm.pid)
		if err != nil {
			b.Fatal(err)
		}
		sw0, err := procSwitches(tm.pid)
		if err != nil {
			b.Fatal(err)
		}
		stopRecord := startRecord(b, tm.pid, *cpuWindow)
		rest0, t0 := srv.REST(), time.Now()
		// The measurement window itself, not synchronisation: CPU time is
		// a rate, so it is read at both ends of a span of wall-clock time.
		time.Sleep(*cpuWindow)
		cpu1, err := procCPU(tm.pid)
		if err != nil {
			b.Fatal(err)
		}
		span, rest := time.Since(t0), srv.REST()-rest0
		sw1, err := procSwitches(tm.pid)
		if err != nil {
			b.Fatal(err)
		}
		waitExe(b, tm.pid, bin) // still the same program, still running
		stopRecord()

		pct := float64(cpu1-cpu0) / userHZ / span.Seconds() * 100
		b.Logf("%d ticks of CPU in %s; %.0f context switches a second; %d REST requests (%.0f/min); counts %v",
			cpu1-cpu0, span.Round(time.Millisecond), float64(sw1-sw0)/span.Seconds(), rest, float64(rest)/span.Minutes(), srv.Counts())
		b.ReportMetric(pct, "cpu-%")
		b.ReportMetric(0, "ns/op")
	})
}

// BenchmarkRSS is hatchtop's memory with 10,000 active tasks: once the
// whole list is counted and every row on screen labelled, VmRSS is sampled
// every second over a window of several polls (20 s by default); `rss-MB`
// is the highest sample, `peak-rss-MB` VmHWM at the end (which includes
// the load). MB are 10⁶ bytes. Issue 8's target: ≤ 80 MB.
func BenchmarkRSS(b *testing.B) {
	bin := buildHatchtop(b)
	b.Run("tasks=10000", func(b *testing.B) {
		_, tm := startSettled(b, bin, 10000, 110*time.Second)

		var rss, hwm float64
		var samples []float64
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		// A measurement window, not synchronisation: RSS moves with each
		// poll's garbage, so it is sampled across several of them.
		for end := time.Now().Add(*rssWindow); time.Now().Before(end); <-tick.C {
			r, h, err := procMem(tm.pid)
			if err != nil {
				b.Fatal(err)
			}
			samples = append(samples, r)
			rss, hwm = max(rss, r), h
		}
		waitExe(b, tm.pid, bin)
		b.Logf("VmRSS samples (MB): %.1f", samples)
		b.ReportMetric(rss, "rss-MB")
		b.ReportMetric(hwm, "peak-rss-MB")
		b.ReportMetric(0, "ns/op")
	})
}

// startRecord runs `perf record` on pid for the window when -perf.record
// asks for it (the binary's own profile, with no hook in the shipped
// program); the returned func waits for perf to write its file.
func startRecord(b *testing.B, pid int, window time.Duration) func() {
	b.Helper()
	if *record == "" {
		return func() {}
	}
	cmd := exec.Command("perf", "record", "-F", "1999", "-g", "-o", *record, "-p", strconv.Itoa(pid),
		"--", "sleep", strconv.FormatFloat(window.Seconds(), 'f', 3, 64))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		b.Fatalf("perf record: %v", err)
	}
	return func() {
		if err := cmd.Wait(); err != nil {
			b.Fatalf("perf record: %v\n%s", err, out.Bytes())
		}
		b.Logf("perf record wrote %s (perf report -i %s --no-children)", *record, *record)
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
