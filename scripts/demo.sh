#!/usr/bin/env bash
# make demo: bring up the real stack with the demo worker and a handful of
# durable runs, open hatchtop on it, and tear everything down on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .stack
envfile=.stack/demo.env
rm -f "$envfile"
log=.stack/demo-stack.log

go build -o bin/hatchet-stack ./harness/cmd/hatchet-stack
echo "demo: starting Postgres, Hatchet v0.105.0 and the worker (log: $log) ..."
bin/hatchet-stack up --env-file "$envfile" --demo-runs >"$log" 2>&1 &
stack_pid=$!
cleanup() {
  kill -TERM "$stack_pid" 2>/dev/null || true
  wait "$stack_pid" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

for _ in $(seq 1 600); do
  [ -s "$envfile" ] && break
  if ! kill -0 "$stack_pid" 2>/dev/null; then
    echo "demo: the stack failed to start:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  sleep 0.5
done
[ -s "$envfile" ] || { echo "demo: the stack did not come up in 5 minutes" >&2; tail -n 30 "$log" >&2; exit 1; }
grep -E '^stack:' "$log" || true

# shellcheck disable=SC1090
source "$envfile"
echo "demo: stack ready; opening hatchtop (q quits and stops the stack)"
bin/hatchtop --log-file .stack/hatchtop.log "$@"
