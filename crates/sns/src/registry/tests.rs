use fifowin_engine::{AttributeValue, SeqIds};

use super::*;
use crate::message::MessageAttributeInput;

const R: &str = "us-east-1";
const A: &str = "000000000000";

fn scope() -> Scope {
    Scope::new(R, A)
}

fn attrs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect()
}

fn fifo_topic(sns: &mut Sns, name: &str, extra: &[(&str, &str)]) -> String {
    let mut attributes = attrs(&[("FifoTopic", "true")]);
    attributes.extend(attrs(extra));
    sns.create_topic(
        &scope(),
        &CreateTopic {
            name: name.into(),
            attributes,
            tags: vec![],
        },
    )
    .unwrap()
}

fn standard_topic(sns: &mut Sns, name: &str) -> String {
    sns.create_topic(
        &scope(),
        &CreateTopic {
            name: name.into(),
            ..CreateTopic::default()
        },
    )
    .unwrap()
}

fn subscribe(
    sns: &mut Sns,
    topic: &str,
    queue: &str,
    extra: &[(&str, &str)],
    ids: &mut SeqIds,
) -> Result<String, SnsError> {
    sns.subscribe(
        &scope(),
        &Subscribe {
            topic_arn: topic.into(),
            protocol: "sqs".into(),
            endpoint: Some(format!("arn:aws:sqs:{R}:{A}:{queue}")),
            attributes: attrs(extra),
            return_subscription_arn: false,
        },
        ids,
    )
}

fn msg(body: &str, group: Option<&str>, dedup: Option<&str>) -> PublishFields {
    PublishFields {
        message: Some(body.into()),
        message_group_id: group.map(Into::into),
        message_deduplication_id: dedup.map(Into::into),
        ..PublishFields::default()
    }
}

#[test]
fn create_topic_names_and_idempotency() {
    let mut sns = Sns::default();
    let s = scope();
    let create = |sns: &mut Sns, name: &str, a: &[(&str, &str)], t: &[(&str, &str)]| {
        sns.create_topic(
            &s,
            &CreateTopic {
                name: name.into(),
                attributes: attrs(a),
                tags: attrs(t),
            },
        )
    };
    for (name, a) in [
        ("x", &[("FifoTopic", "true")][..]),
        ("x.fifo", &[][..]),
        ("", &[][..]),
        ("a b", &[][..]),
    ] {
        assert_eq!(
            create(&mut sns, name, a, &[]).unwrap_err().message,
            "Invalid parameter: Topic Name",
            "{name}"
        );
    }
    assert!(create(&mut sns, &"n".repeat(256), &[], &[]).is_ok());
    assert!(create(&mut sns, &"n".repeat(257), &[], &[]).is_err());
    assert!(
        create(
            &mut sns,
            &format!("{}.fifo", "n".repeat(256)),
            &[("FifoTopic", "TRUE")],
            &[]
        )
        .is_ok()
    );
    let arn = create(&mut sns, "t", &[("DisplayName", "d")], &[("k", "v")]).unwrap();
    assert_eq!(arn, "arn:aws:sns:us-east-1:000000000000:t");
    assert_eq!(create(&mut sns, "t", &[], &[]).unwrap(), arn);
    assert_eq!(
        create(
            &mut sns,
            "t",
            &[("DisplayName", "d"), ("FifoTopic", "false")],
            &[("k", "v")]
        )
        .unwrap(),
        arn
    );
    assert_eq!(
        create(&mut sns, "t", &[("DisplayName", "other")], &[])
            .unwrap_err()
            .message,
        "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
    );
    assert_eq!(
        create(&mut sns, "t", &[("SignatureVersion", "2")], &[])
            .unwrap_err()
            .message,
        "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
    );
    assert_eq!(
        create(&mut sns, "t", &[], &[("k2", "v")])
            .unwrap_err()
            .message,
        "Invalid parameter: Tags Reason: Topic already exists with different tags"
    );
    // FifoTopic=false is accepted and not stored.
    let plain = create(&mut sns, "plain", &[("FifoTopic", "false")], &[]).unwrap();
    assert!(
        !sns.get_topic_attributes(&s, &plain)
            .unwrap()
            .contains_key("FifoTopic")
    );
    // Delete then recreate: same ARN, no tags.
    sns.delete_topic(&s, &arn).unwrap();
    sns.delete_topic(&s, &arn).unwrap();
    assert_eq!(create(&mut sns, "t", &[], &[]).unwrap(), arn);
    assert!(sns.list_tags(&s, &arn).unwrap().is_empty());
}

