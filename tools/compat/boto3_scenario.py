"""The compat scenario for boto3 (any version): FIFO and standard queues, typed
attributes with locally computed MD5s, duplicates inside the window, a batch with a
failing entry, attribute filters, visibility, delete, a DLQ move and back, and a
nonexistent-queue error checked by its code. Prints each check; exits 1 on failure.

Usage: python boto3_scenario.py <endpoint> <expected protocol: query|json>
"""

import hashlib
import struct
import sys
import time
import uuid

import boto3
import botocore
from botocore.exceptions import ClientError

ENDPOINT, EXPECTED_PROTOCOL = sys.argv[1], sys.argv[2]
failures = []


def check(name, ok, detail=""):
    print(f"  {'ok  ' if ok else 'FAIL'} {name}" + (f" ({detail})" if detail and not ok else ""))
    if not ok:
        failures.append(name)


def md5_of_attributes(attrs):
    """MD5 of message attributes as SQS defines it, computed here independently."""
    out = b""
    for name in sorted(attrs):
        v = attrs[name]
        out += struct.pack(">I", len(name.encode())) + name.encode()
        out += struct.pack(">I", len(v["DataType"].encode())) + v["DataType"].encode()
        if "StringValue" in v:
            out += b"\x01" + struct.pack(">I", len(v["StringValue"].encode())) + v["StringValue"].encode()
        else:
            out += b"\x02" + struct.pack(">I", len(v["BinaryValue"])) + v["BinaryValue"]
    return hashlib.md5(out).hexdigest()


sqs = boto3.client(
    "sqs",
    endpoint_url=ENDPOINT,
    region_name="us-east-1",
    aws_access_key_id="x",
    aws_secret_access_key="x",
)
protocol = sqs.meta.service_model.protocol
print(f"boto3 {boto3.__version__} / botocore {botocore.__version__} speaking {protocol}")
check(f"client speaks {EXPECTED_PROTOCOL}", protocol == EXPECTED_PROTOCOL, protocol)

