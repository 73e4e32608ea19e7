#!/usr/bin/env bash
# boto3 against a fresh fifowin: the current release (AWS JSON 1.0) and 1.34.89,
# the last botocore that speaks the Query protocol. Usage: boto3.sh current|1.34.89
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case "${1:-current}" in
  current) env="$(python_env boto3-current boto3)"; protocol=json ;;
  1.34.89) env="$(python_env boto3-1.34.89 boto3==1.34.89 botocore==1.34.89)"; protocol=query ;;
  *) echo "usage: $0 current|1.34.89" >&2; exit 2 ;;
esac
start_fifowin
echo "== boto3 ${1:-current} against $FIFOWIN_ENDPOINT"
"$env/bin/python" "$COMPAT_ROOT/tools/compat/boto3_scenario.py" "$FIFOWIN_ENDPOINT" "$protocol"
