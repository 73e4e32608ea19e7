# Sourced by the durable-mode bench scripts: a scratch directory ($WORK) and
# one `fifowin serve` at a time on 127.0.0.1 port 0, stopped when the script
# exits however it exits.
WORK=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_server BIN [serve args...]: starts a server with a fresh $WORK/data
# free for --data-dir, waits for its ready file, and sets SERVER_URL.
start_server() {
  local bin=$1; shift
  rm -rf "$WORK/data" "$WORK/ready"
  "$bin" serve --port 0 --ready-file "$WORK/ready" --log-level warn "$@" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 600); do [ -f "$WORK/ready" ] && break; sleep 0.1; done
  SERVER_URL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$WORK/ready")
}

stop_server() {
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=
}
