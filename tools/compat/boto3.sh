#!/usr/bin/env bash
# boto3 against a fresh fifowin: the current release (AWS JSON 1.0 for SQS) and
# 1.34.89, the last botocore that speaks the Query protocol to SQS (SNS is Query in
# both). Usage: boto3.sh current|1.34.89 [sqs|sns]  (the scenario; sqs by default)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case "${1:-current}" in
  current) env="$(python_env boto3-current boto3)"; protocol=json ;;
  1.34.89) env="$(python_env boto3-1.34.89 boto3==1.34.89 botocore==1.34.89)"; protocol=query ;;
  *) echo "usage: $0 current|1.34.89 [sqs|sns]" >&2; exit 2 ;;
esac
case "${2:-sqs}" in
  sqs) scenario=(boto3_scenario.py "$protocol") ;;
  sns) scenario=(boto3_sns_scenario.py) ;;
  *) echo "usage: $0 current|1.34.89 [sqs|sns]" >&2; exit 2 ;;
esac
start_fifowin
echo "== boto3 ${1:-current} ${2:-sqs} scenario against $FIFOWIN_ENDPOINT"
"$env/bin/python" "$COMPAT_ROOT/tools/compat/${scenario[0]}" "$FIFOWIN_ENDPOINT" "${scenario[@]:1}"
