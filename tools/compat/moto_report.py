"""Reads the JUnit report of a moto suite run (moto-suite.sh): prints every failing
test, marks those the exceptions file does not list, notes listed tests that passed,
counts the tests moto marks `aws_verified`, and exits 1 on an unlisted failure.

Usage: python moto_report.py <suite> <junit.xml> <exceptions file> <test file>...
"""

import re
import sys
import xml.etree.ElementTree as ET

suite, report, exceptions_file, test_files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
# Tests moto marks as verified against real AWS (other decorators may sit between).
verified = set()
for path in test_files:
    verified |= set(re.findall(r"@pytest\.mark\.aws_verified\n.*?^def (test_\w+)", open(path, encoding="utf-8").read(), re.S | re.M))
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
label = "moto suite" if suite == "sqs" else f"moto {suite} suite"
print(f"{label}: {len(passed)} passed, {len(failed)} failed")
if unexpected:
    print(f"{len(unexpected)} failure(s) not listed in tools/compat/{exceptions_file.rsplit('/', 1)[-1]}")
    sys.exit(1)
