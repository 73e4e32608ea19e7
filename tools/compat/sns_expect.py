"""What the Python SNS scenarios (boto3, the AWS CLI) expect, written from
sns-spec.md rather than from fifowin's code: the envelope bytes (§4.1), the
default topic Policy and EffectiveDeliveryPolicy (§2.2), content-based dedup ids
(§3.1, TV-H), plus the printed-check helper both scenarios share.
"""

import hashlib
import json
import re

failures = []

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SEQUENCE = re.compile(r"^1[0-9]{19}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

# sns-spec.md §4.5 TV-H: the SQS MessageDeduplicationId SNS derives from "Test".
SHA256_OF_TEST = "532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25"

# The base of the envelope's UnsubscribeURL when fifowin runs without --public-url,
# as in sns-spec.md §4.4's example (queue URLs use the request's Host instead).
SNS_PUBLIC_URL = "http://localhost:9324"

EFFECTIVE_DELIVERY_POLICY = (
    '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,'
    '"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},'
    '"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}'
)


def check(name, ok, detail=""):
    print(f"  {'ok  ' if ok else 'FAIL'} {name}" + (f" ({detail})" if detail != "" and not ok else ""))
    if not ok:
        failures.append(name)


def finish():
    print(f"{len(failures) == 0 and 'PASS' or 'FAIL'}: {len(failures)} failed check(s)")
    return 1 if failures else 0


def sha256_hex(text):
    return hashlib.sha256(text.encode()).hexdigest()


def default_policy(topic_arn, account):
    """The topic Policy AWS lists before any SetTopicAttributes, in AWS's key order."""
    return json.dumps(
        {
            "Version": "2008-10-17",
            "Id": "__default_policy_ID",
            "Statement": [
                {
                    "Sid": "__default_statement_ID",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": [
                        "SNS:GetTopicAttributes",
                        "SNS:SetTopicAttributes",
                        "SNS:AddPermission",
                        "SNS:RemovePermission",
                        "SNS:DeleteTopic",
                        "SNS:Subscribe",
                        "SNS:ListSubscriptionsByTopic",
                        "SNS:Publish",
                    ],
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
                }
            ],
        },
        separators=(",", ":"),
    )


def topic_attributes(topic_arn, account, display_name, confirmed, cbd):
    """GetTopicAttributes of a FIFO topic with no optional attribute set."""
    return {
        "TopicArn": topic_arn,
        "Owner": account,
        "Policy": default_policy(topic_arn, account),
        "DisplayName": display_name,
        "EffectiveDeliveryPolicy": EFFECTIVE_DELIVERY_POLICY,
        "SubscriptionsConfirmed": str(confirmed),
        "SubscriptionsPending": "0",
        "SubscriptionsDeleted": "0",
        "FifoTopic": "true",
        "ContentBasedDeduplication": cbd,
    }


def subscription_attributes(sub_arn, topic_arn, queue_arn, account, raw, filter_policy=None):
    """GetSubscriptionAttributes of a same-account sqs subscription (§2.3)."""
    out = {
        "ConfirmationWasAuthenticated": "true",
        "Endpoint": queue_arn,
        "Owner": account,
        "PendingConfirmation": "false",
        "Protocol": "sqs",
        "RawMessageDelivery": raw,
        "SubscriptionArn": sub_arn,
        "SubscriptionPrincipal": f"arn:aws:iam::{account}:root",
        "TopicArn": topic_arn,
    }
    if filter_policy is not None:
        out["FilterPolicy"] = filter_policy
        out["FilterPolicyScope"] = "MessageAttributes"
    return out


def envelope(message_id, sequence_number, topic_arn, subject, message, timestamp, unsubscribe_url, attributes):
    """The envelope's exact bytes for a FIFO topic (no signature fields), §4.1.

    attributes: [(name, data type, value text)] in the order the publish gave them.
    """
    string = lambda s: json.dumps(s, ensure_ascii=False)
    fields = [("Type", string("Notification")), ("MessageId", string(message_id)), ("SequenceNumber", string(sequence_number)), ("TopicArn", string(topic_arn))]
    if subject is not None:
        fields.append(("Subject", string(subject)))
    fields += [("Message", string(message)), ("Timestamp", string(timestamp)), ("UnsubscribeURL", string(unsubscribe_url))]
    if attributes:
        entries = [f'{string(n)} : {{"Type":{string(t)},"Value":{string(v)}}}' for n, t, v in attributes]
        fields.append(("MessageAttributes", "{\n    " + ",\n    ".join(entries) + "\n  }"))
    return "{\n" + ",\n".join(f'  "{k}" : {v}' for k, v in fields) + "\n}"



def check_deliveries(accepted, raw, env, filt, topic_arn, env_unsubscribe_url, filt_message_ids):
    """The three queues after the scenario's publishes, each list in enqueue order.

    accepted: one (MessageId, SequenceNumber, group, SQS dedup id, Message, Subject or
    None, [(attribute name, data type, value)]) per publish SNS accepted.
    """
    check("raw queue: one message per accepted publish", len(raw) == len(accepted), [m["Body"] for m in raw])
    check(
        "raw queue: bodies, group ids and dedup ids (explicit, and SHA-256 of the Message)",
        [(m["Body"], m["Attributes"].get("MessageGroupId"), m["Attributes"].get("MessageDeduplicationId")) for m in raw]
        == [(a[4], a[2], a[3]) for a in accepted],
        [(m["Body"], m["Attributes"].get("MessageGroupId"), m["Attributes"].get("MessageDeduplicationId")) for m in raw],
    )
    check(
        "raw queue: publish attributes become SQS message attributes",
        [m.get("MessageAttributes", {}) for m in raw] == [{n: {"DataType": t, "StringValue": v} for n, t, v in a[6]} for a in accepted],
        [m.get("MessageAttributes") for m in raw],
    )
    check("enveloped queue: one message per accepted publish", len(env) == len(accepted), [m["Body"] for m in env])
    for m, (message_id, sequence, group, dedup, message, subject, attrs) in zip(env, accepted):
        stamp = json.loads(m["Body"]).get("Timestamp", "")
        want = envelope(message_id, sequence, topic_arn, subject, message, stamp, env_unsubscribe_url, attrs)
        check(f"enveloped {message!r}: the envelope byte for byte", m["Body"] == want and TIMESTAMP.match(stamp) is not None, (m["Body"], want))
        check(
            f"enveloped {message!r}: group and dedup id passed on, no SQS message attributes",
            (m["Attributes"].get("MessageGroupId"), m["Attributes"].get("MessageDeduplicationId"), m.get("MessageAttributes")) == (group, dedup, None),
            m,
        )
    check(
        "filtered queue: only the publishes its policy matches",
        [json.loads(m["Body"])["MessageId"] for m in filt] == filt_message_ids,
        [m["Body"] for m in filt],
    )


def subscription_list(subs, queue_arns, topic_arn, account):
    """ListSubscriptions(ByTopic) members for subscriptions {role: ARN}, sorted by ARN."""
    return sorted(
        ({"SubscriptionArn": subs[r], "Owner": account, "Protocol": "sqs", "Endpoint": queue_arns[r], "TopicArn": topic_arn} for r in subs),
        key=lambda s: s["SubscriptionArn"],
    )
