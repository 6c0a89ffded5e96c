//go:build tools

// Package enginebuild pins the Hatchet engine binaries that the real-engine
// tests and `make demo` run. It is its own module so the engine's ~265
// requirements never touch hatchtop's go.mod.
package enginebuild

import (
	_ "github.com/hatchet-dev/hatchet/cmd/hatchet-admin"
	_ "github.com/hatchet-dev/hatchet/cmd/hatchet-lite"
	_ "github.com/hatchet-dev/hatchet/cmd/hatchet-migrate"
)
