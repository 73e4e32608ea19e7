#!/usr/bin/env bash
# Every cross-client scenario against a fresh fifowin each: boto3 (JSON and Query),
# the AWS CLI v1 (current and pinned to a Query botocore), JS v3 with MD5 validation,
# aws-sdk v2, sqs-consumer/sqs-producer, and moto's own SQS test suite; then the SNS
# scenario for boto3 (both lines), the CLI and @aws-sdk/client-sns, and moto's SNS
# tests. (aws-sdk-sqs and aws-sdk-sns for Rust are the e2e suite, run by
# `cargo test`.) Each client installs into a throwaway environment under target/compat. Prints every check, then one summary line; exits 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tools/compat/lib.sh

FIFOWIN_BIN="$(fifowin_bin)" || exit 1
export FIFOWIN_BIN

clients=(
  "boto3.sh current"
  "boto3.sh 1.34.89"
  "awscli.sh current"
  "awscli.sh 1.32.89"
  "node.sh js-v3"
  "node.sh aws-sdk-v2"
  "node.sh consumer"
  "moto-suite.sh"
  "boto3.sh current sns"
  "boto3.sh 1.34.89 sns"
  "awscli.sh current sns"
  "awscli.sh 1.32.89 sns"
  "node.sh js-v3-sns"
  "moto-suite.sh sns"
)
passed=0
failed=0
failures=()
for client in "${clients[@]}"; do
  read -r -a words <<<"$client"
  if "tools/compat/${words[0]}" "${words[@]:1}"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$client")
  fi
done
for f in "${failures[@]}"; do
  echo "FAILED client: $f"
done
echo "compat: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
