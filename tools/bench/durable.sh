#!/usr/bin/env bash
# Durable mode against memory: for each connection count and scenario, one
# in-memory run and one `--data-dir` run back to back (same build, fresh server
# and fresh data directory each), printing requests/s and the ratio.
#
# Usage: tools/bench/durable.sh [CONNECTIONS...]   (default: 2 16 64)
# Env: FIFOWIN (default: $CARGO_TARGET_DIR or target, /release/fifowin, built if
# missing), DURATION (default 5s), SCENARIOS (default "send-unique send-batch10").
# Bounded: every run lasts DURATION plus a 1 s warm-up; servers listen on
# 127.0.0.1 port 0 and are stopped by this script.
set -euo pipefail
cd "$(dirname "$0")/../.."
TARGET=${CARGO_TARGET_DIR:-target}
FIFOWIN=${FIFOWIN:-$TARGET/release/fifowin}
DURATION=${DURATION:-5s}
SCENARIOS=${SCENARIOS:-send-unique send-batch10}
CONNECTIONS=("$@")
[ ${#CONNECTIONS[@]} -gt 0 ] || CONNECTIONS=(2 16 64)
[ -x "$FIFOWIN" ] || cargo build --release --locked -p fifowin

WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# One run: run_one SCENARIO CONNECTIONS [serve args...]; prints requests/s.
run_one() {
  local scenario=$1 conns=$2; shift 2
  rm -rf "$WORK/data" "$WORK/ready" "$WORK/out.json"
  "$FIFOWIN" serve --port 0 --ready-file "$WORK/ready" --log-level warn "$@" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 600); do [ -f "$WORK/ready" ] && break; sleep 0.1; done
  local url; url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$WORK/ready")
  "$FIFOWIN" bench --endpoint "$url" --scenario "$scenario" --connections "$conns" \
    --duration "$DURATION" --json-out "$WORK/out.json" >/dev/null
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
  python3 -c 'import json,sys; print(round(json.loads(open(sys.argv[1]).readline())["req_per_s"]))' "$WORK/out.json"
}

printf '| scenario | connections | memory req/s | durable req/s | durable / memory |\n'
printf '|---|---:|---:|---:|---:|\n'
for scenario in $SCENARIOS; do
  for conns in "${CONNECTIONS[@]}"; do
    mem=$(run_one "$scenario" "$conns")
    dur=$(run_one "$scenario" "$conns" --data-dir "$WORK/data")
    ratio=$(python3 -c "print(f'{$dur / $mem:.2f}')")
    printf '| %s | %s | %s | %s | %s |\n' "$scenario" "$conns" "$mem" "$dur" "$ratio"
  done
done
