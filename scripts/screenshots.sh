#!/usr/bin/env bash
# make screenshots: the real dashboard on the real stack, captured from
# hatchtop's own ANSI output in tmux, turned into SVG by freeze and into PNG
# by rsvg-convert.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .stack screenshots
command -v rsvg-convert >/dev/null || { echo "screenshots: rsvg-convert is missing (apt install librsvg2-bin)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "screenshots: python3 is missing" >&2; exit 1; }
fc-list | grep -qF "DejaVu Sans Mono" || { echo "screenshots: the font DejaVu Sans Mono is missing (apt install fonts-dejavu-core)" >&2; exit 1; }
# ⏱ (a timed-out row) is not in DejaVu Sans Mono; without a font that has
# it the PNG shows a box.
[ -n "$(fc-list ':charset=23f1')" ] || { echo "screenshots: no font has ⏱ (U+23F1) (apt install fonts-symbola)" >&2; exit 1; }
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
  # freeze's SVG, put on the cell grid, then rsvg-convert at freeze's own
  # PNG scale (4x). freeze's own PNG step is not used: it runs resvg under
  # wazero, which crashes on some machines (a segfault in its compiled
  # code), and it cannot take the corrected SVG.
  bin/freeze ".stack/$1.ansi" --language ansi --window --padding 20 --font.family "DejaVu Sans Mono" -o ".stack/$1.svg" >/dev/null
  python3 - ".stack/$1.svg" <<'PY'
# freeze writes each terminal line as one <text> whose pieces flow one
# after the other, so a glyph from a fallback font (DejaVu Sans Mono has
# no ⏱, U+23F1; Symbola's is wider than a cell) pushes the rest of its line
# off the columns. Give every piece the x of its first cell, and start a
# new piece after each such glyph.
import html, re, sys, unicodedata
path = sys.argv[1]
svg = open(path, encoding="utf-8").read()
size = float(re.search(r'font-size="([0-9.]+)px"', svg).group(1))
# freeze lays out its cells (the selection's bar, the window) at
# size/1.68 a column; DejaVu Sans Mono's advance is 1233/2048 of the size,
# a little wider: letter-spacing takes the difference off, so the text
# stays inside the bar of a selected row.
cell = size / 1.68
spacing = cell - size * 1233 / 2048
FALLBACK = "\u23f1"
def cells(s):
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in html.unescape(s))
def line(m):
    x0, head, body = float(m.group(2)), m.group(1), m.group(3)
    out, at = [], 0
    for t in re.finditer(r'<tspan([^>/]*)(?:/>|>(.*?)</tspan>)', body, re.S):
        attrs, text = t.group(1), t.group(2) or ""
        for piece in re.split("(?<=[" + FALLBACK + "])", text):
            if piece:
                out.append('<tspan%s x="%.3fpx">%s</tspan>' % (attrs, x0 + at * cell, piece))
                at += cells(piece)
    return head[:-1] + ' letter-spacing="%.4fpx">' % spacing + "".join(out) + "</text>"
svg, n = re.subn(r'(<text x="([0-9.]+)px"[^>/]*>)(.*?)</text>', line, svg, flags=re.S)
assert n > 0, "no <text> lines in " + path
open(path, "w", encoding="utf-8").write(svg)
PY
  rsvg-convert --zoom 4 ".stack/$1.svg" -o "screenshots/$1.png"
  echo "screenshots: wrote screenshots/$1.png"
}

tmux -L "$sock" new-session -d -s shots -x 150 -y 40 \
  "set -a; . $envfile; set +a; TERM=xterm-256color COLORTERM=truecolor exec bin/hatchtop --refresh 1s"
wait_for "third time lucky"
wait_for "3/4"
wait_for "evicted 1" # evictable-wait, 5 s after it starts waiting
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