suffix = uuid.uuid4().hex[:8]
fifo = sqs.create_queue(QueueName=f"orders-{suffix}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
std = sqs.create_queue(QueueName=f"jobs-{suffix}", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
dlq = sqs.create_queue(QueueName=f"jobs-dlq-{suffix}")["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sqs.set_queue_attributes(
    QueueUrl=std,
    Attributes={"RedrivePolicy": f'{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":"1"}}'},
)
attrs = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["All"])["Attributes"]
check("create FIFO and standard queues", attrs.get("FifoQueue") == "true", attrs)

body = 'order <1> & "quotes"\r\n'
message_attributes = {
    "str": {"DataType": "String", "StringValue": "s<&>"},
    "num": {"DataType": "Number", "StringValue": "12.5"},
    "bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"},
}
sent = sqs.send_message(
    QueueUrl=fifo,
    MessageBody=body,
    MessageGroupId="g1",
    MessageDeduplicationId="d1",
    MessageAttributes=message_attributes,
)
check("send: body MD5", sent["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest())
check(
    "send: string/number/binary attribute MD5",
    sent["MD5OfMessageAttributes"] == md5_of_attributes(message_attributes),
    sent.get("MD5OfMessageAttributes"),
)
check("send: FIFO sequence number", sent.get("SequenceNumber", "").isdigit())
dup = sqs.send_message(QueueUrl=fifo, MessageBody="other body", MessageGroupId="g1", MessageDeduplicationId="d1")
check("duplicate inside the window returns the original MessageId", dup["MessageId"] == sent["MessageId"])
check("duplicate reports the MD5 of the new body", dup["MD5OfMessageBody"] == hashlib.md5(b"other body").hexdigest())

batch = sqs.send_message_batch(
    QueueUrl=std,
    Entries=[
        {"Id": "ok1", "MessageBody": "job one"},
        {"Id": "bad", "MessageBody": "bell \x07"},
        {"Id": "ok2", "MessageBody": "job two"},
    ],
)
check("batch: two entries succeed", sorted(e["Id"] for e in batch.get("Successful", [])) == ["ok1", "ok2"])
failed = batch.get("Failed", [])
check(
    "batch: the failing entry is reported with its code",
    len(failed) == 1 and failed[0]["Id"] == "bad" and failed[0]["Code"] == "InvalidMessageContents" and failed[0]["SenderFault"] is True,
    failed,
)

got = sqs.receive_message(
    QueueUrl=fifo,
    MaxNumberOfMessages=10,
    AttributeNames=["SentTimestamp", "MessageGroupId"],
    MessageAttributeNames=["str", "bi.*"],
)["Messages"]
m = got[0]
check("receive: body round-trips (escaping)", m["Body"] == body, repr(m["Body"]))
check("receive: MD5OfBody", m["MD5OfBody"] == hashlib.md5(body.encode()).hexdigest())
check("receive: attribute filter returns the requested subset", sorted(m.get("MessageAttributes", {})) == ["bin", "str"], m.get("MessageAttributes"))
subset = {k: message_attributes[k] for k in ("bin", "str")}
check("receive: binary attribute value", m["MessageAttributes"]["bin"]["BinaryValue"] == b"\x00\x01\xfe\xff")
check("receive: MD5 over the returned subset", m.get("MD5OfMessageAttributes") == md5_of_attributes(subset))
check("receive: system attribute filter", sorted(m.get("Attributes", {})) == ["MessageGroupId", "SentTimestamp"], m.get("Attributes"))

sqs.change_message_visibility(QueueUrl=fifo, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
again = sqs.receive_message(QueueUrl=fifo).get("Messages", [])
check("change visibility to 0 makes the message receivable again", len(again) == 1 and again[0]["MessageId"] == m["MessageId"])
sqs.delete_message(QueueUrl=fifo, ReceiptHandle=again[0]["ReceiptHandle"])
left = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
check("delete empties the queue", left == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}, left)

# DLQ: maxReceiveCount 1, so the second receive moves the message to the DLQ.
first = sqs.receive_message(QueueUrl=std, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
second = sqs.receive_message(QueueUrl=std, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
in_dlq = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
check("DLQ: messages move after maxReceiveCount", len(first) == 2 and second == [] and in_dlq["ApproximateNumberOfMessages"] == "2", (first, second, in_dlq))
sources = sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"]
check("DLQ: ListDeadLetterSourceQueues names the source", sources == [std], sources)
if hasattr(sqs, "start_message_move_task"):
    handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
    status = None
    for _ in range(50):
        tasks = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]
        status = tasks[0]["Status"]
        if status == "COMPLETED":
            break
        time.sleep(0.1)
    back = sqs.get_queue_attributes(QueueUrl=std, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    check("DLQ: a move task redrives the messages to their source", status == "COMPLETED" and back["ApproximateNumberOfMessages"] == "2", (status, back))
    check("DLQ: the task reports what it moved", tasks[0]["ApproximateNumberOfMessagesMoved"] == 2, tasks[0])

try:
    sqs.get_queue_url(QueueName=f"missing-{suffix}")
    check("nonexistent queue raises", False)
except sqs.exceptions.QueueDoesNotExist as e:
    code = e.response["Error"]["Code"]
    check("nonexistent queue: QueueDoesNotExist exception class", True)
    check("nonexistent queue: code AWS.SimpleQueueService.NonExistentQueue", code == "AWS.SimpleQueueService.NonExistentQueue", code)
except ClientError as e:
    check("nonexistent queue: QueueDoesNotExist exception class", False, e.response["Error"])

for url in (fifo, std, dlq):
    sqs.delete_queue(QueueUrl=url)

print(f"{len(failures) == 0 and 'PASS' or 'FAIL'}: {len(failures)} failed check(s)")
sys.exit(1 if failures else 0)
