# hatchtop — the two commands that matter are `make demo` and `make test`.
SHELL := /bin/bash
GO ?= go
BIN := bin/hatchtop

.PHONY: all build demo test unit e2e lint engine worker screenshots bench fuzz proto clean

all: build

build:
	$(GO) build -o $(BIN) .

# The real stack (Postgres 15 + Hatchet v0.105.0 + the TypeScript worker),
# a handful of durable runs kept coming, and hatchtop opened on them.
# ARGS are hatchtop's flags: make demo ARGS='--read-only --refresh 2s'.
ARGS ?=
demo: build engine worker
	./scripts/demo.sh $(ARGS)

# Everything: static checks, unit/golden tests, then the real-engine tests.
test: lint unit e2e

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./...

e2e: engine worker
	HATCHTOP_E2E=1 $(GO) test -race -count=1 -timeout 30m -v ./harness/stack/ ./e2e/ 2>&1 | tee e2e.log | grep -E '^(=== RUN|--- |PASS|FAIL|ok|e2e:|stack:)|_test.go'; exit $${PIPESTATUS[0]}

# The engine binaries, built once per version into ~/.cache/hatchtop.
engine:
	harness/engine/build.sh >/dev/null

worker:
	cd harness/worker && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; }

screenshots: build engine worker
	./scripts/screenshots.sh

bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./...

# Every fuzz target of the repository, one at a time (go test -fuzz takes one
# target per run), each for FUZZTIME. `make unit` already runs their seeds.
FUZZTIME ?= 10s
fuzz:
	@set -e; for file in $$(grep -rl --include='*_test.go' --exclude-dir=node_modules --exclude-dir=.git '^func Fuzz' . | sort); do \
	  pkg=./$$(dirname $${file#./}); \
	  for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
	    echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
	    $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

include client/proto.mk

clean:
	rm -rf bin e2e.log
