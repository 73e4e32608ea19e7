"""The SNS compat scenario for boto3 (any version): a FIFO topic fanning out to three
FIFO queues (one raw, one enveloped, one behind a filter policy), publishes with an
explicit and a content-based dedup id, duplicates answered with the original ids and
delivered once, PublishBatch and its retry, topic and subscription attributes, tags,
unsubscribe and delete, and errors checked by their code. Every check compares
exact values (sns_expect.py holds what the spec says AWS writes). Prints each check;
exits 1 on a failure.

Usage: python boto3_sns_scenario.py <endpoint>
"""

import json
import sys
import uuid

import boto3
import botocore

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

ENDPOINT = sys.argv[1]
REGION = "us-east-1"
kwargs = dict(endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
sns = boto3.client("sns", **kwargs)
sqs = boto3.client("sqs", **kwargs)
print(f"boto3 {boto3.__version__} / botocore {botocore.__version__}; sns speaks {sns.meta.service_model.protocol}")
check("the SNS client speaks query", sns.meta.service_model.protocol == "query")


def error_of(call, **params):
    """(exception class name, Code, Message) of a call expected to fail."""
    try:
        call(**params)
    except botocore.exceptions.ClientError as e:
        return type(e).__name__, e.response["Error"]["Code"], e.response["Error"]["Message"]
    return None


def drain(url):
    """Every message in a FIFO queue, deleted as received, in enqueue order."""
    got = []
    for _ in range(20):
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
        if not batch:
            break
        for m in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        got += batch
    return sorted(got, key=lambda m: int(m["Attributes"]["SequenceNumber"]))


suffix = uuid.uuid4().hex[:8]
queues = {}
for role in ("raw", "env", "filt"):
    url = sqs.create_queue(QueueName=f"{role}-{suffix}.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queues[role] = (url, arn)
account = queues["raw"][1].split(":")[4]

name = f"prices-{suffix}.fifo"
topic_arn = sns.create_topic(Name=name, Attributes={"FifoTopic": "true", "DisplayName": "Prices"}, Tags=[{"Key": "team", "Value": "payments"}])["TopicArn"]
check("CreateTopic: the ARN", topic_arn == f"arn:aws:sns:{REGION}:{account}:{name}", topic_arn)
again = sns.create_topic(Name=name, Attributes={"FifoTopic": "true", "DisplayName": "Prices"})["TopicArn"]
check("CreateTopic again with equal attributes: the same ARN", again == topic_arn, again)
err = error_of(sns.create_topic, Name=name, Attributes={"FifoTopic": "true", "DisplayName": "Other"})
check(
    "CreateTopic again with a different attribute: InvalidParameter",
    err == ("InvalidParameterException", "InvalidParameter", "Invalid parameter: Attributes Reason: Topic already exists with different attributes"),
    err,
)

subs = {}
policy = json.dumps({"channel": ["retail"]})
sub_attrs = {"raw": {"RawMessageDelivery": "true"}, "env": {}, "filt": {"FilterPolicy": policy}}
for role, (_, arn) in queues.items():
    subs[role] = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes=sub_attrs[role], ReturnSubscriptionArn=True)["SubscriptionArn"]
    prefix, _, sub_id = subs[role].rpartition(":")
    check(f"Subscribe {role}: <topic ARN>:<uuid>", prefix == topic_arn and UUID.match(sub_id) is not None, subs[role])
same = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queues["raw"][1], Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
check("Subscribe again with equal attributes: the same ARN", same == subs["raw"], same)

got = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
want = topic_attributes(topic_arn, account, "Prices", 3, "false")
check("GetTopicAttributes: every attribute, exact", got == want, {k: (got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)})
for role in queues:
    got = sns.get_subscription_attributes(SubscriptionArn=subs[role])["Attributes"]
    want = subscription_attributes(subs[role], topic_arn, queues[role][1], account, "true" if role == "raw" else "false", policy if role == "filt" else None)
    check(f"GetSubscriptionAttributes {role}: every attribute, exact", got == want, {k: (got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)})

# Publishes: explicit dedup id, its duplicate, then content-based ids.
p1 = sns.publish(TopicArn=topic_arn, Message='{"sku":"214"}', Subject="price", MessageGroupId="p-214", MessageDeduplicationId="d-1",
                 MessageAttributes={"channel": {"DataType": "String", "StringValue": "retail"}})
check("Publish: a UUID MessageId", UUID.match(p1["MessageId"]) is not None, p1)
check("Publish: a 20-digit SequenceNumber", SEQUENCE.match(p1.get("SequenceNumber", "")) is not None, p1)
d1 = sns.publish(TopicArn=topic_arn, Message="other body", MessageGroupId="p-214", MessageDeduplicationId="d-1")
check("duplicate Publish: the original MessageId and SequenceNumber", (d1["MessageId"], d1.get("SequenceNumber")) == (p1["MessageId"], p1.get("SequenceNumber")), d1)
err = error_of(sns.publish, TopicArn=topic_arn, Message="no dedup id", MessageGroupId="p-214")
check(
    "Publish without a dedup id while CBD is off: InvalidParameter",
    err == ("InvalidParameterException", "InvalidParameter", "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"),
    err,
)
err = error_of(sns.publish, TopicArn=topic_arn, Message="no group", MessageDeduplicationId="d-x")
check("Publish without MessageGroupId: InvalidParameter", err == ("InvalidParameterException", "InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"), err)

sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="ContentBasedDeduplication", AttributeValue="true")
cbd = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["ContentBasedDeduplication"]
check("SetTopicAttributes ContentBasedDeduplication: now true", cbd == "true", cbd)
p2 = sns.publish(TopicArn=topic_arn, Message="Test", MessageGroupId="g2", MessageAttributes={"channel": {"DataType": "String", "StringValue": "online"}})
d2 = sns.publish(TopicArn=topic_arn, Message="Test", MessageGroupId="g3")
check("content-based duplicate in another group: the original ids (topic scope)", (d2["MessageId"], d2.get("SequenceNumber")) == (p2["MessageId"], p2.get("SequenceNumber")), (p2, d2))
check("sequence numbers increase", int(p2["SequenceNumber"]) > int(p1.get("SequenceNumber")), (p1, p2))

