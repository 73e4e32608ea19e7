#!/usr/bin/env bash
# Two (or more) builds against each other in durable mode: for each round, one
# run per build, alternating, each with a fresh server and a fresh data
# directory, and one line per run: requests/s, the server's CPU per request,
# the log writer thread's CPU per request, the log thread's write system calls
# (commits) per request, and the host's steal ticks during the run (a shared
# VM's drift shows there). The per-request figures come from /proc (Linux):
# the work of the 1 s warm-up and of the bench's check phase divided by the
# measured requests too, so they exceed the request path's own cost (more so
# for short runs); compare them between builds, not with other tables.
#
# Usage: tools/bench/durable_ab.sh ROUNDS SCENARIO CONNECTIONS BIN...
# Env: DURATION (default 3s), SERVE_ARGS (extra `fifowin serve` flags).
# The load generator is the first BIN's `fifowin bench`. Bounded: every run
# lasts DURATION plus a 1 s warm-up; servers listen on 127.0.0.1 port 0 and
# are stopped by this script.
set -euo pipefail
[ $# -ge 4 ] || { sed -n '2,15p' "$0"; exit 2; }
ROUNDS=$1 SCENARIO=$2 CONNS=$3; shift 3
DURATION=${DURATION:-3s}
BENCH=$1
# shellcheck source=tools/bench/one_server.sh
. "$(dirname "$0")/one_server.sh"
TICKS=$(getconf CLK_TCK)
steal() { awk '/^cpu /{print $9}' /proc/stat; }

for _ in $(seq "$ROUNDS"); do
  for bin in "$@"; do
    rm -f "$WORK/out.json"
    # shellcheck disable=SC2086
    start_server "$bin" ${SERVE_ARGS:-} --data-dir "$WORK/data"
    steal0=$(steal)
    cpu0=$(awk '{print $14+$15}' "/proc/$SERVER_PID/stat")
    "$BENCH" bench --endpoint "$SERVER_URL" --scenario "$SCENARIO" --connections "$CONNS" \
      --duration "$DURATION" --json-out "$WORK/out.json" >/dev/null
    cpu1=$(awk '{print $14+$15}' "/proc/$SERVER_PID/stat")
    log_cpu=0 log_writes=0
    for task in /proc/"$SERVER_PID"/task/*; do
      if [ "$(cat "$task/comm")" = fifowin-log ]; then
        log_cpu=$(awk '{print $14+$15}' "$task/stat")
        log_writes=$(awk '/^syscw/{print $2}' "$task/io")
      fi
    done
    steal1=$(steal)
    stop_server
    python3 - "$WORK/out.json" "$bin" "$((cpu1 - cpu0))" "$log_cpu" "$log_writes" "$TICKS" "$((steal1 - steal0))" <<'PY'
import json, os, sys
out, name, cpu, log_cpu, log_writes, ticks, steal = sys.argv[1:]
run = json.loads(open(out).readline())
rate = run["req_per_s"]
requests = run["requests"]
us = lambda t: int(t) / int(ticks) / requests * 1e6
print(f"{os.path.basename(name):24} {rate:8.0f} req/s  server {us(cpu):6.1f} us/req  "
      f"log thread {us(log_cpu):5.1f} us/req  commits/req {int(log_writes) / requests:.3f}  steal {steal} ticks")
PY
  done
done
