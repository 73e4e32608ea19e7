#!/usr/bin/env bash
# moto's own SQS test suite (tests/test_sqs/test_sqs.py from the moto sdist) in its
# server mode, pointed at a fresh fifowin started with moto's hard-coded account.
# moto's tests import moto, so the same moto version is installed beside them; its
# between-test reset (`POST /moto-api/reset`) is served by fifowin as an alias of
# `POST /_fifowin/reset`.
#
# Prints every failing test, then `moto suite: N passed, M failed`. Exits 1 when a
# test fails that tools/compat/moto-exceptions.txt does not list (each listed test
# conflicts with sqs-spec.md or tests moto-only behaviour; see README.md here).
# Usage: moto-suite.sh [extra pytest args]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

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
echo "== moto $MOTO_VERSION tests/test_sqs/test_sqs.py against $FIFOWIN_ENDPOINT"
report="$COMPAT_WORK/moto-junit.xml"
set +e
(
  cd "$sdist_dir/moto-$MOTO_VERSION"
  TEST_SERVER_MODE=true TEST_SERVER_MODE_ENDPOINT="$FIFOWIN_ENDPOINT" \
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 \
    "$env/bin/python" -m pytest tests/test_sqs/test_sqs.py -p no:cacheprovider -q \
    --no-header --color=no -rN --tb=no --junitxml="$report" "$@" >"$COMPAT_WORK/moto-pytest.log" 2>&1
)
set -e
"$env/bin/python" - "$report" "$COMPAT_ROOT/tools/compat/moto-exceptions.txt" \
  "$sdist_dir/moto-$MOTO_VERSION/tests/test_sqs/test_sqs.py" <<'PY'
import re
import sys
import xml.etree.ElementTree as ET

report, exceptions_file, test_file = sys.argv[1], sys.argv[2], sys.argv[3]
# Tests moto marks as verified against real AWS.
verified = set(re.findall(r"@pytest\.mark\.aws_verified\n.*?^def (test_\w+)", open(test_file, encoding="utf-8").read(), re.S | re.M))
listed = {
    line.split("#")[0].strip()
    for line in open(exceptions_file, encoding="utf-8")
    if line.split("#")[0].strip()
}
passed, failed, skipped = [], [], []
for case in ET.parse(report).getroot().iter("testcase"):
    name = case.get("name")
    if case.find("skipped") is not None:
        skipped.append(name)
    elif case.find("failure") is not None or case.find("error") is not None:
        failed.append(name)
    else:
        passed.append(name)
unexpected = [n for n in failed if n not in listed]
now_passing = sorted(n for n in listed if n in passed)
for name in sorted(failed):
    print(f"  {'FAIL' if name in unexpected else 'fail'} {name}" + ("" if name in unexpected else " (listed exception)"))
for name in now_passing:
    print(f"  note {name} is listed as an exception but passed")
print(f"  ({len(skipped)} skipped by moto in server mode)")
# Parametrized tests run once per parameter set: `name[params]`.
is_verified = lambda n: n.split("[")[0] in verified
verified_run = [n for n in passed + failed if is_verified(n)]
print(f"  aws_verified: {len([n for n in passed if is_verified(n)])} of {len(verified_run)} passed")
print(f"moto suite: {len(passed)} passed, {len(failed)} failed")
if unexpected:
    print(f"{len(unexpected)} failure(s) not listed in tools/compat/moto-exceptions.txt")
    sys.exit(1)
PY
