#!/usr/bin/env bash
# Benchmarks fifowin against peer SQS emulators and an HTTP floor on this machine, with
# one generator (`fifowin bench`) and one set of settings, and prints one table.
#
#   tools/bench/run.sh                 every system, every scenario (a few minutes)
#   tools/bench/run.sh --only fifowin,floor
#   tools/bench/run.sh --scale         also: send-unique with 10 million live dedup ids
#
# Peers are installed on first use into tools/bench/.peers (gitignored): fauxqs and
# local-aws-sqs from npm (with Node 22 from the npm package `node`), moto from PyPI.
# Every server listens on 127.0.0.1 only and is stopped by PID when the script exits.
# Environment: BENCH_DURATION (5s), BENCH_CONNECTIONS (2), BENCH_REPEAT (3): runs of
# every scenario per system, the table shows the median; CARGO_TARGET_DIR, and
# BENCH_NICE (0): a nice level for every server and the generator alike (e.g. -10
# on a machine where other jobs compete for the cores).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BENCH=$ROOT/tools/bench
PEERS=$BENCH/.peers
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
DURATION=${BENCH_DURATION:-5s}
CONNECTIONS=${BENCH_CONNECTIONS:-2}
NICE=${BENCH_NICE:-0}
REPEAT=${BENCH_REPEAT:-3}
ONLY=fifowin,fauxqs,local-aws-sqs,moto,floor
SCALE=0
while [ $# -gt 0 ]; do
  case $1 in
    --only) ONLY=$2; shift 2 ;;
    --scale) SCALE=1; shift ;;
    *) echo "usage: $0 [--only a,b] [--scale]" >&2; exit 2 ;;
  esac
done
wants() { [[ ",$ONLY," == *",$1,"* ]]; }

mkdir -p "$BENCH/results"
RESULTS=$BENCH/results/$(date +%Y%m%d-%H%M%S).jsonl
FIFOWIN=$TARGET/release/fifowin
FLOOR=$TARGET/release/http-floor

echo "== build (release)"
cargo build --release --locked -p fifowin -p fifowin-bench

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# Starts a server in the background: start NAME PORT CMD...; sets SERVER_PID and
# STARTUP_MS (exec to first accepted connection).
start() {
  local name=$1 port=$2; shift 2
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is taken; not starting $name" >&2; return 1
  fi
  local t0; t0=$(date +%s%N)
  nice -n "$NICE" "$@" >"$BENCH/results/$name.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  local deadline=$((t0 + 60000000000))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null || [ "$(date +%s%N)" -gt "$deadline" ]; then
      echo "$name did not start; see $BENCH/results/$name.log" >&2; return 1
    fi
  done
  STARTUP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
}

stop() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# Milliseconds the threads of process $1 have waited, runnable, for a core (schedstat).
queued_ms() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ns += $2} END {printf "%.1f", ns / 1e6}'; }

# The same generator and settings for every system: bench LABEL PORT CONNECTIONS ARGS...
bench() {
  local label=$1 port=$2 connections=$3; shift 3
  nice -n "$NICE" "$FIFOWIN" bench --endpoint "http://127.0.0.1:$port" --label "$label" \
    --connections "$connections" --duration "$DURATION" --warmup 1s \
    --prefill 1000000 --prefill-timeout 20s --json-out "$RESULTS" "$@" \
    || echo "($label: a check failed or the run stopped; see above)"
}

run_all() {
  local label=$1 port=$2 round
  for round in $(seq "$REPEAT"); do
    echo "-- $label, round $round of $REPEAT"
    bench "$label" "$port" "$CONNECTIONS" --scenario send-unique,send-dup50,send-batch10,receive-delete,mixed
    # Fan-in: 4 producers at 2000 msg/s in total, 4 consumers parked in long polls.
    bench "$label" "$port" 8 --scenario long-poll --rate 2000 --wait-seconds 1
  done
}

