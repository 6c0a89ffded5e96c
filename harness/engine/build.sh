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
for bin in hatchet-migrate hatchet-admin hatchet-lite; do
  echo "build.sh: building $bin $version ..." >&2
  GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w -X main.Version=$version" \
    -o "$out.tmp/$bin" "github.com/hatchet-dev/hatchet/cmd/$bin"
done
rm -rf "$out"; mv "$out.tmp" "$out"
echo "build.sh: engine $version built in $(( $(date +%s) - start ))s into $out" >&2
echo "$out"
