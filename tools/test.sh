#!/usr/bin/env bash
# Runs every test of the project: the Rust workspace (engine, wire, server, analyzer,
# CLI and the end-to-end suite that drives the server with aws-sdk-sqs over real
# sockets), then the cross-client compatibility scenarios (tools/compat/run-all.sh:
# boto3, the AWS CLI v1, JS v3, aws-sdk v2, sqs-consumer, their SNS scenarios, and
# moto's SQS and SNS suites; they need python3 and node).
# Arguments are passed to `cargo test` and make it a filtered run without the
# compat scenarios; FIFOWIN_SKIP_COMPAT=1 skips them too.
# The last line totals every cargo test binary and compat scenario:
# `tests: N passed, M failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --locked "$@" 2>&1 | tee "$log"
if [[ $# -eq 0 && -z "${FIFOWIN_SKIP_COMPAT:-}" ]]; then
  tools/compat/run-all.sh 2>&1 | tee -a "$log"
fi
# cargo prints `test result: ok. N passed; M failed; ...` per binary; compat prints
# `compat: N passed, M failed`.
awk '
  /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed;?$/) p += $(i-1); if ($(i) ~ /^failed;?$/) f += $(i-1) } }
  /^compat: [0-9]+ passed, [0-9]+ failed/ { p += $2; f += $4 }
  END { printf "tests: %d passed, %d failed\n", p, f }
' "$log"
