#!/usr/bin/env bash
# Durable mode's start-up with a large live state. Fills a fresh data directory
# through the server (`fifowin bench --scenario send-batch10`: SendMessageBatch of
# 10 new messages, unique dedup ids, into one FIFO queue kept afterwards), with a
# 1-hour dedup window so every dedup id is still live at the restart; stops the
# server (SIGTERM, or SIGKILL with STOP=KILL) and times the restart from exec to
# the ready file. Prints the stored messages and dedup entries before and after
# (from /metrics; they must match), the data directory's size, and the server's
# own line on how long restoring the snapshot and replaying the records after it
# took. Loopback only; bounded (fill at most 20 minutes, start-up at most 5).
#
# Usage: tools/bench/durable_startup.sh [MESSAGES=1000000] [BIN=target/release/fifowin]
set -euo pipefail
cd "$(dirname "$0")/../.."
messages="${1:-1000000}"
bin="${2:-target/release/fifowin}"
stop="${STOP:-TERM}"
[[ -x "$bin" ]] || cargo build --release -p fifowin
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
server=
trap '[[ -n "$server" ]] && kill -KILL "$server" 2>/dev/null; rm -rf "$work/db"' EXIT

start() { # $1: log file
  rm -f "$work/ready"
  "$bin" serve --port "$port" --data-dir "$work/db" --dedup-window 1h --escape-horizon 1h \
    --header-timeout 1h --ready-file "$work/ready" --log-level info 2>"$1" &
  server=$!
}

wait_ready() { # $1: seconds
  local deadline=$((SECONDS + $1))
  while [[ ! -s "$work/ready" ]]; do
    kill -0 "$server" 2>/dev/null || { echo "startup: the server exited" >&2; exit 1; }
    ((SECONDS < deadline)) || { echo "startup: not ready in $1 s" >&2; exit 1; }
    sleep 0.01
  done
}

state() { # messages stored and dedup entries, from /metrics
  curl -fs "http://127.0.0.1:$port/metrics" | awk '
    /^fifowin_messages_(visible|in_flight|delayed)\{/ {m += $2}
    /^fifowin_dedup_entries\{/ {d += $2}
    /^fifowin_durable_snapshots_total / {s = $2}
    END {printf "%d messages, %d dedup entries, %d snapshots written since start-up", m, d, s}'
}

start "$work/fill.log"
wait_ready 60
echo "startup: filling $work/db with $messages messages through 127.0.0.1:$port"
fill_started=$SECONDS
timeout 1200 "$bin" bench --endpoint "http://127.0.0.1:$port" --scenario send-batch10 \
  --connections 16 --requests $((messages / 10)) --warmup 0s --queue-name startup.fifo \
  --keep-queue >"$work/bench.txt"
echo "startup: filled in $((SECONDS - fill_started)) s: $(state)"
python3 - "$work/fill.log" <<'PY'
import re, sys
units = {"ns": 1e-6, "µs": 1e-3, "ms": 1.0, "s": 1000.0}
def ms(text):
    value, unit = re.fullmatch(r"([0-9.]+)(ns|µs|ms|s)", text).groups()
    return float(value) * units[unit]
rows = []
for line in open(sys.argv[1], errors="replace"):
    line = re.sub(r"\x1b\[[0-9;]*m", "", line)
    m = re.search(r"snapshot written in (\S+) \(requests paused (\S+) while", line)
    if m:
        size = re.search(r"bytes=(\d+)", line)
        rows.append((ms(m.group(1)), ms(m.group(2)), int(size.group(1)) if size else 0))
if rows:
    last = rows[-1]
    print(f"startup: {len(rows)} snapshots during the fill; the last {last[2] / 2**20:.1f} MiB written in "
          f"{last[0]:.0f} ms; requests paused while capturing: longest {max(r[1] for r in rows):.0f} ms, "
          f"last {last[1]:.0f} ms")
PY
before="$(state | cut -d, -f1-2)"
kill "-$stop" "$server"
wait "$server" 2>/dev/null || true
server=
echo "startup: data directory $(du -sb "$work/db" | cut -f1) bytes after SIG$stop"
"$bin" store check --data-dir "$work/db" | sed 's/^/  /'

t0=$(date +%s.%N)
start "$work/restart.log"
wait_ready 300
t1=$(date +%s.%N)
after="$(state | cut -d, -f1-2)"
echo "startup: ready in $(python3 -c "print(f'{$t1 - $t0:.2f}')") s (exec to ready file): $after"
grep -o 'durable mode: restored.*' "$work/restart.log" | sed 's/\x1b\[[0-9;]*m//g; s/^/  /'
if [[ "$before" != "$after" ]]; then
  echo "startup: MISMATCH: before the restart $before, after $after" >&2
  exit 1
fi
# Stopped here rather than by the exit trap's SIGKILL, which the shell would
# report as a job killed.
kill "$server"
wait "$server" 2>/dev/null || true
server=
