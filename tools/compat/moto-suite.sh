#!/usr/bin/env bash
# moto's own test suites in its server mode, pointed at a fresh fifowin started with
# moto's hard-coded account:
#   sqs  tests/test_sqs/test_sqs.py
#   sns  tests/test_sns/ for the operations fifowin serves: topics, subscriptions,
#        publishing (to SQS, filter policies, FIFO) and PublishBatch; SNS and SQS
#        share fifowin's one endpoint, as moto's tests that deliver to SQS expect.
#        Not run: test_application.py (platform applications, SMS),
#        test_sns_cloudformation.py (CloudFormation), test_server.py and
#        test_utils.py (moto's own server and helpers).
# The tests come from the moto sdist and import moto, so the same moto version is
# installed beside them; their between-test reset (`POST /moto-api/reset`) is served
# by fifowin as an alias of `POST /_fifowin/reset`.
#
# Prints every failing test, then `moto <suite> suite: N passed, M failed`. Exits 1
# when a test fails that the suite's exceptions file (moto-exceptions.txt,
# moto-sns-exceptions.txt) does not list: each listed test conflicts with the spec
# or tests moto-only behaviour (see README.md here). pytest is stopped after
# MOTO_SUITE_TIMEOUT seconds (600 by default), which fails the run.
# Usage: moto-suite.sh [sqs|sns] [extra pytest args]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

suite=sqs
if [[ "${1:-}" == sqs || "${1:-}" == sns ]]; then
  suite="$1"
  shift
fi
case "$suite" in
  sqs) tests=(tests/test_sqs/test_sqs.py); exceptions=moto-exceptions.txt ;;
  sns)
    tests=(tests/test_sns/test_topics.py tests/test_sns/test_subscriptions.py
      tests/test_sns/test_publishing.py tests/test_sns/test_publish_batch.py)
    exceptions=moto-sns-exceptions.txt
    ;;
esac

MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
env="$(python_env "moto-$MOTO_VERSION" "moto==$MOTO_VERSION" pytest freezegun)"
sdist_dir="$COMPAT_WORK/moto-sdist-$MOTO_VERSION"
if [[ ! -d "$sdist_dir/moto-$MOTO_VERSION/tests/test_sqs" ]]; then
  rm -rf "$sdist_dir"
  mkdir -p "$sdist_dir"
  "$env/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    "moto==$MOTO_VERSION" -d "$sdist_dir" >&2
  tar -xzf "$sdist_dir/moto-$MOTO_VERSION.tar.gz" -C "$sdist_dir"
fi

# moto's server-mode tests expect its account and its own default address in
# queue URLs; both are fifowin settings (clients send to their endpoint anyway).
start_fifowin --account-id 123456789012 --public-url http://localhost:5000
echo "== moto $MOTO_VERSION ${tests[*]} against $FIFOWIN_ENDPOINT"
report="$COMPAT_WORK/moto-$suite-junit.xml"
rm -f "$report"
set +e
(
  cd "$sdist_dir/moto-$MOTO_VERSION"
  TEST_SERVER_MODE=true TEST_SERVER_MODE_ENDPOINT="$FIFOWIN_ENDPOINT" \
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 \
    timeout "${MOTO_SUITE_TIMEOUT:-600}" \
    "$env/bin/python" -m pytest "${tests[@]}" -p no:cacheprovider -q \
    --no-header --color=no -rN --tb=no --junitxml="$report" "$@" >"$COMPAT_WORK/moto-$suite-pytest.log" 2>&1
)
status=$?
set -e
if [[ $status -eq 124 || ! -f "$report" ]]; then
  echo "moto $suite suite: pytest did not finish (status $status); see $COMPAT_WORK/moto-$suite-pytest.log"
  exit 1
fi
(cd "$sdist_dir/moto-$MOTO_VERSION" &&
  "$env/bin/python" "$COMPAT_ROOT/tools/compat/moto_report.py" "$suite" "$report" \
    "$COMPAT_ROOT/tools/compat/$exceptions" "${tests[@]}")
