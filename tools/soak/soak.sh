#!/usr/bin/env bash
# Soak test (not in CI: it runs for 10 minutes). One `fifowin serve` on loopback under
# steady mixed load from `fifowin bench` (half the connections send to a FIFO queue,
# half receive and delete, FIFO order checked), while the server's resident memory
# is sampled every 15 s. The dedup window and the escape horizon are 1 minute each,
# so the dedup table and its tombstones reach their steady size (rate x 2 minutes)
# within the run; with the defaults (5 min, 1 h) memory rises for the first hour by
# design, up to the tombstone cap. Passes when the load generator reports no failed
# check and the last sample is within 10% (plus 8 MiB) of the one at 3 minutes.
#
# Durable mode: SOAK_DATA_DIR=DIR runs the server with --data-dir DIR (which must
# not exist) and samples the directory's size every 30 s; it must then also be
# flat over the last five minutes (no sample there above the first of them plus
# 25% and 16 MiB), since snapshots replace the log records they cover.
#
# Usage: tools/soak/soak.sh [DURATION=10m] [RATE=400] [BIN=target/release/fifowin]
# RATE is the producers' sends per second; consumers receive and delete as fast
# as messages come. Extra server flags in SOAK_SERVE_ARGS, e.g.
# SOAK_SERVE_ARGS="--snapshot-every 5000".
set -euo pipefail
cd "$(dirname "$0")/../.."
duration="${1:-10m}"
rate="${2:-400}"
bin="${3:-target/release/fifowin}"
[[ -x "$bin" ]] || cargo build --release -p fifowin
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
work="$(mktemp -d)"
data_dir="${SOAK_DATA_DIR:-}"
durable=()
if [[ -n "$data_dir" ]]; then
  [[ ! -e "$data_dir" ]] || { echo "soak: $data_dir exists; give a new directory" >&2; exit 2; }
  durable=(--data-dir "$data_dir")
fi
# shellcheck disable=SC2086
# --header-timeout 1h: `fifowin bench` keeps its check connection idle for the whole
# run and does not reconnect when the server closes an idle keep-alive connection.
"$bin" serve --port "$port" --log-level warn --dedup-window 1m --escape-horizon 1m \
  --header-timeout 1h "${durable[@]}" ${SOAK_SERVE_ARGS:-} 2>"$work/server.log" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/_fifowin/health" >/dev/null && break
  sleep 0.1
done
rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
(
  while kill -0 "$server" 2>/dev/null; do
    echo "$(date +%s) $(rss)" >>"$work/rss.txt"
    sleep 15
  done
) &
sampler=$!
disk_sampler=
if [[ -n "$data_dir" ]]; then
  (
    while kill -0 "$server" 2>/dev/null; do
      echo "$(date +%s) $(du -sb "$data_dir" | cut -f1)" >>"$work/disk.txt"
      sleep 30
    done
  ) &
  disk_sampler=$!
fi
echo "soak: ${duration} at ${rate} req/s against 127.0.0.1:${port} (server pid ${server}); samples in ${work}/rss.txt"
status=0
"$bin" bench --endpoint "http://127.0.0.1:$port" --scenario mixed --connections 4 \
  --duration "$duration" --warmup 2s --rate "$rate" --groups 16 | tee "$work/bench.txt" || status=$?
echo "$(date +%s) $(rss)" >>"$work/rss.txt"
kill "$sampler" 2>/dev/null || true
disk_status=0
if [[ -n "$data_dir" ]]; then
  echo "$(date +%s) $(du -sb "$data_dir" | cut -f1)" >>"$work/disk.txt"
  kill "$disk_sampler" 2>/dev/null || true
  python3 - "$work/disk.txt" <<'PY' || disk_status=$?
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
t0, end = rows[0][0], rows[-1][0]
print("soak: data directory size (bytes) over time:")
for t, size in rows:
    print(f"  {t - t0:5d} s  {size:12d}  ({size / 2**20:.1f} MiB)")
last5 = [size for t, size in rows if t >= end - 300]
limit = last5[0] * 1.25 + 16 * 2**20
flat = max(last5) <= limit
print(f"soak: data directory over the last 5 min {min(last5)}..{max(last5)} bytes (limit {limit:.0f}) -> {'flat' if flat else 'GROWING'}")
sys.exit(0 if flat else 1)
PY
fi
python3 - "$work/rss.txt" "$status" "$disk_status" <<'PY'
import sys
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 2]
t0 = rows[0][0]
print("soak: server RSS (KiB) over time:")
for t, kib in rows:
    print(f"  {t - t0:5d} s  {kib:8d}")
base = next((kib for t, kib in rows if t - t0 >= 180), rows[0][1])
last = rows[-1][1]
flat = last <= base * 1.10 + 8192
print(f"soak: at 3 min {base} KiB, at the end {last} KiB, peak {max(k for _, k in rows)} KiB -> {'flat' if flat else 'GROWING'}")
print(f"soak: load generator exit status {sys.argv[2]}")
sys.exit(0 if flat and sys.argv[2] == "0" and sys.argv[3] == "0" else 1)
PY
