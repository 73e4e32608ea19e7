#!/usr/bin/env bash
# Runs every test of the project: the Rust workspace (engine, wire, server, analyzer,
# CLI and the end-to-end suite that drives the server with aws-sdk-sqs over real
# sockets), then the cross-client compatibility scenarios (tools/compat/run-all.sh:
# boto3, the AWS CLI v1, JS v3, aws-sdk v2, sqs-consumer; they need python3 and node).
# Arguments are passed to `cargo test` and make it a filtered run without the
# compat scenarios; FIFOWIN_SKIP_COMPAT=1 skips them too.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked "$@"
if [[ $# -eq 0 && -z "${FIFOWIN_SKIP_COMPAT:-}" ]]; then
  tools/compat/run-all.sh
fi