entries = [
    {"Id": "a", "Message": "batch a", "MessageGroupId": "g-batch", "MessageAttributes": {"channel": {"DataType": "String", "StringValue": "retail"}}},
    {"Id": "b", "Message": "batch b", "MessageGroupId": "g-batch", "MessageDeduplicationId": "d-b"},
    {"Id": "c", "Message": "batch c", "MessageGroupId": "g-batch"},
]
batch = sns.publish_batch(TopicArn=topic_arn, PublishBatchRequestEntries=entries)
ok = batch.get("Successful", [])
check("PublishBatch: three entries succeed, in order", [e["Id"] for e in ok] == ["a", "b", "c"] and batch.get("Failed") == [], batch)
seqs = [int(e["SequenceNumber"]) for e in ok]
check("PublishBatch: UUIDs and increasing sequence numbers", all(UUID.match(e["MessageId"]) for e in ok) and seqs == sorted(seqs) and seqs[0] > int(p2["SequenceNumber"]), ok)
retry = sns.publish_batch(TopicArn=topic_arn, PublishBatchRequestEntries=entries)
check("PublishBatch retried: the same MessageId and SequenceNumber per Id", retry.get("Successful") == ok and retry.get("Failed") == [], retry)
ids = {"a": ok[0], "b": ok[1], "c": ok[2]}

# What each queue received: one copy per accepted publish, none for the duplicates.
ms = lambda r: (r["MessageId"], r.get("SequenceNumber"))
accepted = [
    (*ms(p1), "p-214", "d-1", '{"sku":"214"}', "price", [("channel", "String", "retail")]),
    (*ms(p2), "g2", SHA256_OF_TEST, "Test", None, [("channel", "String", "online")]),
    (*ms(ids["a"]), "g-batch", sha256_hex("batch a"), "batch a", None, [("channel", "String", "retail")]),
    (*ms(ids["b"]), "g-batch", "d-b", "batch b", None, []),
    (*ms(ids["c"]), "g-batch", sha256_hex("batch c"), "batch c", None, []),
]
check_deliveries(
    accepted,
    drain(queues["raw"][0]),
    drain(queues["env"][0]),
    drain(queues["filt"][0]),
    topic_arn,
    f"{SNS_PUBLIC_URL}/?Action=Unsubscribe&SubscriptionArn={subs['env']}",
    [p1["MessageId"], ids["a"]["MessageId"]],
)

