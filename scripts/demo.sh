#!/usr/bin/env bash
# make demo: bring up the real stack with the demo worker and a handful of
# durable runs, open hatchtop on it, and tear everything down on exit.
# Every demo run that ends is replaced by a new one, so the demo never runs
# empty. Arguments are hatchtop's (make demo ARGS='--read-only').
set -euo pipefail
cd "$(dirname "$0")/.."

# The dashboard needs a terminal. Say so now, not after a minute of start-up
# (hatchtop would say the same); the snapshot is the way for pipes.
if [ ! -t 1 ] && [ "${1:-}" != snapshot ]; then
  echo "demo: stdout is not a terminal, and the dashboard needs one; run make demo in a terminal (for text: make demo ARGS=snapshot)" >&2
  exit 2
fi
mkdir -p .stack
envfile=.stack/demo.env
rm -f "$envfile"
log=.stack/demo-stack.log

go build -o bin/hatchet-stack ./harness/cmd/hatchet-stack
# Built once per version (about 6 minutes, with its own progress lines);
# make demo has done it already, a direct run of this script may not have.
harness/engine/build.sh >/dev/null
echo "demo: starting Postgres, Hatchet v0.105.0 and the worker, usually in under 30 s (log: $log) …"
bin/hatchet-stack up --env-file "$envfile" --keep-alive >"$log" 2>&1 &
stack_pid=$!
cleanup() {
  trap '' INT # a second ctrl+c must not leave the stack running
  if kill -0 "$stack_pid" 2>/dev/null; then
    local t0=$SECONDS
    echo "demo: stopping the stack… (worker, engine and Postgres: a few seconds)"
    kill -TERM "$stack_pid" 2>/dev/null || true
    wait "$stack_pid" 2>/dev/null || true
    echo "demo: stack stopped in $((SECONDS - t0))s"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Each step of the stack as it finishes (the steps are "stack: NAME 1.2s").
shown=0
show_steps() {
  local lines
  lines=$(grep -E '^stack:' "$log" 2>/dev/null || true)
  [ -n "$lines" ] || return 0
  tail -n +$((shown + 1)) <<<"$lines"
  shown=$(wc -l <<<"$lines")
}
for _ in $(seq 1 600); do
  [ -s "$envfile" ] && break
  if ! kill -0 "$stack_pid" 2>/dev/null; then
    echo "demo: the stack failed to start:" >&2
    tail -n 30 "$log" >&2
    exit 1
  fi
  show_steps
  sleep 0.5
done
[ -s "$envfile" ] || { echo "demo: the stack did not come up in 5 minutes" >&2; tail -n 30 "$log" >&2; exit 1; }
show_steps

# shellcheck disable=SC1090
source "$envfile"
echo "demo: stack ready; every demo run that ends is replaced by a new one within a minute"
status=0
if [ "${1:-}" = snapshot ]; then
  bin/hatchtop snapshot --log-file .stack/hatchtop.log "${@:2}" || status=$?
else
  echo "demo: opening hatchtop (q quits and stops the stack)"
  bin/hatchtop --log-file .stack/hatchtop.log "$@" || status=$?
fi
exit "$status"
