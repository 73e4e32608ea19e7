"""Regenerates the request halves of the wire crate's golden fixtures with the real
SDK serializers: botocore's Query serializer (run with botocore 1.34.89) writes
`<Op>/query.req`, its JSON serializer (run with a current botocore) `<Op>/json.req`.
The same parameters go through both, so the Rust test can demand that both
protocols decode to the same request.

Usage: python gen_golden_requests.py query|json <crates/wire/tests/golden>
"""

import json
import sys
from pathlib import Path

import botocore.session
from botocore.awsrequest import AWSRequest
from botocore.serialize import create_serializer

Q = "http://localhost:9324/000000000000/orders.fifo"
ARN = "arn:aws:sqs:us-east-1:000000000000:orders.fifo"
DLQ_ARN = "arn:aws:sqs:us-east-1:000000000000:orders-dlq.fifo"
ATTRS = {
    "str": {"DataType": "String", "StringValue": "v <&> \"q\""},
    "num": {"DataType": "Number", "StringValue": "1.5"},
    "bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
}
CASES = {
    "CreateQueue": {"QueueName": "orders.fifo", "Attributes": {"FifoQueue": "true", "VisibilityTimeout": "40"}, "tags": {"team": "a&b", "empty": ""}},
    "GetQueueUrl": {"QueueName": "orders.fifo", "QueueOwnerAWSAccountId": "000000000000"},
    "ListQueues": {"QueueNamePrefix": "ord", "MaxResults": 2, "NextToken": "b3JkZXJz"},
    "DeleteQueue": {"QueueUrl": Q},
    "GetQueueAttributes": {"QueueUrl": Q, "AttributeNames": ["All", "QueueArn"]},
    "SetQueueAttributes": {"QueueUrl": Q, "Attributes": {"Policy": '{"Version":"2008-10-17","Statement":[]}', "DelaySeconds": "0"}},
    "PurgeQueue": {"QueueUrl": Q},
    "SendMessage": {
        "QueueUrl": Q, "MessageBody": "héllo <&> \"x\"\r\n+ 100%", "DelaySeconds": 0, "MessageAttributes": ATTRS,
        "MessageSystemAttributes": {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793"}},
        "MessageDeduplicationId": "d-1", "MessageGroupId": "g-1",
    },
    "SendMessageBatch": {"QueueUrl": Q, "Entries": [
        {"Id": "a", "MessageBody": "one", "MessageGroupId": "g", "MessageDeduplicationId": "1", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}},
        {"Id": "b", "MessageBody": "two", "MessageGroupId": "g", "MessageDeduplicationId": "2", "DelaySeconds": 0},
    ]},
    "ReceiveMessage": {"QueueUrl": Q, "AttributeNames": ["All"], "MessageAttributeNames": ["All", "pre.*"], "MaxNumberOfMessages": 10, "VisibilityTimeout": 30, "WaitTimeSeconds": 20, "ReceiveRequestAttemptId": "attempt-1"},
    "DeleteMessage": {"QueueUrl": Q, "ReceiptHandle": "AQEB+/=="},
    "DeleteMessageBatch": {"QueueUrl": Q, "Entries": [{"Id": "a", "ReceiptHandle": "rh1"}, {"Id": "b", "ReceiptHandle": "rh2"}]},
    "ChangeMessageVisibility": {"QueueUrl": Q, "ReceiptHandle": "rh1", "VisibilityTimeout": 0},
    "ChangeMessageVisibilityBatch": {"QueueUrl": Q, "Entries": [{"Id": "a", "ReceiptHandle": "rh1", "VisibilityTimeout": 60}, {"Id": "b", "ReceiptHandle": "rh2", "VisibilityTimeout": 0}]},
    "TagQueue": {"QueueUrl": Q, "Tags": {"team": "core", "empty": ""}},
    "UntagQueue": {"QueueUrl": Q, "TagKeys": ["team", "empty"]},
    "ListQueueTags": {"QueueUrl": Q},
    "ListDeadLetterSourceQueues": {"QueueUrl": Q, "MaxResults": 5, "NextToken": "b3JkZXJz"},
    "AddPermission": {"QueueUrl": Q, "Label": "l1", "AWSAccountIds": ["111122223333", "444455556666"], "Actions": ["SendMessage", "ReceiveMessage"]},
    "RemovePermission": {"QueueUrl": Q, "Label": "l1"},
    "StartMessageMoveTask": {"SourceArn": DLQ_ARN, "DestinationArn": ARN, "MaxNumberOfMessagesPerSecond": 50},
    "CancelMessageMoveTask": {"TaskHandle": "eyJ0YXNrSWQiOiJ0In0="},
    "ListMessageMoveTasks": {"SourceArn": DLQ_ARN, "MaxResults": 10},
}

protocol, out = sys.argv[1], Path(sys.argv[2])
model = botocore.session.get_session().get_service_model("sqs")
assert model.protocol == protocol, f"this botocore speaks {model.protocol}, not {protocol}"
serializer = create_serializer(protocol)
for op, params in CASES.items():
    request = serializer.serialize_to_request(params, model.operation_model(op))
    prepared = AWSRequest(method="POST", url="http://localhost:9324/", data=request["body"], headers=request["headers"]).prepare()
    body = prepared.body if isinstance(prepared.body, bytes) else prepared.body.encode()
    if protocol == "json":
        # Stable, readable fixtures: the same document, pretty-printed.
        body = json.dumps(json.loads(body), indent=2, ensure_ascii=False).encode() + b"\n"
    (out / op).mkdir(parents=True, exist_ok=True)
    (out / op / f"{protocol}.req").write_bytes(body)
    print(f"{op}/{protocol}.req")