# Lists.
topics = [t["TopicArn"] for t in sns.list_topics()["Topics"] if suffix in t["TopicArn"]]
check("ListTopics: the topic", topics == [topic_arn], topics)
listed = sorted(sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"], key=lambda s: s["SubscriptionArn"])
want = subscription_list(subs, {r: q[1] for r, q in queues.items()}, topic_arn, account)
check("ListSubscriptionsByTopic: the three subscriptions, every field", listed == want, listed)
everywhere = sorted((s for s in sns.list_subscriptions()["Subscriptions"] if s["TopicArn"] == topic_arn), key=lambda s: s["SubscriptionArn"])
check("ListSubscriptions: the same three", everywhere == want, everywhere)

# Subscription attributes, tags.
online = json.dumps({"channel": ["online"]})
sns.set_subscription_attributes(SubscriptionArn=subs["filt"], AttributeName="FilterPolicy", AttributeValue=online)
got = sns.get_subscription_attributes(SubscriptionArn=subs["filt"])["Attributes"]
check("SetSubscriptionAttributes FilterPolicy: read back verbatim", (got.get("FilterPolicy"), got.get("FilterPolicyScope")) == (online, "MessageAttributes"), got)
err = error_of(sns.set_subscription_attributes, SubscriptionArn=subs["raw"], AttributeName="RawMessageDelivery", AttributeValue="maybe")
check(
    "SetSubscriptionAttributes RawMessageDelivery=maybe: InvalidParameter",
    err == ("InvalidParameterException", "InvalidParameter", "Invalid parameter: RawMessageDelivery: Invalid value [maybe]. Must be true or false."),
    err,
)
tags = sns.list_tags_for_resource(ResourceArn=topic_arn)["Tags"]
check("ListTagsForResource: the CreateTopic tag", tags == [{"Key": "team", "Value": "payments"}], tags)
sns.tag_resource(ResourceArn=topic_arn, Tags=[{"Key": "env", "Value": "test"}])
tags = sorted(sns.list_tags_for_resource(ResourceArn=topic_arn)["Tags"], key=lambda t: t["Key"])
check("TagResource: added", tags == [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "payments"}], tags)
sns.untag_resource(ResourceArn=topic_arn, TagKeys=["team"])
tags = sns.list_tags_for_resource(ResourceArn=topic_arn)["Tags"]
check("UntagResource: removed", tags == [{"Key": "env", "Value": "test"}], tags)

# Unsubscribe: the enveloped queue stops receiving; the new filter lets "online" through.
sns.unsubscribe(SubscriptionArn=subs["env"])
sns.unsubscribe(SubscriptionArn=subs["env"])
left = sorted(s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"])
check("Unsubscribe (twice): two subscriptions left", left == sorted([subs["raw"], subs["filt"]]), left)
confirmed = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["SubscriptionsConfirmed"]
check("GetTopicAttributes: SubscriptionsConfirmed 2", confirmed == "2", confirmed)
err = error_of(sns.get_subscription_attributes, SubscriptionArn=subs["env"])
check("GetSubscriptionAttributes after Unsubscribe: NotFound", err == ("NotFoundException", "NotFound", "Subscription does not exist"), err)
p3 = sns.publish(TopicArn=topic_arn, Message="after unsubscribe", MessageGroupId="g4", MessageAttributes={"channel": {"DataType": "String", "StringValue": "online"}})
counts = {r: [m["Body"] for m in drain(queues[r][0])] for r in queues}
check(
    "after Unsubscribe: raw and the re-filtered queue get it, the unsubscribed one nothing",
    counts["raw"] == ["after unsubscribe"] and counts["env"] == [] and [json.loads(b)["MessageId"] for b in counts["filt"]] == [p3["MessageId"]],
    counts,
)

# Delete.
sns.delete_topic(TopicArn=topic_arn)
topics = [t["TopicArn"] for t in sns.list_topics()["Topics"] if suffix in t["TopicArn"]]
check("DeleteTopic: gone from ListTopics", topics == [], topics)
gone = [s for s in sns.list_subscriptions()["Subscriptions"] if s["TopicArn"] == topic_arn]
check("DeleteTopic: its subscriptions are gone", gone == [], gone)
err = error_of(sns.get_topic_attributes, TopicArn=topic_arn)
check("GetTopicAttributes of a deleted topic: NotFound", err == ("NotFoundException", "NotFound", "Topic does not exist"), err)
status = sns.delete_topic(TopicArn=topic_arn)["ResponseMetadata"]["HTTPStatusCode"]
check("DeleteTopic of a deleted topic: 200", status == 200, status)
for url, _ in queues.values():
    sqs.delete_queue(QueueUrl=url)
sys.exit(finish())
