#!/usr/bin/env bash
# Installs what tools/package.sh left in dist/ the way users do, with NO Rust toolchain
# on PATH, and runs the example suites against it:
#   a fresh venv: pip install the wheel (+ boto3, pytest, pytest-xdist), then
#     examples/python (boto3, two xdist workers, each with its own server) and the
#     launcher's own tests (packaging/python/tests);
#   a fresh npm project: npm install the two tarballs (+ @aws-sdk/client-sqs v3 and
#     typescript), then tsc on examples/node/types-check.ts and the node:test suite of
#     examples/node (TAP: `# pass N`, `# fail N`).
# Prints how long each install and each suite took.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dist="$root/dist"
wheel=$(ls "$dist"/fifowin-*.whl)
main_tgz=$(ls "$dist"/fifowin-[0-9]*.tgz)
platform_tgz=$(ls "$dist"/fifowin-*-*.tgz)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The Rust toolchain leaves PATH (every directory holding cargo or rustc, e.g.
# ~/.cargo/bin): only what the packages carry may run fifowin.
kept=()
IFS=: read -r -a dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  [[ -x "$dir/cargo" || -x "$dir/rustc" ]] || kept+=("$dir")
done
PATH=$(IFS=:; printf '%s' "${kept[*]}")
export PATH
unset CARGO_TARGET_DIR CARGO_HOME RUSTUP_HOME FIFOWIN_BIN
for tool in cargo rustc; do
  if command -v "$tool" >/dev/null; then
    echo "test-packages.sh: $tool is still on PATH ($(command -v "$tool")); the packages must work without it" >&2
    exit 1
  fi
done
echo "no cargo or rustc on PATH"

seconds() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(seconds)" 'BEGIN { printf "%.1f s", b - a }'; }

echo "== python: pip install $(basename "$wheel") into a fresh venv"
t0=$(seconds)
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" -r examples/python/requirements.txt
echo "pip install took $(took "$t0")"
fifowin_on_path=$(PATH="$work/venv/bin:$PATH" command -v fifowin)
echo "fifowin on the venv's PATH: $fifowin_on_path ($("$fifowin_on_path" --version))"
t1=$(seconds)
(cd examples/python && "$work/venv/bin/python" -m pytest -p no:cacheprovider -n 2)
echo "examples/python took $(took "$t1"); from pip install to green: $(took "$t0")"
t1=$(seconds)
(cd packaging/python && "$work/venv/bin/python" -m pytest -p no:cacheprovider tests)
echo "packaging/python/tests took $(took "$t1")"

echo "== node: npm install the tarballs into a fresh project"
t0=$(seconds)
cp -r examples/node "$work/node"
rm -rf "$work/node/node_modules" "$work/node/package-lock.json"
(cd "$work/node" && npm install --no-audit --no-fund --loglevel=error "$platform_tgz" "$main_tgz")
echo "npm install took $(took "$t0")"
(cd "$work/node" && npm run --silent typecheck && echo "index.d.ts: types-check.ts compiles (tsc --strict)")
t1=$(seconds)
(cd "$work/node" && node --test --test-reporter=tap test/)
echo "examples/node took $(took "$t1"); from npm install to green: $(took "$t0")"
