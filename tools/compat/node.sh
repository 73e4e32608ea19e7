#!/usr/bin/env bash
# Node clients against a fresh fifowin. Usage: node.sh js-v3|js-v3-sns|aws-sdk-v2|consumer
#   js-v3       @aws-sdk/client-sqs v3, MD5 validation left on
#   js-v3-sns   @aws-sdk/client-sns v3 fanning out to queues read with client-sqs
#   aws-sdk-v2  the `aws-sdk` v2 package
#   consumer    sqs-consumer + sqs-producer driving a real consume loop
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Pinned to the releases last verified here: JS v3 releases from 2027 on require
# node >= 22, and the machine has node 20. Raise them together, deliberately.
JS_V3="@aws-sdk/client-sqs@${FIFOWIN_JS_V3_VERSION:-3.1175.0}"
JS_V3_SNS="@aws-sdk/client-sns@${FIFOWIN_JS_V3_SNS_VERSION:-3.1169.0}"
case "${1:-}" in
  js-v3) env="$(node_env js-v3 "$JS_V3")"; script=js_v3.mjs ;;
  js-v3-sns) env="$(node_env js-v3-sns "$JS_V3_SNS" "$JS_V3")"; script=js_v3_sns.mjs ;;
  aws-sdk-v2) env="$(node_env aws-sdk-v2 aws-sdk@2.1693.0)"; script=aws_sdk_v2.mjs ;;
  consumer) env="$(node_env consumer "$JS_V3" sqs-consumer@14.2.8 sqs-producer@8.0.4)"; script=consumer.mjs ;;
  *) echo "usage: $0 js-v3|js-v3-sns|aws-sdk-v2|consumer" >&2; exit 2 ;;
esac
# The scenarios import their packages from the throwaway node_modules: copy them there.
cp "$COMPAT_ROOT"/tools/compat/node/*.mjs "$env/"
start_fifowin
echo "== node $1 ($(cd "$env" && npm ls --depth=0 2>/dev/null | tail -n +2 | tr -d '\n' | sed 's/[├└]── / /g')) against $FIFOWIN_ENDPOINT"
(cd "$env" && AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1 node "$script" "$FIFOWIN_ENDPOINT")
