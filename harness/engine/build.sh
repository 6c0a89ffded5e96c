#!/usr/bin/env bash
# Builds hatchet-lite, hatchet-admin and hatchet-migrate at the version pinned
# in go.mod into a cache outside the repo, keyed by version. Prints the
# directory holding the binaries on stdout; progress goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=$(awk '$1=="require" && $2=="github.com/hatchet-dev/hatchet" {print $3}' "$here/go.mod")
[ -n "$version" ] || { echo "build.sh: cannot read the hatchet version from go.mod" >&2; exit 1; }
out="${HATCHTOP_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hatchtop/engine}/$version"
if [ -x "$out/hatchet-lite" ] && [ -x "$out/hatchet-admin" ] && [ -x "$out/hatchet-migrate" ]; then
  echo "$out"; exit 0
fi
mkdir -p "$out.tmp"
start=$(date +%s)
cd "$here"
echo "build.sh: first use of Hatchet $version: building the engine from source into $out" >&2
echo "build.sh: this takes about 6 minutes (downloading its modules, then compiling three binaries); later runs reuse it" >&2
# A heartbeat every 30 s, so that a long quiet compile does not look hung.
# It ends with its sleep at once on TERM, and holds no stdout (whoever reads
# the printed path would otherwise wait for its sleep too).
heartbeat() {
  local nap
  trap 'kill "$nap" 2>/dev/null; exit 0' TERM
  while :; do
    sleep 30 & nap=$!
    wait "$nap"
    echo "build.sh: still building $1 ($(( $(date +%s) - start ))s so far, about 360s in all)" >&2
  done
}
beat=
trap '[ -z "$beat" ] || kill "$beat" 2>/dev/null || true' EXIT
for bin in hatchet-migrate hatchet-admin hatchet-lite; do
  echo "build.sh: building $bin $version ($(( $(date +%s) - start ))s so far) ..." >&2
  heartbeat "$bin" >/dev/null &
  beat=$!
  status=0
  GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w -X main.Version=$version" \
    -o "$out.tmp/$bin" "github.com/hatchet-dev/hatchet/cmd/$bin" || status=$?
  kill "$beat" 2>/dev/null || true
  wait "$beat" 2>/dev/null || true
  [ "$status" -eq 0 ] || { echo "build.sh: building $bin failed (exit $status)" >&2; exit "$status"; }
done
rm -rf "$out"; mv "$out.tmp" "$out"
echo "build.sh: engine $version built in $(( $(date +%s) - start ))s into $out" >&2
echo "$out"