install_npm_peers() {
  if [ ! -x "$PEERS/npm/node_modules/.bin/node" ] || [ ! -d "$PEERS/npm/node_modules/fauxqs" ]; then
    echo "== installing fauxqs, local-aws-sqs and Node 22 (npm)"
    mkdir -p "$PEERS/npm"
    cp "$BENCH/peers/package.json" "$PEERS/npm/"
    (cd "$PEERS/npm" && npm install --no-audit --no-fund)
  fi
  cp "$BENCH"/peers/*.mjs "$PEERS/npm/"
  NODE22=$PEERS/npm/node_modules/.bin/node
}

install_moto() {
  if [ ! -x "$PEERS/venv/bin/moto_server" ]; then
    echo "== installing moto[server] (PyPI)"
    python3 -m venv "$PEERS/venv"
    "$PEERS/venv/bin/pip" install -q "moto[server]==5.2.5"
  fi
}

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), nice $NICE, $(git rev-parse --short HEAD)"

if wants fifowin; then
  echo "== fifowin"
  start fifowin 19324 "$FIFOWIN" serve --port 19324 --log-level warn
  echo "fifowin: start-up ${STARTUP_MS} ms (exec to first accepted connection), idle RSS $(rss_kib "$SERVER_PID") KiB"
  run_all fifowin 19324
  # p99 at half of the peak just measured (the median closed-loop send-unique
  # run), open loop, as many times.
  peak=$(grep '"label":"fifowin","scenario":"send-unique"' "$RESULTS" | grep -v '"rate":[0-9]' \
    | sed 's/.*"req_per_s":\([0-9.]*\).*/\1/' | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
  half=$(awk -v p="$peak" 'BEGIN {printf "%d", p / 2}')
  for round in $(seq "$REPEAT"); do
    # 8 connections, so one slow reply holds up few of the scheduled requests.
    queued_before=$(queued_ms "$SERVER_PID")
    bench fifowin 19324 8 --scenario send-unique --rate "$half"
    echo "fifowin server: waited $(awk -v a="$queued_before" -v b="$(queued_ms "$SERVER_PID")" 'BEGIN {printf "%.1f", b - a}') ms for a core during that run (warm-up included)"
  done
  echo "fifowin: RSS after the runs $(rss_kib "$SERVER_PID") KiB"
  stop
fi

if wants floor; then
  echo "== HTTP floor (bare hyper, canned SendMessage reply)"
  start floor 19330 "$FLOOR" 19330
  for round in $(seq "$REPEAT"); do
    bench floor 19330 "$CONNECTIONS" --scenario send-unique --no-check --keep-queue
  done
  stop
  # The same floor with fifowin's busy polling (its default --busy-poll, 200 µs):
  # what the I/O alone can do when neither side waits for a core to wake up.
  echo "== HTTP floor with busy polling"
  start floor-busy-poll 19331 "$FLOOR" 19331 1 200
  for round in $(seq "$REPEAT"); do
    bench floor-busy-poll 19331 "$CONNECTIONS" --scenario send-unique --no-check --keep-queue
  done
  # The control for fifowin's half-load tail: the floor at the same rate, so the
  # machine's own stalls (which count as latency for every server) are in the table.
  if [ -n "${half:-}" ]; then
    for round in $(seq "$REPEAT"); do
      bench floor-busy-poll 19331 8 --scenario send-unique --no-check --keep-queue --rate "$half"
    done
  fi
  stop
fi

if wants fauxqs || wants local-aws-sqs; then install_npm_peers; fi

if wants fauxqs; then
  echo "== fauxqs $(node -p "require('$PEERS/npm/node_modules/fauxqs/package.json').version") on Node $("$NODE22" --version)"
  start fauxqs 14566 "$NODE22" "$PEERS/npm/fauxqs.mjs" 14566
  echo "fauxqs: start-up ${STARTUP_MS} ms, idle RSS $(rss_kib "$SERVER_PID") KiB"
  run_all fauxqs 14566
  stop
fi

if wants local-aws-sqs; then
  echo "== local-aws-sqs $(node -p "require('$PEERS/npm/node_modules/local-aws-sqs/package.json').version") on Node $("$NODE22" --version)"
  start local-aws-sqs 15432 "$NODE22" "$PEERS/npm/local-aws-sqs.mjs" 15432
  echo "local-aws-sqs: start-up ${STARTUP_MS} ms, idle RSS $(rss_kib "$SERVER_PID") KiB"
  run_all local-aws-sqs 15432
  stop
fi

if wants moto; then
  install_moto
  echo "== moto $("$PEERS/venv/bin/python" -c 'import moto; print(moto.__version__)')"
  start moto 15000 "$PEERS/venv/bin/moto_server" -H 127.0.0.1 -p 15000
  echo "moto: start-up ${STARTUP_MS} ms, idle RSS $(rss_kib "$SERVER_PID") KiB"
  run_all moto 15000
  stop
fi

if [ "$SCALE" = 1 ]; then
  echo "== scale: send-unique with 10 thousand and 10 million live dedup ids"
  # A 1-hour window, so no id expires while the 10 million are sent.
  start fifowin-scale 19325 "$FIFOWIN" serve --port 19325 --log-level warn --dedup-window 1h
  scale_step() {
    local live=$1 before after
    before=$(rss_kib "$SERVER_PID")
    nice -n "$NICE" "$FIFOWIN" bench --endpoint http://127.0.0.1:19325 --label "fill-$live" --queue-name "scale-$live.fifo" \
      --scenario send-batch10 --requests $((live / 10)) --warmup 0s --keep-queue --drain
    after=$(rss_kib "$SERVER_PID")
    echo "scale: $live live dedup ids (messages drained): RSS $before -> $after KiB"
    # As often as every other scenario, so the table's figure is a median too; each
    # run is drained afterwards, so every run starts on an empty queue and only adds
    # its few hundred thousand ids to the live ones.
    for round in $(seq "$REPEAT"); do
      nice -n "$NICE" "$FIFOWIN" bench --endpoint http://127.0.0.1:19325 --label "live-$live" --queue-name "scale-$live.fifo" \
        --scenario send-unique --connections "$CONNECTIONS" --duration "$DURATION" --warmup 1s \
        --keep-queue --drain --json-out "$RESULTS"
    done
  }
  scale_step 10000
  scale_step 10000000
  stop
fi

echo "== results: $RESULTS"
"$FIFOWIN" bench --table "$RESULTS" --subject fifowin
