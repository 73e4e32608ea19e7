"""The SNS compat scenario for the AWS CLI v1 (`aws sns ...` subprocesses, JSON
output; the queues are set up and read in-process with the CLI's own botocore, which
keeps the run short: each `aws` start costs about a second): a FIFO topic fanning out to a raw, an enveloped and a
filtered FIFO queue, publishes with an explicit and a content-based dedup id,
duplicates answered with the original ids and delivered once, publish-batch and its
retry, attributes, tags, unsubscribe, delete, and errors checked in the CLI's idiom
(exit status and the exact stderr line). Prints each check; exits 1 on a failure.

Usage: python awscli_sns_scenario.py <aws executable> <endpoint>
"""

import json
import os
import subprocess
import sys
import uuid

try:
    from botocore.session import get_session
except ModuleNotFoundError:  # recent awscli releases vendor botocore as awscli.botocore
    from awscli.botocore.session import get_session

from sns_expect import (
    SEQUENCE,
    SHA256_OF_TEST,
    SNS_PUBLIC_URL,
    UUID,
    check,
    check_deliveries,
    finish,
    sha256_hex,
    subscription_attributes,
    subscription_list,
    topic_attributes,
)

AWS, ENDPOINT = sys.argv[1], sys.argv[2]
REGION = "us-east-1"
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x", AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")


