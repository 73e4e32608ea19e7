#!/usr/bin/env bash
# Runs every test of the project: the Rust workspace (engine, wire, server, analyzer,
# CLI and the end-to-end suite that drives the server with aws-sdk-sqs over real sockets).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked "$@"
