"""The compat scenario for the AWS CLI v1 (`aws sqs ...` subprocesses, JSON output):
FIFO and standard queues, typed attributes, duplicates inside the window, a batch with
a failing entry, attribute filters, visibility, delete, a DLQ move, and a
nonexistent-queue error checked by its code in the CLI's idiom (stderr text and exit
status 254/255). Prints each check; exits 1 on failure.

Usage: python awscli_scenario.py <aws executable> <endpoint>
"""

import base64
import hashlib
import json
import os
import subprocess
import sys
import uuid

AWS, ENDPOINT = sys.argv[1], sys.argv[2]
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
failures = []


def check(name, ok, detail=""):
    print(f"  {'ok  ' if ok else 'FAIL'} {name}" + (f" ({detail})" if detail and not ok else ""))
    if not ok:
        failures.append(name)


def aws(*args, expect_ok=True):
    proc = subprocess.run([AWS, "--endpoint-url", ENDPOINT, "--output", "json", "sqs", *args], env=ENV, capture_output=True, text=True)
    if expect_ok and proc.returncode != 0:
        raise SystemExit(f"aws sqs {' '.join(args)} failed: {proc.stderr}")
    if not expect_ok:
        return proc
    return json.loads(proc.stdout) if proc.stdout.strip() else {}


version = subprocess.run([AWS, "--version"], env=ENV, capture_output=True, text=True)
print((version.stdout or version.stderr).strip())
suffix = uuid.uuid4().hex[:8]
fifo = aws("create-queue", "--queue-name", f"cli-{suffix}.fifo", "--attributes", "FifoQueue=true")["QueueUrl"]
std = aws("create-queue", "--queue-name", f"cli-{suffix}")["QueueUrl"]
dlq = aws("create-queue", "--queue-name", f"cli-dlq-{suffix}")["QueueUrl"]
dlq_arn = aws("get-queue-attributes", "--queue-url", dlq, "--attribute-names", "QueueArn")["Attributes"]["QueueArn"]
aws("set-queue-attributes", "--queue-url", std, "--attributes", json.dumps({"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})}))
check("create FIFO and standard queues", fifo.endswith(".fifo") and std.endswith(suffix))

attrs = {
    "str": {"DataType": "String", "StringValue": "value"},
    "num": {"DataType": "Number", "StringValue": "42"},
    "bin": {"DataType": "Binary", "BinaryValue": "AAEC/w=="},
}
body = "cli <body> & more"
sent = aws("send-message", "--queue-url", fifo, "--message-body", body, "--message-group-id", "g", "--message-deduplication-id", "d1", "--message-attributes", json.dumps(attrs))
check("send: body MD5", sent["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest())
check("send: attribute MD5 present", len(sent.get("MD5OfMessageAttributes", "")) == 32)
dup = aws("send-message", "--queue-url", fifo, "--message-body", "again", "--message-group-id", "g", "--message-deduplication-id", "d1")
check("duplicate inside the window returns the original MessageId", dup["MessageId"] == sent["MessageId"])

batch = aws("send-message-batch", "--queue-url", std, "--entries", json.dumps([
    {"Id": "a", "MessageBody": "one"},
    {"Id": "b", "MessageBody": "x" * 10, "DelaySeconds": 901},
]))
check("batch: one entry succeeds", [e["Id"] for e in batch.get("Successful", [])] == ["a"], batch)
failed = batch.get("Failed", [])
check("batch: the failing entry is reported", len(failed) == 1 and failed[0]["Id"] == "b" and failed[0]["Code"] == "InvalidParameterValue", failed)

got = aws("receive-message", "--queue-url", fifo, "--attribute-names", "SentTimestamp", "--message-attribute-names", "num", "bin")
m = got["Messages"][0]
check("receive: body round-trips", m["Body"] == body)
check("receive: attribute filter", sorted(m.get("MessageAttributes", {})) == ["bin", "num"], m.get("MessageAttributes"))
# CLI v1 sends a blob argument's text as the raw bytes and prints blobs base64-encoded.
check("receive: binary value", m["MessageAttributes"]["bin"]["BinaryValue"] == base64.b64encode(b"AAEC/w==").decode(), m["MessageAttributes"]["bin"])
check("receive: system attribute filter", list(m.get("Attributes", {})) == ["SentTimestamp"], m.get("Attributes"))
aws("change-message-visibility", "--queue-url", fifo, "--receipt-handle", m["ReceiptHandle"], "--visibility-timeout", "0")
again = aws("receive-message", "--queue-url", fifo).get("Messages", [])
check("change visibility to 0 makes the message receivable again", len(again) == 1 and again[0]["MessageId"] == m["MessageId"])
aws("delete-message", "--queue-url", fifo, "--receipt-handle", again[0]["ReceiptHandle"])
left = aws("get-queue-attributes", "--queue-url", fifo, "--attribute-names", "ApproximateNumberOfMessages")["Attributes"]
check("delete empties the queue", left["ApproximateNumberOfMessages"] == "0", left)

aws("receive-message", "--queue-url", std, "--visibility-timeout", "0")
aws("receive-message", "--queue-url", std, "--visibility-timeout", "0")
moved = aws("get-queue-attributes", "--queue-url", dlq, "--attribute-names", "ApproximateNumberOfMessages")["Attributes"]
check("DLQ: the message moves after maxReceiveCount", moved["ApproximateNumberOfMessages"] == "1", moved)

proc = aws("get-queue-url", "--queue-name", f"missing-{suffix}", expect_ok=False)
check("nonexistent queue: non-zero exit", proc.returncode != 0, proc.returncode)
check("nonexistent queue: code AWS.SimpleQueueService.NonExistentQueue", "(AWS.SimpleQueueService.NonExistentQueue)" in proc.stderr, proc.stderr.strip())

for url in (fifo, std, dlq):
    aws("delete-queue", "--queue-url", url)
print(f"{len(failures) == 0 and 'PASS' or 'FAIL'}: {len(failures)} failed check(s)")
sys.exit(1 if failures else 0)
