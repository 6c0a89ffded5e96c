#!/usr/bin/env bash
# make screenshots: the real dashboard on the real stack, captured from
# hatchtop's own ANSI output in tmux and rendered to PNG with freeze.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .stack screenshots
(cd harness/tools && go build -o ../../bin/freeze github.com/charmbracelet/freeze)
go build -o bin/hatchet-stack ./harness/cmd/hatchet-stack

envfile=.stack/shots.env
rm -f "$envfile"
bin/hatchet-stack up --env-file "$envfile" --demo-runs >.stack/shots-stack.log 2>&1 &
stack_pid=$!
sock="hatchtop-shots-$$"
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  kill -TERM "$stack_pid" 2>/dev/null || true
  wait "$stack_pid" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
for _ in $(seq 1 600); do [ -s "$envfile" ] && break; kill -0 "$stack_pid" || exit 1; sleep 0.5; done
# shellcheck disable=SC1090
source "$envfile"

# wait_for TEXT: poll the pane until TEXT shows (up to 90 s).
wait_for() {
  for _ in $(seq 1 360); do
    tmux -L "$sock" capture-pane -p -t shots | grep -qF -- "$1" && return 0
    sleep 0.25
  done
  echo "screenshots: '$1' never appeared" >&2; tmux -L "$sock" capture-pane -p -t shots >&2; return 1
}
# shot NAME: render the pane, colours included, to screenshots/NAME.png.
shot() {
  # freeze ignores SGR 39/49 (default colours) and keeps the last colour;
  # our output only uses them right after a colour, so a reset is equivalent.
  tmux -L "$sock" capture-pane -e -N -p -t shots |
    sed -e 's/\x1b\[39m/\x1b[0m/g' -e 's/\x1b\[49m//g' > ".stack/$1.ansi"
  # freeze's own PNG step runs resvg under wazero, which crashes on some
  # machines (a segfault in its compiled code); an SVG converted by
  # rsvg-convert (Debian's librsvg2-bin) is the same picture.
  if ! bin/freeze ".stack/$1.ansi" --language ansi --window --padding 20 --font.family "DejaVu Sans Mono" -o "screenshots/$1.png" >/dev/null 2>&1; then
    command -v rsvg-convert >/dev/null || { echo "screenshots: freeze failed and rsvg-convert is missing (apt install librsvg2-bin)" >&2; return 1; }
    bin/freeze ".stack/$1.ansi" --language ansi --window --padding 20 --font.family "DejaVu Sans Mono" -o ".stack/$1.svg" >/dev/null
    rsvg-convert ".stack/$1.svg" -o "screenshots/$1.png"
  fi
  echo "screenshots: wrote screenshots/$1.png"
}

tmux -L "$sock" new-session -d -s shots -x 150 -y 40 \
  "set -a; . $envfile; set +a; TERM=xterm-256color COLORTERM=truecolor exec bin/hatchtop --refresh 1s"
wait_for "third time lucky"
wait_for "3/4"
sleep 5 # let elapsed times and countdowns move; a picture, not a test
shot list
tmux -L "$sock" send-keys -t shots "?"
wait_for "page down"
shot help
tmux -L "$sock" send-keys -t shots Escape

# keys KEY...: one key at a time, as a person types (a terminal reads
# "esc ?" sent at once as alt+?).
keys() { for k in "$@"; do tmux -L "$sock" send-keys -t shots "$k"; sleep 0.2; done; }
filter() { keys Escape /; tmux -L "$sock" send-keys -t shots -l "$1"; keys Enter; }

# The detail of the streaming task: overview and its live stream.
filter stream-fast
keys Enter
wait_for "1 overview"
wait_for "worker"
shot detail-overview
keys 3
wait_for "chunk"
sleep 2
shot detail-stream
keys Escape

# The timeline of the OR wait, then the send-event form prefilled from it.
filter "approval or timeout"
keys Enter 2
wait_for "WAIT_FOR"
shot detail-timeline
keys e
wait_for "Send an event"
tmux -L "$sock" send-keys -t shots -l '{"approved": true}'
sleep 0.5
shot send-event
keys Escape Escape Escape

# The waits inbox.
keys w
wait_for "waits inbox"
shot inbox
keys Escape

# The workers and the tasks on the selected one.
keys W
wait_for "ACTIVE"
sleep 1 # its tasks fill in from the rows' lifecycle events
shot workers
keys Escape

tmux -L "$sock" resize-window -t shots -x 80 -y 24
sleep 1 # let the resize repaint; this is a picture, not a test
shot list-80x24