sqs = get_session().create_client("sqs", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")


def run(*args):
    return subprocess.run([AWS, "--endpoint-url", ENDPOINT, "--output", "json", "sns", *args], env=ENV, capture_output=True, text=True)


def sns(*args):
    proc = run(*args)
    if proc.returncode != 0:
        raise SystemExit(f"aws sns {' '.join(args)} failed: {proc.stderr}")
    return json.loads(proc.stdout) if proc.stdout.strip() else {}


def error_of(*args):
    """(exit status, stderr) of an `aws sns` call expected to fail."""
    proc = run(*args)
    return proc.returncode, proc.stderr.strip()


def cli_error(operation, code, message):
    return f"An error occurred ({code}) when calling the {operation} operation: {message}"


def drain(url):
    got = []
    for _ in range(20):
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
        if not batch:
            break
        for m in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        got += batch
    return sorted(got, key=lambda m: int(m["Attributes"]["SequenceNumber"]))


def attribute(value):
    return json.dumps({"channel": {"DataType": "String", "StringValue": value}})


version = subprocess.run([AWS, "--version"], env=ENV, capture_output=True, text=True)
print((version.stdout or version.stderr).strip())
suffix = uuid.uuid4().hex[:8]
queues = {}
for role in ("raw", "env", "filt"):
    url = sqs.create_queue(QueueName=f"cli-{role}-{suffix}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    queues[role] = (url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])
queue_arns = {r: q[1] for r, q in queues.items()}
account = queue_arns["raw"].split(":")[4]

name = f"cli-prices-{suffix}.fifo"
topic_arn = sns("create-topic", "--name", name, "--attributes", "FifoTopic=true,DisplayName=Prices", "--tags", "Key=team,Value=payments")["TopicArn"]
check("create-topic: the ARN", topic_arn == f"arn:aws:sns:{REGION}:{account}:{name}", topic_arn)
again = sns("create-topic", "--name", name, "--attributes", "FifoTopic=true")["TopicArn"]
check("create-topic again with a subset of equal attributes: the same ARN", again == topic_arn, again)

policy = json.dumps({"channel": ["retail"]})
subs = {
    "raw": sns("subscribe", "--topic-arn", topic_arn, "--protocol", "sqs", "--notification-endpoint", queue_arns["raw"], "--attributes", "RawMessageDelivery=true", "--return-subscription-arn")["SubscriptionArn"],
    "env": sns("subscribe", "--topic-arn", topic_arn, "--protocol", "sqs", "--notification-endpoint", queue_arns["env"])["SubscriptionArn"],
    "filt": sns("subscribe", "--topic-arn", topic_arn, "--protocol", "sqs", "--notification-endpoint", queue_arns["filt"], "--attributes", json.dumps({"FilterPolicy": policy}))["SubscriptionArn"],
}
for role, arn in subs.items():
    prefix, _, sub_id = arn.rpartition(":")
    check(f"subscribe {role}: <topic ARN>:<uuid>", prefix == topic_arn and UUID.match(sub_id) is not None, arn)

got = sns("get-topic-attributes", "--topic-arn", topic_arn)["Attributes"]
check("get-topic-attributes: every attribute, exact", got == topic_attributes(topic_arn, account, "Prices", 3, "false"), got)
for role in queues:
    got = sns("get-subscription-attributes", "--subscription-arn", subs[role])["Attributes"]
    want = subscription_attributes(subs[role], topic_arn, queue_arns[role], account, "true" if role == "raw" else "false", policy if role == "filt" else None)
    check(f"get-subscription-attributes {role}: every attribute, exact", got == want, got)

p1 = sns("publish", "--topic-arn", topic_arn, "--message", '{"sku":"214"}', "--subject", "price", "--message-group-id", "p-214", "--message-deduplication-id", "d-1", "--message-attributes", attribute("retail"))
check("publish: a UUID MessageId and a 20-digit SequenceNumber", UUID.match(p1["MessageId"]) is not None and SEQUENCE.match(p1.get("SequenceNumber", "")) is not None, p1)
d1 = sns("publish", "--topic-arn", topic_arn, "--message", "other body", "--message-group-id", "p-214", "--message-deduplication-id", "d-1")
check("duplicate publish: the original MessageId and SequenceNumber", d1 == p1, d1)
err = error_of("publish", "--topic-arn", topic_arn, "--message", "no group", "--message-deduplication-id", "d-x")
check(
    "publish without --message-group-id: exit 255 and the InvalidParameter line",
    err == (255, cli_error("Publish", "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")),
    err,
)

sns("set-topic-attributes", "--topic-arn", topic_arn, "--attribute-name", "ContentBasedDeduplication", "--attribute-value", "true")
cbd = sns("get-topic-attributes", "--topic-arn", topic_arn)["Attributes"]["ContentBasedDeduplication"]
check("set-topic-attributes ContentBasedDeduplication: now true", cbd == "true", cbd)
p2 = sns("publish", "--topic-arn", topic_arn, "--message", "Test", "--message-group-id", "g2", "--message-attributes", attribute("online"))
d2 = sns("publish", "--topic-arn", topic_arn, "--message", "Test", "--message-group-id", "g3")
check("content-based duplicate in another group: the original ids", d2 == p2, (p2, d2))

entries = json.dumps([
    {"Id": "a", "Message": "batch a", "MessageGroupId": "g-batch", "MessageAttributes": json.loads(attribute("retail"))},
    {"Id": "b", "Message": "batch b", "MessageGroupId": "g-batch", "MessageDeduplicationId": "d-b"},
    {"Id": "c", "Message": "batch c", "MessageGroupId": "g-batch"},
])
batch = sns("publish-batch", "--topic-arn", topic_arn, "--publish-batch-request-entries", entries)
ok = batch.get("Successful", [])
seqs = [int(e["SequenceNumber"]) for e in ok]
check(
    "publish-batch: three entries in order, increasing sequence numbers, Failed empty",
    [e["Id"] for e in ok] == ["a", "b", "c"] and seqs == sorted(seqs) and seqs[0] > int(p2["SequenceNumber"]) and batch.get("Failed") == [],
    batch,
)
retry = sns("publish-batch", "--topic-arn", topic_arn, "--publish-batch-request-entries", entries)
check("publish-batch retried: the same ids per entry", retry == batch, retry)

ms = lambda r: (r["MessageId"], r.get("SequenceNumber"))
check_deliveries(
    [
        (*ms(p1), "p-214", "d-1", '{"sku":"214"}', "price", [("channel", "String", "retail")]),
        (*ms(p2), "g2", SHA256_OF_TEST, "Test", None, [("channel", "String", "online")]),
        (*ms(ok[0]), "g-batch", sha256_hex("batch a"), "batch a", None, [("channel", "String", "retail")]),
        (*ms(ok[1]), "g-batch", "d-b", "batch b", None, []),
        (*ms(ok[2]), "g-batch", sha256_hex("batch c"), "batch c", None, []),
    ],
    drain(queues["raw"][0]),
    drain(queues["env"][0]),
    drain(queues["filt"][0]),
    topic_arn,
    f"{SNS_PUBLIC_URL}/?Action=Unsubscribe&SubscriptionArn={subs['env']}",
    [p1["MessageId"], ok[0]["MessageId"]],
)

topics = [t["TopicArn"] for t in sns("list-topics")["Topics"] if suffix in t["TopicArn"]]
check("list-topics: the topic", topics == [topic_arn], topics)
want = subscription_list(subs, queue_arns, topic_arn, account)
listed = sorted(sns("list-subscriptions-by-topic", "--topic-arn", topic_arn)["Subscriptions"], key=lambda s: s["SubscriptionArn"])
check("list-subscriptions-by-topic: the three subscriptions, every field", listed == want, listed)
everywhere = sorted((s for s in sns("list-subscriptions")["Subscriptions"] if s["TopicArn"] == topic_arn), key=lambda s: s["SubscriptionArn"])
check("list-subscriptions: the same three", everywhere == want, everywhere)

online = json.dumps({"channel": ["online"]})
sns("set-subscription-attributes", "--subscription-arn", subs["filt"], "--attribute-name", "FilterPolicy", "--attribute-value", online)
got = sns("get-subscription-attributes", "--subscription-arn", subs["filt"])["Attributes"]["FilterPolicy"]
check("set-subscription-attributes FilterPolicy: read back verbatim", got == online, got)
check("list-tags-for-resource: the create-topic tag", sns("list-tags-for-resource", "--resource-arn", topic_arn)["Tags"] == [{"Key": "team", "Value": "payments"}])
sns("tag-resource", "--resource-arn", topic_arn, "--tags", "Key=env,Value=test")
sns("untag-resource", "--resource-arn", topic_arn, "--tag-keys", "team")
tags = sns("list-tags-for-resource", "--resource-arn", topic_arn)["Tags"]
check("tag-resource then untag-resource: only the new tag", tags == [{"Key": "env", "Value": "test"}], tags)

sns("unsubscribe", "--subscription-arn", subs["env"])
left = sorted(s["SubscriptionArn"] for s in sns("list-subscriptions-by-topic", "--topic-arn", topic_arn)["Subscriptions"])
check("unsubscribe: two subscriptions left", left == sorted([subs["raw"], subs["filt"]]), left)
p3 = sns("publish", "--topic-arn", topic_arn, "--message", "after unsubscribe", "--message-group-id", "g4", "--message-attributes", attribute("online"))
counts = {r: [m["Body"] for m in drain(queues[r][0])] for r in queues}
check(
    "after unsubscribe: raw and the re-filtered queue get it, the unsubscribed one nothing",
    counts["raw"] == ["after unsubscribe"] and counts["env"] == [] and [json.loads(b)["MessageId"] for b in counts["filt"]] == [p3["MessageId"]],
    counts,
)

sns("delete-topic", "--topic-arn", topic_arn)
topics = [t["TopicArn"] for t in sns("list-topics")["Topics"] if suffix in t["TopicArn"]]
check("delete-topic: gone from list-topics", topics == [], topics)
err = error_of("get-topic-attributes", "--topic-arn", topic_arn)
check("get-topic-attributes of a deleted topic: exit 255 and the NotFound line", err == (255, cli_error("GetTopicAttributes", "NotFound", "Topic does not exist")), err)
for url, _ in queues.values():
    sqs.delete_queue(QueueUrl=url)
sys.exit(finish())
