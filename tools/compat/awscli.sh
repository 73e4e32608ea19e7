#!/usr/bin/env bash
# The AWS CLI v1 (`awscli` from PyPI) against a fresh fifowin: the current release
# (AWS JSON 1.0 for SQS) and 1.32.89, pinned to botocore 1.34.89 (Query for SQS; SNS
# is Query in both). Usage: awscli.sh current|1.32.89 [sqs|sns]  (sqs by default)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case "${1:-current}" in
  current) env="$(python_env awscli-current awscli)" ;;
  1.32.89) env="$(python_env awscli-1.32.89 awscli==1.32.89 botocore==1.34.89)" ;;
  *) echo "usage: $0 current|1.32.89 [sqs|sns]" >&2; exit 2 ;;
esac
case "${2:-sqs}" in
  sqs) scenario=awscli_scenario.py ;;
  sns) scenario=awscli_sns_scenario.py ;;
  *) echo "usage: $0 current|1.32.89 [sqs|sns]" >&2; exit 2 ;;
esac
start_fifowin
echo "== AWS CLI v1 ${1:-current} ${2:-sqs} scenario against $FIFOWIN_ENDPOINT"
"$env/bin/python" "$COMPAT_ROOT/tools/compat/$scenario" "$env/bin/aws" "$FIFOWIN_ENDPOINT"
