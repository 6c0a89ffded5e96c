// Package perf holds benchmarks of the real hatchtop binary: it is built
// with `go build` into a temporary directory, run in a terminal (a
// pseudo-terminal of the benchmark's own, or a private tmux server) at
// 200×50 against harness/fakeengine, and measured from outside the process
// the way a user would see it — first rows on screen, CPU while idle, RSS.
//
// Nothing here is part of the binary; the package has no code outside its
// benchmarks. See README.md.
package perf
