# Shared by the compat runners: where throwaway environments go, and starting and
# stopping the one fifowin server a runner owns (killed by its PID, never by name).

COMPAT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Throwaway venvs and node_modules live under target/ (gitignored, per clone).
COMPAT_WORK="${FIFOWIN_COMPAT_WORK:-$COMPAT_ROOT/target/compat}"
mkdir -p "$COMPAT_WORK"

# The fifowin binary: $FIFOWIN_BIN, or a fresh debug build.
fifowin_bin() {
  if [[ -n "${FIFOWIN_BIN:-}" ]]; then
    echo "$FIFOWIN_BIN"
    return
  fi
  (cd "$COMPAT_ROOT" && cargo build --quiet --locked -p fifowin >&2)
  # Where cargo just built it: CARGO_TARGET_DIR when set (relative to the root).
  local target="${CARGO_TARGET_DIR:-target}"
  [[ "$target" = /* ]] || target="$COMPAT_ROOT/$target"
  echo "$target/debug/fifowin"
}

# start_fifowin [extra serve flags...]: starts `fifowin serve --port 0`, waits for
# its "listening on http://..." line and sets FIFOWIN_ENDPOINT and FIFOWIN_PID.
start_fifowin() {
  local bin log
  bin="$(fifowin_bin)"
  log="$(mktemp "$COMPAT_WORK/fifowin-log.XXXXXX")"
  FIFOWIN_LOG="$log"
  "$bin" serve --port 0 --log-level warn,fifowin=info "$@" 2>"$log" &
  FIFOWIN_PID=$!
  for _ in $(seq 1 100); do
    FIFOWIN_ENDPOINT="$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's/listening on //' || true)"
    [[ -n "$FIFOWIN_ENDPOINT" ]] && break
    if ! kill -0 "$FIFOWIN_PID" 2>/dev/null; then
      echo "fifowin exited early:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.1
  done
  if [[ -z "$FIFOWIN_ENDPOINT" ]]; then
    echo "fifowin did not report its address:" >&2
    cat "$log" >&2
    return 1
  fi
  export FIFOWIN_ENDPOINT FIFOWIN_PID
  trap stop_fifowin EXIT
}

stop_fifowin() {
  if [[ -n "${FIFOWIN_PID:-}" ]] && kill -0 "$FIFOWIN_PID" 2>/dev/null; then
    kill "$FIFOWIN_PID"
    wait "$FIFOWIN_PID" 2>/dev/null || true
  fi
  FIFOWIN_PID=""
}

# python_env NAME PIP_SPEC...: a venv under $COMPAT_WORK with exactly these
# packages; reused when it was built for the same specs. Prints its path.
python_env() {
  local name="$1"
  shift
  local dir="$COMPAT_WORK/venv-$name"
  local want="$*"
  if [[ ! -f "$dir/.specs" || "$(cat "$dir/.specs")" != "$want" ]]; then
    rm -rf "$dir"
    python3 -m venv "$dir" >&2
    "$dir/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
    echo "$want" >"$dir/.specs"
  fi
  echo "$dir"
}

# node_env NAME PACKAGE...: a node_modules dir under $COMPAT_WORK with these
# packages; reused when it was built for the same list. Prints its path.
node_env() {
  local name="$1"
  shift
  local dir="$COMPAT_WORK/node-$name"
  local want="$*"
  if [[ ! -f "$dir/.specs" || "$(cat "$dir/.specs")" != "$want" ]]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd "$dir" && echo '{"private":true,"type":"module"}' >package.json &&
      npm install --silent --no-audit --no-fund "$@" >&2)
    echo "$want" >"$dir/.specs"
  fi
  echo "$dir"
}