#[test]
fn topic_attributes_defaults_and_set_rules() {
    let mut sns = Sns::default();
    let s = scope();
    let arn = fifo_topic(&mut sns, "prices.fifo", &[]);
    let a = sns.get_topic_attributes(&s, &arn).unwrap();
    assert_eq!(a["FifoTopic"], "true");
    assert_eq!(a["ContentBasedDeduplication"], "false");
    assert_eq!(a["DisplayName"], "");
    assert_eq!(a["Owner"], A);
    assert_eq!(a["SubscriptionsConfirmed"], "0");
    assert_eq!(a["SubscriptionsPending"], "0");
    assert_eq!(a["SubscriptionsDeleted"], "0");
    assert_eq!(
        a["EffectiveDeliveryPolicy"],
        topic::DEFAULT_EFFECTIVE_DELIVERY_POLICY
    );
    assert!(a["Policy"].contains(r#""Resource":"arn:aws:sns:us-east-1:000000000000:prices.fifo""#));
    assert!(!a.contains_key("FifoThroughputScope"));
    assert_eq!(
        sns.set_topic_attributes(&s, &arn, "FifoTopic", Some("false"))
            .unwrap_err()
            .message,
        "Invalid parameter: AttributeName"
    );
    assert_eq!(
        sns.set_topic_attributes(&s, &arn, "Bogus", Some("1"))
            .unwrap_err()
            .message,
        "Invalid parameter: AttributeName"
    );
    sns.set_topic_attributes(&s, &arn, "ContentBasedDeduplication", Some("TRUE"))
        .unwrap();
    sns.set_topic_attributes(&s, &arn, "FifoThroughputScope", Some("MessageGroup"))
        .unwrap();
    let a = sns.get_topic_attributes(&s, &arn).unwrap();
    assert_eq!(a["ContentBasedDeduplication"], "true");
    assert_eq!(a["FifoThroughputScope"], "MessageGroup");
    assert!(
        sns.set_topic_attributes(&s, &arn, "FifoThroughputScope", Some("Topic"))
            .is_err()
    );
    // After SetTopicAttributes, CreateTopic without attributes still answers the ARN.
    assert_eq!(fifo_topic(&mut sns, "prices.fifo", &[]), arn);
    assert_eq!(
        sns.get_topic_attributes(&s, "arn:aws:sns:us-east-1:000000000000:nope")
            .unwrap_err(),
        SnsError::topic_not_found()
    );
    assert_eq!(
        sns.get_topic_attributes(&s, "arn:aws:sns:eu-west-1:000000000000:prices.fifo")
            .unwrap_err()
            .message,
        "Invalid parameter: TopicArn"
    );
}

#[test]
fn list_topics_pages_of_100() {
    let mut sns = Sns::default();
    for i in 0..250 {
        sns.create_topic(
            &scope(),
            &CreateTopic {
                name: format!("t{i:03}"),
                ..CreateTopic::default()
            },
        )
        .unwrap();
    }
    sns.create_topic(
        &Scope::new("eu-west-1", A),
        &CreateTopic {
            name: "elsewhere".into(),
            ..CreateTopic::default()
        },
    )
    .unwrap();
    let mut all = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = sns.list_topics(&scope(), token.as_deref()).unwrap();
        pages += 1;
        assert!(page.items.len() <= PAGE_SIZE);
        all.extend(page.items);
        match page.next_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!((pages, all.len()), (3, 250));
    assert!(sns.list_topics(&scope(), Some("!!")).is_err());
}

#[test]
fn subscribe_rules_and_idempotency() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let s = scope();
    let std_topic = standard_topic(&mut sns, "std");
    let fifo = fifo_topic(&mut sns, "f.fifo", &[]);
    assert_eq!(
        subscribe(&mut sns, &std_topic, "q.fifo", &[], &mut ids)
            .unwrap_err()
            .message,
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"
    );
    let sub = |protocol: &str, endpoint: &str| Subscribe {
        topic_arn: fifo.clone(),
        protocol: protocol.into(),
        endpoint: Some(endpoint.into()),
        ..Subscribe::default()
    };
    assert_eq!(
        sns.subscribe(
            &s,
            &sub("sqs", "http://localhost:9324/000000000000/q"),
            &mut ids
        )
        .unwrap_err()
        .message,
        "Invalid parameter: SQS endpoint ARN"
    );
    assert_eq!(
        sns.subscribe(&s, &sub("carrier-pigeon", "x"), &mut ids)
            .unwrap_err()
            .message,
        "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon"
    );
    assert_eq!(
        sns.subscribe(&s, &sub("sms", "+15555550100"), &mut ids)
            .unwrap_err()
            .message,
        "Invalid parameter: Invalid protocol type: sms"
    );
    // A FIFO topic takes standard queues too.
    let a = subscribe(&mut sns, &fifo, "standard", &[], &mut ids).unwrap();
    assert!(a.starts_with(&format!("{fifo}:")));
    assert_eq!(
        subscribe(&mut sns, &fifo, "standard", &[], &mut ids).unwrap(),
        a
    );
    assert_eq!(
        subscribe(
            &mut sns,
            &fifo,
            "standard",
            &[
                ("FilterPolicyScope", "MessageAttributes"),
                ("RawMessageDelivery", "false")
            ],
            &mut ids
        )
        .unwrap(),
        a
    );
    assert_eq!(
        subscribe(
            &mut sns,
            &fifo,
            "standard",
            &[("RawMessageDelivery", "true")],
            &mut ids
        )
        .unwrap_err()
        .message,
        "Invalid parameter: Attributes Reason: Subscription already exists with different attributes"
    );
    assert_eq!(
        subscribe(
            &mut sns,
            &fifo,
            "other",
            &[("RawMessageDelivery", "test-ValUe")],
            &mut ids
        )
        .unwrap_err()
        .message,
        "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [test-ValUe]. Must be true or false."
    );
    assert_eq!(
        subscribe(
            &mut sns,
            &fifo,
            "other.fifo",
            &[(
                "RedrivePolicy",
                r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq"}"#
            )],
            &mut ids
        )
        .unwrap_err()
        .message,
        "Invalid parameter: Attributes Reason: RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic."
    );
    assert_eq!(
        subscribe(
            &mut sns,
            &fifo,
            "other",
            &[("FilterPolicy", r#"{"a":{"b":["c"]}}"#)],
            &mut ids
        )
        .unwrap_err()
        .message,
        "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"
    );
    assert!(
        subscribe(
            &mut sns,
            &fifo,
            "other",
            &[
                ("FilterPolicy", r#"{"a":{"b":["c"]}}"#),
                ("FilterPolicyScope", "MessageBody")
            ],
            &mut ids
        )
        .is_ok()
    );
    let attrs_now = sns.get_subscription_attributes(&a).unwrap();
    assert_eq!(attrs_now["PendingConfirmation"], "false");
    assert_eq!(attrs_now["ConfirmationWasAuthenticated"], "true");
    assert_eq!(attrs_now["RawMessageDelivery"], "false");
    assert_eq!(attrs_now["Protocol"], "sqs");
    assert!(!attrs_now.contains_key("FilterPolicy"));
    assert_eq!(
        sns.get_topic_attributes(&s, &fifo).unwrap()["SubscriptionsConfirmed"],
        "2"
    );
}

#[test]
fn subscription_attributes_set_and_errors() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let topic = fifo_topic(&mut sns, "f.fifo", &[]);
    let sub = subscribe(&mut sns, &topic, "q.fifo", &[], &mut ids).unwrap();
    sns.set_subscription_attributes(&sub, "RawMessageDelivery", Some("TRUE"))
        .unwrap();
    sns.set_subscription_attributes(&sub, "FilterPolicy", Some(r#"{"a":["b"]}"#))
        .unwrap();
    let a = sns.get_subscription_attributes(&sub).unwrap();
    assert_eq!(a["RawMessageDelivery"], "true");
    assert_eq!(a["FilterPolicy"], r#"{"a":["b"]}"#);
    assert_eq!(a["FilterPolicyScope"], "MessageAttributes");
    assert_eq!(
        sns.set_subscription_attributes(&sub, "FilterPolicyScope", Some("RandomValue"))
            .unwrap_err()
            .message,
        "Invalid parameter: FilterPolicyScope: Invalid value [RandomValue]. Please use either MessageBody or MessageAttributes"
    );
    assert_eq!(
        sns.set_subscription_attributes(
            &sub,
            "FilterPolicy",
            Some(r#"{"k":[{"wrong-operator":1}]}"#)
        )
        .unwrap_err()
        .message,
        "Invalid parameter: FilterPolicy: Unrecognized match type wrong-operator"
    );
    assert_eq!(
        sns.set_subscription_attributes(
            &sub,
            "RedrivePolicy",
            Some(r#"{"deadLetterTargetArn":"nope"}"#)
        )
        .unwrap_err()
        .message,
        "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn"
    );
    assert!(
        sns.set_subscription_attributes(&sub, "RedrivePolicy", Some("{"))
            .unwrap_err()
            .message
            .starts_with("Invalid parameter: RedrivePolicy: failed to parse JSON. ")
    );
    assert_eq!(
        sns.set_subscription_attributes(&sub, "Nope", Some("x"))
            .unwrap_err()
            .message,
        "Invalid parameter: AttributeName"
    );
    sns.set_subscription_attributes(&sub, "FilterPolicy", Some(""))
        .unwrap();
    assert!(
        !sns.get_subscription_attributes(&sub)
            .unwrap()
            .contains_key("FilterPolicy")
    );
    assert_eq!(
        sns.unsubscribe("randomstring").unwrap_err().message,
        "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1"
    );
    assert_eq!(
        sns.unsubscribe(&topic).unwrap_err().message,
        "Invalid parameter: SubscriptionId"
    );
    sns.unsubscribe(&sub).unwrap();
    sns.unsubscribe(&sub).unwrap();
    assert_eq!(
        sns.get_subscription_attributes(&sub).unwrap_err(),
        SnsError::subscription_not_found()
    );
    assert_eq!(
        sns.get_topic_attributes(&scope(), &topic).unwrap()["SubscriptionsDeleted"],
        "1"
    );
}

#[test]
fn tv_d1_window_and_delivery_to_a_fifo_queue() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let s = scope();
    let topic = fifo_topic(&mut sns, "t.fifo", &[]);
    let sub = subscribe(&mut sns, &topic, "q.fifo", &[], &mut ids).unwrap();
    let first = sns
        .publish(
            &s,
            Some(&topic),
            &msg("hello", Some("g1"), Some("d1")),
            &mut ids,
            Timestamp(0),
        )
        .unwrap();
    assert!(!first.duplicate);
    assert_eq!(
        first.sequence_number.as_deref(),
        Some("10000000000000000001")
    );
    assert_eq!(first.deliveries.len(), 1);
    let d = &first.deliveries[0];
    assert_eq!(d.queue_arn, "arn:aws:sqs:us-east-1:000000000000:q.fifo");
    assert_eq!(d.message_group_id.as_deref(), Some("g1"));
    assert_eq!(d.message_deduplication_id.as_deref(), Some("d1"));
    let envelope: serde_json::Value = serde_json::from_str(&d.body).unwrap();
    assert_eq!(envelope["MessageId"], first.message_id.as_str());
    assert_eq!(envelope["SequenceNumber"], "10000000000000000001");
    assert_eq!(envelope["Message"], "hello");
    assert!(envelope.get("Signature").is_none());
    assert_eq!(
        envelope["UnsubscribeURL"],
        format!("http://localhost:9324/?Action=Unsubscribe&SubscriptionArn={sub}")
    );
    let dup = sns
        .publish(
            &s,
            Some(&topic),
            &msg("other body", Some("g1"), Some("d1")),
            &mut ids,
            Timestamp(10_000),
        )
        .unwrap();
    assert!(dup.duplicate && dup.deliveries.is_empty());
    assert_eq!(
        (dup.message_id.as_str(), dup.sequence_number.as_deref()),
        (first.message_id.as_str(), Some("10000000000000000001"))
    );
    let edge = sns
        .publish(
            &s,
            Some(&topic),
            &msg("x", Some("g1"), Some("d1")),
            &mut ids,
            Timestamp(299_999),
        )
        .unwrap();
    assert!(edge.duplicate);
    let after = sns
        .publish(
            &s,
            Some(&topic),
            &msg("x", Some("g1"), Some("d1")),
            &mut ids,
            Timestamp(300_000),
        )
        .unwrap();
    assert!(!after.duplicate);
    assert_ne!(after.message_id, first.message_id);
    assert_eq!(
        after.sequence_number.as_deref(),
        Some("10000000000000000002")
    );
    assert_eq!(after.escape.as_ref().map(|e| e.late_by_ms), Some(0));
    assert_eq!(sns.escapes().len(), 1);
    assert_eq!(sns.escapes()[0].topic_arn, topic);
    sns.record_delivery(&sub, true);
    sns.record_delivery(&sub, false);
    let c = sns.subscription_counters()[&sub];
    assert_eq!(
        (
            c.published,
            c.suppressed,
            c.delivered,
            c.failed,
            c.filtered_out
        ),
        (2, 2, 1, 1, 0)
    );
}

#[test]
fn tv_d2_content_based_dedup_spans_groups_with_the_sha256_id() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let s = scope();
    let topic = fifo_topic(&mut sns, "t.fifo", &[("ContentBasedDeduplication", "true")]);
    subscribe(&mut sns, &topic, "q.fifo", &[], &mut ids).unwrap();
    let a = sns
        .publish(
            &s,
            Some(&topic),
            &msg("Test", Some("g1"), None),
            &mut ids,
            Timestamp(0),
        )
        .unwrap();
    let b = sns
        .publish(
            &s,
            Some(&topic),
            &msg("Test", Some("g2"), None),
            &mut ids,
            Timestamp(1),
        )
        .unwrap();
    assert_eq!(
        (&a.message_id, &a.sequence_number),
        (&b.message_id, &b.sequence_number)
    );
    assert!(b.duplicate);
    assert_eq!(
        a.deliveries[0].message_deduplication_id.as_deref(),
        Some("532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25")
    );
    // An explicit id overrides the hash, and collides with an equal one.
    let c = sns
        .publish(
            &s,
            Some(&topic),
            &msg(
                "other",
                Some("g1"),
                Some("532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25"),
            ),
            &mut ids,
            Timestamp(2),
        )
        .unwrap();
    assert!(c.duplicate);
}

#[test]
fn tv_d3_message_group_scope_keys_by_group() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let s = scope();
    let topic = fifo_topic(
        &mut sns,
        "t.fifo",
        &[("FifoThroughputScope", "MessageGroup")],
    );
    let a = sns
        .publish(
            &s,
            Some(&topic),
            &msg("x", Some("g1"), Some("d1")),
            &mut ids,
            Timestamp(0),
        )
        .unwrap();
    let b = sns
        .publish(
            &s,
            Some(&topic),
            &msg("x", Some("g2"), Some("d1")),
            &mut ids,
            Timestamp(1),
        )
        .unwrap();
    assert_ne!(a.message_id, b.message_id);
}

#[test]
fn tv_d4_a_batch_sent_twice_keeps_its_ids() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let s = scope();
    let topic = fifo_topic(&mut sns, "t.fifo", &[("ContentBasedDeduplication", "true")]);
    subscribe(&mut sns, &topic, "q.fifo", &[], &mut ids).unwrap();
    let entries: Vec<BatchEntry> = (1..=3)
        .map(|i| BatchEntry {
            id: format!("e{i}"),
            fields: msg(&format!("m{i}"), Some("g"), None),
        })
        .collect();
    let first = sns
        .publish_batch(&s, &topic, &entries, &mut ids, Timestamp(0))
        .unwrap();
    let again = sns
        .publish_batch(&s, &topic, &entries, &mut ids, Timestamp(5_000))
        .unwrap();
    for (a, b) in first.iter().zip(&again) {
        assert_eq!(a.id, b.id);
        assert_eq!(
            (&a.published.message_id, &a.published.sequence_number),
            (&b.published.message_id, &b.published.sequence_number)
        );
        assert_eq!(a.published.deliveries.len(), 1);
        assert!(b.published.deliveries.is_empty());
    }
    // A repeated id later in one batch gets the earlier entry's ids.
    let twice = vec![
        BatchEntry {
            id: "a".into(),
            fields: msg("same", Some("g"), None),
        },
        BatchEntry {
            id: "b".into(),
            fields: msg("same", Some("g"), None),
        },
    ];
    let out = sns
        .publish_batch(&s, &topic, &twice, &mut ids, Timestamp(6_000))
        .unwrap();
    assert_eq!(out[0].published.message_id, out[1].published.message_id);
    assert!(out[1].published.duplicate);
}

#[test]
fn tv_d5_fifo_topic_to_a_standard_queue_passes_no_ids_and_still_dedups() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let s = scope();
    let topic = fifo_topic(&mut sns, "t.fifo", &[]);
    subscribe(&mut sns, &topic, "standard", &[], &mut ids).unwrap();
    let a = sns
        .publish(
            &s,
            Some(&topic),
            &msg("x", Some("g1"), Some("d1")),
            &mut ids,
            Timestamp(0),
        )
        .unwrap();
    assert_eq!(a.deliveries[0].message_group_id, None);
    assert_eq!(a.deliveries[0].message_deduplication_id, None);
    let b = sns
        .publish(
            &s,
            Some(&topic),
            &msg("x", Some("g1"), Some("d1")),
            &mut ids,
            Timestamp(10_000),
        )
        .unwrap();
    assert!(b.deliveries.is_empty());
}

#[test]
fn publish_errors_in_order() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let s = scope();
    let fifo = fifo_topic(&mut sns, "t.fifo", &[]);
    let std_topic = standard_topic(&mut sns, "std");
    let err = |sns: &mut Sns, ids: &mut SeqIds, topic: &str, f: PublishFields| {
        sns.publish(&s, Some(topic), &f, ids, Timestamp(0))
            .unwrap_err()
            .message
    };
    assert_eq!(
        err(&mut sns, &mut ids, &fifo, msg("x", None, Some("d"))),
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    );
    assert_eq!(
        err(&mut sns, &mut ids, &fifo, msg("x", Some("g"), None)),
        "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"
    );
    assert_eq!(
        err(&mut sns, &mut ids, &std_topic, msg("x", None, Some("d"))),
        "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type"
    );
    assert_eq!(
        err(
            &mut sns,
            &mut ids,
            "arn:aws:sns:us-east-1:000000000000:nope",
            msg("x", None, None)
        ),
        "Topic does not exist"
    );
    assert_eq!(
        err(&mut sns, &mut ids, "bad", msg("x", None, None)),
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"
    );
    assert_eq!(
        sns.publish(&s, None, &msg("x", None, None), &mut ids, Timestamp(0))
            .unwrap_err()
            .message,
        "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"
    );
    // A standard topic takes a group id and passes it to standard queues.
    subscribe(&mut sns, &std_topic, "q", &[], &mut ids).unwrap();
    let p = sns
        .publish(
            &s,
            Some(&std_topic),
            &msg("x", Some("g"), None),
            &mut ids,
            Timestamp(0),
        )
        .unwrap();
    assert_eq!(p.sequence_number, None);
    assert_eq!(p.deliveries[0].message_group_id.as_deref(), Some("g"));
    let envelope: serde_json::Value = serde_json::from_str(&p.deliveries[0].body).unwrap();
    assert_eq!(envelope["SignatureVersion"], "1");
    assert!(envelope["Signature"].is_string() && envelope.get("SequenceNumber").is_none());
}

#[test]
fn batch_errors_reject_the_whole_request() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let s = scope();
    let topic = fifo_topic(&mut sns, "t.fifo", &[("ContentBasedDeduplication", "true")]);
    let entry = |id: &str, f: PublishFields| BatchEntry {
        id: id.into(),
        fields: f,
    };
    let mut run = |entries: Vec<BatchEntry>| {
        sns.publish_batch(&s, &topic, &entries, &mut ids, Timestamp(0))
            .map(|_| ())
            .unwrap_err()
    };
    let e = run(vec![]);
    assert_eq!(e.code, ErrorCode::EmptyBatchRequest);
    let e = run((0..11)
        .map(|i| entry(&format!("e{i}"), msg("m", Some("g"), None)))
        .collect());
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            ErrorCode::TooManyEntriesInBatchRequest,
            "The batch request contains more entries than permissible."
        )
    );
    let e = run(vec![
        entry("a", msg("m", Some("g"), None)),
        entry("a", msg("n", Some("g"), None)),
    ]);
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            ErrorCode::BatchEntryIdsNotDistinct,
            "Two or more batch entries in the request have the same Id."
        )
    );
    let e = run(vec![entry("a b", msg("m", Some("g"), None))]);
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            ErrorCode::InvalidBatchEntryId,
            "The Id of a batch entry in the batch request contains an impermissible character: a b"
        )
    );
    let long = "a".repeat(81);
    let e = run(vec![entry(&long, msg("m", Some("g"), None))]);
    assert_eq!(
        e.message,
        format!("The Id of a batch entry in the batch request is too long: {long}")
    );
    let e = run(vec![
        entry("a", msg(&"x".repeat(200_000), Some("g"), None)),
        entry("b", msg(&"x".repeat(62_145), Some("g"), None)),
    ]);
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            ErrorCode::BatchRequestTooLong,
            "The length of all the messages put together is more than the limit."
        )
    );
    let e = run(vec![
        entry("a", msg("m", Some("g"), None)),
        entry("b", msg("m", None, None)),
    ]);
    assert_eq!(
        e.message,
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    );
    // Nothing was published by the refused batches.
    assert_eq!(sns.topic(&topic).unwrap().counters.published, 0);
}