# The scenes below add runs of their own, after the pictures above, so that
# those show the demo set alone.
# worker SCRIPT ARGS...: the worker's trigger.ts / push.ts on this stack.
worker() { (cd harness/worker && HATCHET_CLIENT_LOG_LEVEL=WARN node_modules/.bin/tsx "$@" >/dev/null); }
# The engine times it out 30 s after it starts (the finished scene's ⏱).
worker trigger.ts short-timeout-sleep '{"sleep":"45s","label":"longer than my timeout"}'
# Finished by the pushes in the finished scene: one completes, one fails.
worker trigger.ts wait-event-labelled '{"key":"invoice:paid","label":"awaiting invoice 1042"}'
worker trigger.ts wait-then-fail '{"key":"order:rejected","label":"order 1042 rejected"}'
# A durable task that spawns a child and waits for it.
worker trigger.ts spawn-child '{"sleep":"10m","label":"resizing thumbnails"}'

# The children of a durable task (spawn-child has one, picked: ▸; n/N move
# among several); then enter opens the child, whose detail names its parent.
# 180 columns: a child's line and the wait on it end with its id.
tmux -L "$sock" resize-window -t shots -x 180 -y 40
sleep 1 # let the resize repaint
keys Escape
filter spawn-child
keys Enter
wait_for "1 overview"
wait_for 'its wait "resizing thumbnails"'
wait_for "▸ "
sleep 1
shot detail-children
keys Enter
wait_for "parent task"
sleep 1
shot detail-child
keys p
wait_for "children"
keys Escape Escape
tmux -L "$sock" resize-window -t shots -x 150 -y 40
sleep 1

# The list sorted by REMAINING (s four times: STATUS, TASK, WAIT, REMAINING).
keys s s s s
wait_for "REMAINING↑"
sleep 2
shot list-sorted
keys s s s s # ATTEMPT, TIMEOUT, ELAPSED, back to newest first

# Finished rows: ✔ completed, ✘ failed with its error's first line, ⏱ timed
# out, and the header's failed count; ! selects the failed row.
wait_for "awaiting invoice 1042"
wait_for "order 1042 rejected"
worker push.ts invoice:paid '{"amount":42}'
worker push.ts order:rejected '{"reason":"card declined"}'
wait_for "card declined"
wait_for "✘ failed"
wait_for "timed out"
keys !
sleep 1
shot finished
keys F F
wait_for "showing finished only"
sleep 1
shot finished-only

# The profile switcher, from a HOME of its own whose ~/.hatchet/profiles.yaml
# has this stack as "local", "prod" with a token the engine refuses and
# "staging" where nothing listens; enter on staging says why and stays.
phome="$PWD/.stack/shots-home"
rm -rf "$phome" && mkdir -p "$phome/.hatchet"
cat > "$phome/.hatchet/profiles.yaml" <<YAML
defaultProfile: local
profiles:
  local: {name: local, token: "$HATCHET_CLIENT_TOKEN", apiServerURL: "$HATCHET_CLIENT_SERVER_URL", grpcHostPort: "$HATCHET_CLIENT_HOST_PORT", tlsStrategy: none}
  prod: {name: prod, token: "${HATCHET_CLIENT_TOKEN%.*}.c2lnbmF0dXJl", apiServerURL: "$HATCHET_CLIENT_SERVER_URL", grpcHostPort: "$HATCHET_CLIENT_HOST_PORT", tlsStrategy: none}
  staging: {name: staging, token: "$HATCHET_CLIENT_TOKEN", apiServerURL: "http://127.0.0.1:9", grpcHostPort: "127.0.0.1:9", tlsStrategy: none}
YAML
tmux -L "$sock" kill-session -t shots
tmux -L "$sock" new-session -d -s shots -x 150 -y 40 \
  "env -u HATCHET_CLIENT_TOKEN HOME=$phome TERM=xterm-256color COLORTERM=truecolor bin/hatchtop --profile local --refresh 1s"
wait_for "▸ local"
wait_for "third time lucky"
keys P
wait_for "● current"
keys j j Enter
wait_for "could not switch to staging"
sleep 1
shot profiles
