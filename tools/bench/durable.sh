#!/usr/bin/env bash
# Durable mode against memory: for each connection count and scenario, one
# in-memory run and one `--data-dir` run back to back (same build, fresh server
# and fresh data directory each), printing requests/s and the ratio.
#
# Usage: tools/bench/durable.sh [CONNECTIONS...]   (default: 2 16 64)
# Env: FIFOWIN (default: $CARGO_TARGET_DIR or target, /release/fifowin, built if
# missing), DURATION (default 5s), SCENARIOS (default "send-unique send-batch10"),
# PAIRS (default 1): memory and durable runs alternate PAIRS times per row; the
# row then shows the median of each and of the pairs' ratios, and every pair's
# ratio. On a shared or virtual machine whose speed drifts from one run to the
# next, the ratio of one pair moves with that drift; a pair's two runs are
# seconds apart, so their ratio drifts less than runs minutes apart, and the
# median of several pairs less again.
# Prints this disk's fsync latency before and after the table.
# Bounded: every run lasts DURATION plus a 1 s warm-up; servers listen on
# 127.0.0.1 port 0 and are stopped by this script.
set -euo pipefail
cd "$(dirname "$0")/../.."
TARGET=${CARGO_TARGET_DIR:-target}
FIFOWIN=${FIFOWIN:-$TARGET/release/fifowin}
DURATION=${DURATION:-5s}
SCENARIOS=${SCENARIOS:-send-unique send-batch10}
PAIRS=${PAIRS:-1}
CONNECTIONS=("$@")
[ ${#CONNECTIONS[@]} -gt 0 ] || CONNECTIONS=(2 16 64)
[ -x "$FIFOWIN" ] || cargo build --release --locked -p fifowin

# shellcheck source=tools/bench/one_server.sh
. tools/bench/one_server.sh

# One run: run_one SCENARIO CONNECTIONS [serve args...]; prints requests/s.
run_one() {
  local scenario=$1 conns=$2; shift 2
  rm -f "$WORK/out.json"
  start_server "$FIFOWIN" "$@"
  "$FIFOWIN" bench --endpoint "$SERVER_URL" --scenario "$scenario" --connections "$conns" \
    --duration "$DURATION" --json-out "$WORK/out.json" >/dev/null
  stop_server
  python3 -c 'import json,sys; print(round(json.loads(open(sys.argv[1]).readline())["req_per_s"]))' "$WORK/out.json"
}

# This disk's fsync latency, which bounds durable mode with few connections:
# 300 fdatasyncs of a 4 KiB overwrite in a preallocated file beside the data
# directory, as the log writes into zero-filled segments.
fsync_latency() {
  python3 - "$WORK/fsync-probe" <<'PY'
import math, os, statistics, sys, time
count = 300
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
os.write(fd, bytes(1 << 20)); os.fsync(fd)
block, samples = os.urandom(4096), []
for i in range(count):
    os.pwrite(fd, block, (i % 256) * 4096)
    start = time.perf_counter(); os.fdatasync(fd); samples.append(time.perf_counter() - start)
os.close(fd); os.unlink(sys.argv[1])
samples.sort()
p99 = samples[math.ceil(0.99 * count) - 1]  # nearest rank
print(f"fsync (4 KiB, {count} samples): median {statistics.median(samples) * 1e3:.3f} ms, "
      f"p99 {p99 * 1e3:.3f} ms")
PY
}

echo "before: $(fsync_latency)"
echo
if [ "$PAIRS" -le 1 ]; then
  printf '| scenario | connections | memory req/s | durable req/s | durable / memory |\n'
  printf '|---|---:|---:|---:|---:|\n'
else
  printf '| scenario | connections | memory req/s (median of %s) | durable req/s (median) | durable / memory (median) | each pair |\n' "$PAIRS"
  printf '|---|---:|---:|---:|---:|---|\n'
fi
for scenario in $SCENARIOS; do
  for conns in "${CONNECTIONS[@]}"; do
    mems=() durs=()
    for _ in $(seq "$PAIRS"); do
      mems+=("$(run_one "$scenario" "$conns")")
      durs+=("$(run_one "$scenario" "$conns" --data-dir "$WORK/data")")
    done
    python3 - "$scenario" "$conns" "$PAIRS" "${mems[*]}" "${durs[*]}" <<'PY'
import statistics, sys
scenario, conns, pairs = sys.argv[1], sys.argv[2], int(sys.argv[3])
mems = [int(v) for v in sys.argv[4].split()]
durs = [int(v) for v in sys.argv[5].split()]
ratios = [d / m for m, d in zip(mems, durs)]
if pairs <= 1:
    print(f"| {scenario} | {conns} | {mems[0]} | {durs[0]} | {ratios[0]:.2f} |")
else:
    each = " / ".join(f"{r:.2f}" for r in ratios)
    print(f"| {scenario} | {conns} | {round(statistics.median(mems))} | "
          f"{round(statistics.median(durs))} | {statistics.median(ratios):.2f} | {each} |")
PY
  done
done
echo
echo "after: $(fsync_latency)"