#[test]
fn fan_out_with_filters_and_raw_delivery() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let s = scope();
    let topic = fifo_topic(
        &mut sns,
        "prices.fifo",
        &[("ContentBasedDeduplication", "true")],
    );
    let all = subscribe(&mut sns, &topic, "all.fifo", &[], &mut ids).unwrap();
    let retail = subscribe(
        &mut sns,
        &topic,
        "retail.fifo",
        &[
            ("FilterPolicy", r#"{"channel":["retail"]}"#),
            ("RawMessageDelivery", "true"),
        ],
        &mut ids,
    )
    .unwrap();
    let body = subscribe(
        &mut sns,
        &topic,
        "body.fifo",
        &[
            ("FilterPolicy", r#"{"sku":[{"prefix":"9"}]}"#),
            ("FilterPolicyScope", "MessageBody"),
        ],
        &mut ids,
    )
    .unwrap();
    let mut f = msg(r#"{"sku":"214"}"#, Some("p-214"), None);
    f.subject = Some("price".into());
    f.message_attributes.push(MessageAttributeInput {
        name: "channel".into(),
        data_type: Some("String".into()),
        string_value: Some("retail".into()),
        binary_value: None,
    });
    let p = sns
        .publish(&s, Some(&topic), &f, &mut ids, Timestamp(1_767_225_600_000))
        .unwrap();
    assert_eq!(p.filtered_out, vec![body.clone()]);
    let by_sub = |arn: &str| {
        p.deliveries
            .iter()
            .find(|d| d.subscription_arn == arn)
            .unwrap()
    };
    let raw = by_sub(&retail);
    assert_eq!(raw.body, r#"{"sku":"214"}"#);
    assert_eq!(
        raw.message_attributes["channel"],
        AttributeValue {
            data_type: "String".into(),
            string_value: Some("retail".into()),
            ..AttributeValue::default()
        }
    );
    assert_eq!(raw.message_group_id.as_deref(), Some("p-214"));
    assert_eq!(
        raw.message_deduplication_id.as_deref(),
        Some(fifowin_engine::checksum::content_dedup_id(r#"{"sku":"214"}"#).as_str())
    );
    let env = by_sub(&all);
    assert!(env.message_attributes.is_empty());
    let expected = format!(
        "{{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"{}\",\n  \"SequenceNumber\" : \"10000000000000000001\",\n  \"TopicArn\" : \"arn:aws:sns:us-east-1:000000000000:prices.fifo\",\n  \"Subject\" : \"price\",\n  \"Message\" : \"{{\\\"sku\\\":\\\"214\\\"}}\",\n  \"Timestamp\" : \"2026-01-01T00:00:00.000Z\",\n  \"UnsubscribeURL\" : \"http://localhost:9324/?Action=Unsubscribe&SubscriptionArn={all}\",\n  \"MessageAttributes\" : {{\n    \"channel\" : {{\"Type\":\"String\",\"Value\":\"retail\"}}\n  }}\n}}",
        p.message_id
    );
    assert_eq!(env.body, expected);
    let counters = sns.subscription_counters();
    assert_eq!(counters[&body].filtered_out, 1);
    assert_eq!(counters[&retail].filtered_out, 0);
}

#[test]
fn raw_delivery_of_more_than_ten_attributes_is_refused_with_its_dlq() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let s = scope();
    let topic = fifo_topic(&mut sns, "t.fifo", &[("ContentBasedDeduplication", "true")]);
    subscribe(
        &mut sns,
        &topic,
        "q.fifo",
        &[
            ("RawMessageDelivery", "true"),
            (
                "RedrivePolicy",
                r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq.fifo"}"#,
            ),
        ],
        &mut ids,
    )
    .unwrap();
    let mut f = msg("m", Some("g"), None);
    for i in 0..11 {
        f.message_attributes.push(MessageAttributeInput {
            name: format!("a{i}"),
            data_type: Some("String".into()),
            string_value: Some("v".into()),
            binary_value: None,
        });
    }
    let p = sns
        .publish(&s, Some(&topic), &f, &mut ids, Timestamp(0))
        .unwrap();
    assert_eq!(
        p.deliveries[0].refused,
        Some(crate::DeliveryRefusal::TooManyRawAttributes { count: 11 })
    );
    assert_eq!(
        p.deliveries[0].dead_letter_queue_arn.as_deref(),
        Some("arn:aws:sqs:us-east-1:000000000000:dlq.fifo")
    );
}

#[test]
fn per_topic_window_override() {
    let mut settings = SnsSettings::default();
    settings
        .window_overrides
        .insert("short.fifo".into(), 90_000);
    let mut sns = Sns::new(settings);
    let mut ids = SeqIds::default();
    let s = scope();
    let short = fifo_topic(&mut sns, "short.fifo", &[]);
    let long = fifo_topic(&mut sns, "long.fifo", &[]);
    for topic in [&short, &long] {
        sns.publish(
            &s,
            Some(topic),
            &msg("x", Some("g"), Some("d")),
            &mut ids,
            Timestamp(0),
        )
        .unwrap();
    }
    assert!(
        sns.publish(
            &s,
            Some(&short),
            &msg("x", Some("g"), Some("d")),
            &mut ids,
            Timestamp(89_999)
        )
        .unwrap()
        .duplicate
    );
    assert!(
        !sns.publish(
            &s,
            Some(&short),
            &msg("x", Some("g"), Some("d")),
            &mut ids,
            Timestamp(90_000)
        )
        .unwrap()
        .duplicate
    );
    assert!(
        sns.publish(
            &s,
            Some(&long),
            &msg("x", Some("g"), Some("d")),
            &mut ids,
            Timestamp(90_000)
        )
        .unwrap()
        .duplicate
    );
}

#[test]
fn tags_rules() {
    let mut sns = Sns::default();
    let s = scope();
    let topic = fifo_topic(&mut sns, "t.fifo", &[]);
    let t = |list: &[(&str, &str)]| attrs(list);
    assert_eq!(
        sns.tag_resource(&s, &topic, &t(&[("a", "1"), ("a", "2")]))
            .unwrap_err()
            .message,
        "Invalid parameter: Duplicated keys are not allowed."
    );
    sns.tag_resource(&s, &topic, &t(&[("a", "1"), ("b", "2")]))
        .unwrap();
    sns.tag_resource(&s, &topic, &t(&[("a", "3")])).unwrap();
    assert_eq!(
        sns.list_tags(&s, &topic).unwrap(),
        t(&[("a", "3"), ("b", "2")])
    );
    sns.untag_resource(&s, &topic, &["b".into()]).unwrap();
    assert_eq!(sns.list_tags(&s, &topic).unwrap(), t(&[("a", "3")]));
    let many: Vec<(String, String)> = (0..50).map(|i| (format!("k{i}"), "v".into())).collect();
    assert_eq!(
        sns.tag_resource(&s, &topic, &many).unwrap_err().code,
        ErrorCode::TagLimitExceeded
    );
    let e = sns
        .list_tags(&s, "arn:aws:sns:us-east-1:000000000000:none")
        .unwrap_err();
    assert_eq!(
        (e.code, e.code.status()),
        (ErrorCode::ResourceNotFound, 404)
    );
}

#[test]
fn tv_h_content_based_dedup_ids_passed_to_the_queue() {
    let vectors = [
        (
            "Test",
            "532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25",
        ),
        (
            "Test single",
            "2591186cff6c740cb9e0cfce1653a7e6998d57da12e1da13d85344b1c08be4cb",
        ),
        (
            "Test batched",
            "32a45f72fe3d20fb5d4f1647421d1c5f9d20ef207c8ab713443cc9f9b76c468c",
        ),
        (
            "Test Message with two attributes",
            "47f6d7e2c477469ad670ae3bfee60ed3e79080bb0105fc01a2805a50f8b21358",
        ),
        (
            r#"{"memberId":"6f3cb92b-fb50-4dab-81b4-96b84c1659de","contractId":"af8a4082-45be-4d6c-9ab4-83e5225f27d0","eventType":"SUSPENSION_CREATED"}"#,
            "b217e47e5cba27e740bd9a0c814ef1c322447ea281dbcd1cb4231dfabff63528",
        ),
    ];
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let topic = fifo_topic(&mut sns, "t.fifo", &[("ContentBasedDeduplication", "true")]);
    subscribe(&mut sns, &topic, "q.fifo", &[], &mut ids).unwrap();
    for (message, hash) in vectors {
        let p = sns
            .publish(
                &scope(),
                Some(&topic),
                &msg(message, Some("g"), None),
                &mut ids,
                Timestamp(0),
            )
            .unwrap();
        assert_eq!(
            p.deliveries[0].message_deduplication_id.as_deref(),
            Some(hash),
            "{message}"
        );
    }
}

#[test]
fn tv_r_raw_attributes_hash_as_aws_hashed_them_in_the_queue() {
    let vectors: [(&[(&str, &str)], &str); 3] = [
        (&[("attr1", "99.12")], "d302007e9aa062660afc85fd0a482472"),
        (
            &[("attr1", "99.12"), ("attr2", "109.12")],
            "9b720b3af309c1c4b0d395c53b08c502",
        ),
        (&[("attr1", "19.12")], "1f07082409022a373fa2a2601f82b3cb"),
    ];
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let topic = fifo_topic(&mut sns, "t.fifo", &[]);
    subscribe(
        &mut sns,
        &topic,
        "q.fifo",
        &[("RawMessageDelivery", "true")],
        &mut ids,
    )
    .unwrap();
    for (i, (list, md5)) in vectors.iter().enumerate() {
        let mut f = msg("m", Some("g"), Some(&format!("d{i}")));
        for (name, value) in *list {
            f.message_attributes.push(MessageAttributeInput {
                name: (*name).into(),
                data_type: Some("Number".into()),
                string_value: Some((*value).into()),
                binary_value: None,
            });
        }
        let p = sns
            .publish(&scope(), Some(&topic), &f, &mut ids, Timestamp(0))
            .unwrap();
        let attributes = &p.deliveries[0].message_attributes;
        assert_eq!(
            fifowin_engine::checksum::md5_of_attributes(attributes).as_deref(),
            Some(*md5)
        );
    }
}

#[test]
fn create_topic_attribute_errors_and_limits() {
    let mut sns = Sns::default();
    let s = scope();
    let create = |sns: &mut Sns, name: &str, a: &[(&str, &str)]| {
        sns.create_topic(
            &s,
            &CreateTopic {
                name: name.into(),
                attributes: attrs(a),
                tags: vec![],
            },
        )
    };
    assert_eq!(
        create(&mut sns, "t.fifo", &[("FifoTopic", "yes")])
            .unwrap_err()
            .message,
        "Invalid parameter: Attributes Reason: FifoTopic: Invalid value [yes]. Must be true or false."
    );
    assert_eq!(
        create(&mut sns, "t", &[("Unknown", "x")])
            .unwrap_err()
            .message,
        "Invalid parameter: AttributeName"
    );
    assert_eq!(
        create(
            &mut sns,
            "t.fifo",
            &[("FifoTopic", "true"), ("FifoThroughputScope", "Group")]
        )
        .unwrap_err()
        .message,
        "Invalid parameter: Attributes Reason: FifoThroughputScope: Invalid value [Group]. Please use either Topic or MessageGroup"
    );
    let mut sns = Sns::default();
    for i in 0..MAX_FIFO_TOPICS {
        create(&mut sns, &format!("t{i}.fifo"), &[("FifoTopic", "true")]).unwrap();
    }
    let err = create(&mut sns, "one-more.fifo", &[("FifoTopic", "true")]).unwrap_err();
    assert_eq!(
        (err.code, err.code.status()),
        (ErrorCode::TopicLimitExceeded, 403)
    );
    // Standard topics count separately.
    assert!(create(&mut sns, "standard", &[]).is_ok());
}

#[test]
fn filter_policy_and_subscription_limits_per_topic() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let topic = fifo_topic(&mut sns, "t.fifo", &[]);
    for i in 0..MAX_FIFO_SUBSCRIPTIONS {
        subscribe(&mut sns, &topic, &format!("q{i}"), &[], &mut ids).unwrap();
    }
    let err = subscribe(&mut sns, &topic, "q-extra", &[], &mut ids).unwrap_err();
    assert_eq!(
        (err.code, err.code.status()),
        (ErrorCode::SubscriptionLimitExceeded, 403)
    );

    let topic = standard_topic(&mut sns, "std");
    let policy = [("FilterPolicy", r#"{"a":["b"]}"#)];
    for i in 0..MAX_FILTER_POLICIES {
        subscribe(&mut sns, &topic, &format!("q{i}"), &policy, &mut ids).unwrap();
    }
    let err = subscribe(&mut sns, &topic, "q-extra", &policy, &mut ids).unwrap_err();
    assert_eq!(
        (err.code, err.code.status()),
        (ErrorCode::FilterPolicyLimitExceeded, 403)
    );
    // Without a policy the subscription is still taken, and setting one is refused.
    let plain = subscribe(&mut sns, &topic, "q-plain", &[], &mut ids).unwrap();
    let err = sns
        .set_subscription_attributes(&plain, "FilterPolicy", Some(r#"{"a":["b"]}"#))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::FilterPolicyLimitExceeded);
}

#[test]
fn escapes_under_message_group_scope_name_the_plain_dedup_id() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let s = scope();
    let topic = fifo_topic(
        &mut sns,
        "t.fifo",
        &[("FifoThroughputScope", "MessageGroup")],
    );
    sns.publish(
        &s,
        Some(&topic),
        &msg("x", Some("g1"), Some("d1")),
        &mut ids,
        Timestamp(0),
    )
    .unwrap();
    let late = sns
        .publish(
            &s,
            Some(&topic),
            &msg("x", Some("g1"), Some("d1")),
            &mut ids,
            Timestamp(301_000),
        )
        .unwrap();
    let escape = late.escape.expect("escape");
    assert_eq!(escape.dedup_id, "d1");
    assert_eq!(escape.group_id.as_deref(), Some("g1"));
    assert_eq!(escape.late_by_ms, 1_000);
    assert_eq!(sns.escapes()[0].record.dedup_id, "d1");
}

#[test]
fn message_structure_json_delivers_the_sqs_entry_without_attributes() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let s = scope();
    let topic = standard_topic(&mut sns, "std");
    subscribe(
        &mut sns,
        &topic,
        "raw",
        &[("RawMessageDelivery", "true")],
        &mut ids,
    )
    .unwrap();
    let mut f = msg(r#"{"default":"d","sqs":"for sqs"}"#, None, None);
    f.message_structure = Some("json".into());
    f.message_attributes.push(MessageAttributeInput {
        name: "a".into(),
        data_type: Some("String".into()),
        string_value: Some("v".into()),
        binary_value: None,
    });
    let p = sns
        .publish(&s, Some(&topic), &f, &mut ids, Timestamp(0))
        .unwrap();
    assert_eq!(p.deliveries[0].body, "for sqs");
    assert!(p.deliveries[0].message_attributes.is_empty());
}

#[test]
fn reset_forgets_topics_and_delete_topic_clears_the_window() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let s = scope();
    let topic = fifo_topic(&mut sns, "t.fifo", &[]);
    let first = sns
        .publish(
            &s,
            Some(&topic),
            &msg("x", Some("g"), Some("d")),
            &mut ids,
            Timestamp(0),
        )
        .unwrap();
    sns.delete_topic(&s, &topic).unwrap();
    fifo_topic(&mut sns, "t.fifo", &[]);
    let again = sns
        .publish(
            &s,
            Some(&topic),
            &msg("x", Some("g"), Some("d")),
            &mut ids,
            Timestamp(1),
        )
        .unwrap();
    assert!(!again.duplicate);
    assert_ne!(again.message_id, first.message_id);
    sns.reset();
    assert!(sns.list_topics(&s, None).unwrap().items.is_empty());
}

#[test]
fn dedup_entries_show_live_ids_until_the_window_closes() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let s = scope();
    let topic = fifo_topic(&mut sns, "t.fifo", &[]);
    let p = sns
        .publish(
            &s,
            Some(&topic),
            &msg("x", Some("g"), Some("d")),
            &mut ids,
            Timestamp(0),
        )
        .unwrap();
    sns.publish(
        &s,
        Some(&topic),
        &msg("x", Some("g"), Some("d")),
        &mut ids,
        Timestamp(5),
    )
    .unwrap();
    let live = sns.dedup_entries(&topic, Timestamp(299_999)).unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(
        (live[0].dedup_id.as_str(), live[0].message_id.as_str()),
        ("d", p.message_id.as_str())
    );
    assert_eq!(
        (live[0].expires_at, live[0].suppressed),
        (Timestamp(300_000), 1)
    );
    assert!(
        sns.dedup_entries(&topic, Timestamp(300_000))
            .unwrap()
            .is_empty()
    );
    let std_topic = standard_topic(&mut sns, "std");
    assert_eq!(sns.dedup_entries(&std_topic, Timestamp(0)), None);
}

#[test]
fn the_same_name_in_two_regions_is_two_topics_each_seen_only_from_its_region() {
    let mut sns = Sns::default();
    let mut ids = SeqIds::default();
    let east = scope();
    let west = Scope::new("eu-west-1", A);
    let create = CreateTopic {
        name: "orders".into(),
        ..CreateTopic::default()
    };
    let east_arn = sns.create_topic(&east, &create).unwrap();
    let west_arn = sns.create_topic(&west, &create).unwrap();
    assert_eq!(east_arn, "arn:aws:sns:us-east-1:000000000000:orders");
    assert_eq!(west_arn, "arn:aws:sns:eu-west-1:000000000000:orders");
    let sub_to = |topic: &str, region: &str| Subscribe {
        topic_arn: topic.into(),
        protocol: "sqs".into(),
        endpoint: Some(format!("arn:aws:sqs:{region}:{A}:q")),
        ..Subscribe::default()
    };
    let east_sub = sns
        .subscribe(&east, &sub_to(&east_arn, R), &mut ids)
        .unwrap();
    let west_sub = sns
        .subscribe(&west, &sub_to(&west_arn, "eu-west-1"), &mut ids)
        .unwrap();
    assert_eq!(
        sns.list_topics(&east, None).unwrap().items,
        std::slice::from_ref(&east_arn)
    );
    assert_eq!(
        sns.list_topics(&west, None).unwrap().items,
        std::slice::from_ref(&west_arn)
    );
    let listed = |s: &Scope| -> Vec<String> {
        let page = sns.list_subscriptions(s, None).unwrap();
        page.items.into_iter().map(|i| i.subscription_arn).collect()
    };
    assert_eq!(listed(&east), [east_sub]);
    assert_eq!(listed(&west), [west_sub]);

    // Every operation addressing a topic refuses an ARN of another region,
    // even when that topic exists there.
    let refused = SnsError::invalid("TopicArn");
    assert_eq!(
        sns.get_topic_attributes(&west, &east_arn),
        Err(refused.clone())
    );
    assert_eq!(
        sns.set_topic_attributes(&west, &east_arn, "DisplayName", Some("x")),
        Err(refused.clone())
    );
    assert_eq!(
        sns.subscribe(&west, &sub_to(&east_arn, "eu-west-1"), &mut ids),
        Err(refused.clone())
    );
    assert_eq!(
        sns.list_subscriptions_by_topic(&west, &east_arn, None),
        Err(refused.clone())
    );
    let fields = msg("hi", None, None);
    assert_eq!(
        sns.publish(&west, Some(&east_arn), &fields, &mut ids, Timestamp(0))
            .unwrap_err(),
        refused
    );
    let entries = [BatchEntry {
        id: "a".into(),
        fields,
    }];
    assert_eq!(
        sns.publish_batch(&west, &east_arn, &entries, &mut ids, Timestamp(0))
            .unwrap_err(),
        refused
    );
    assert_eq!(
        sns.tag_resource(&west, &east_arn, &attrs(&[("k", "v")])),
        Err(refused.clone())
    );
    assert_eq!(sns.delete_topic(&west, &east_arn), Err(refused));
    // The refused delete left the topic in its own region.
    assert_eq!(sns.list_topics(&east, None).unwrap().items, [east_arn]);
    // A publish in a region plans deliveries to that region's queue.
    let published = sns
        .publish(
            &west,
            Some(&west_arn),
            &msg("hi", None, None),
            &mut ids,
            Timestamp(0),
        )
        .unwrap();
    let queues: Vec<&str> = published
        .deliveries
        .iter()
        .map(|d| d.queue_arn.as_str())
        .collect();
    assert_eq!(queues, ["arn:aws:sqs:eu-west-1:000000000000:q"]);
}
