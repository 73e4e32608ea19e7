//! What reaches the queues: the envelope compared field by field with
//! sns-spec.md §4.4, raw delivery, filter policies (one case per operator
//! family), fan-out to three queues with different filters, a subscription
//! whose queue is missing (its DLQ gets the message), a standard queue behind
//! a FIFO topic.

use aws_sdk_sqs::types::MessageSystemAttributeName as Sys;

use super::{Fixture, attr, sha256_hex};

impl Fixture {
    /// Publishes with a Subject and message attributes (name, type, value); returns the MessageId.
    async fn publish_with(
        &self,
        topic_arn: &str,
        group: &str,
        message: &str,
        subject: Option<&str>,
        attributes: &[(&str, &str, &str)],
    ) -> (String, String) {
        let mut req = self
            .sns
            .publish()
            .topic_arn(topic_arn)
            .message(message)
            .message_group_id(group)
            .set_subject(subject.map(str::to_owned));
        for (name, data_type, value) in attributes {
            req = req.message_attributes(*name, attr(data_type, value));
        }
        let out = req.send().await.expect("publish");
        (out.message_id.unwrap(), out.sequence_number.unwrap())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_envelope_matches_the_spec_example_field_by_field_and_raw_delivery_carries_the_message_itself()
 {
    let fx = Fixture::start().await;
    let topic = fx
        .fifo_topic("prices", &[("ContentBasedDeduplication", "true")])
        .await;
    let enveloped = fx.server.fifo_queue("enveloped", &[]).await;
    let raw = fx.server.fifo_queue("raw", &[]).await;
    let sub = fx.subscribe(&topic, &enveloped, &[]).await;
    fx.subscribe(&topic, &raw, &[("RawMessageDelivery", "true")])
        .await;
    let message = r#"{"sku":"214"}"#;
    let (id, seq) = fx
        .publish_with(
            &topic,
            "p-214",
            message,
            Some("price"),
            &[("channel", "String", "retail")],
        )
        .await;

    let got = fx.server.receive(&enveloped, 10).await;
    assert_eq!(got.len(), 1);
    let body = got[0].body().unwrap();
    let parsed: serde_json::Value = serde_json::from_str(body).unwrap();
    let timestamp = parsed["Timestamp"].as_str().unwrap();
    // sns-spec.md §4.4, with this publish's ids, topic, time and subscription.
    let expected = format!(
        "{{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : \"{id}\",\n  \"SequenceNumber\" : \"{seq}\",\n  \"TopicArn\" : \"{topic}\",\n  \"Subject\" : \"price\",\n  \"Message\" : \"{{\\\"sku\\\":\\\"214\\\"}}\",\n  \"Timestamp\" : \"{timestamp}\",\n  \"UnsubscribeURL\" : \"http://localhost:9324/?Action=Unsubscribe&SubscriptionArn={sub}\",\n  \"MessageAttributes\" : {{\n    \"channel\" : {{\"Type\":\"String\",\"Value\":\"retail\"}}\n  }}\n}}"
    );
    assert_eq!(body, expected);
    assert_eq!(topic, "arn:aws:sns:us-east-1:000000000000:prices.fifo");
    assert_eq!(seq, "10000000000000000001");
    assert_eq!(timestamp.len(), "2026-01-01T00:00:00.000Z".len());
    assert!(timestamp.ends_with('Z'));
    let attrs = got[0].attributes().unwrap();
    assert_eq!(attrs[&Sys::MessageGroupId], "p-214");
    // Content-based: the SHA-256 of the message, which SNS passes on to the queue.
    assert_eq!(attrs[&Sys::MessageDeduplicationId], sha256_hex(message));
    assert_eq!(attrs[&Sys::SenderId], "AIDAYRRVD2ENU4DSO2WBX");
    assert!(
        got[0].message_attributes().is_none_or(|m| m.is_empty()),
        "enveloped delivery carries attributes in the envelope only"
    );

    let got = fx.server.receive(&raw, 10).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body(), Some(message));
    let attrs = got[0].attributes().unwrap();
    assert_eq!(attrs[&Sys::MessageGroupId], "p-214");
    let channel = &got[0].message_attributes().unwrap()["channel"];
    assert_eq!(channel.data_type(), "String");
    assert_eq!(channel.string_value(), Some("retail"));
}

/// One filter-policy case: the policy, its scope, a publish it lets through and one it keeps out.
struct Case {
    policy: &'static str,
    body_scope: bool,
    matches: (
        &'static str,
        &'static [(&'static str, &'static str, &'static str)],
    ),
    misses: (
        &'static str,
        &'static [(&'static str, &'static str, &'static str)],
    ),
}

const CASES: &[Case] = &[
    // exact string, and a String.Array attribute (any element matches)
    Case {
        policy: r#"{"store":["value1"]}"#,
        body_scope: false,
        matches: (
            "exact",
            &[("store", "String.Array", r#"["value1","value2"]"#)],
        ),
        misses: (
            "exact miss",
            &[("store", "String.Array", r#"["value2","value3"]"#)],
        ),
    },
    // numeric range
    Case {
        policy: r#"{"price":[{"numeric":[">",0,"<=",100]}]}"#,
        body_scope: false,
        matches: ("numeric", &[("price", "Number", "99")]),
        misses: ("numeric miss", &[("price", "Number", "111")]),
    },
    // numeric exact
    Case {
        policy: r#"{"price":[301.5]}"#,
        body_scope: false,
        matches: ("numeric exact", &[("price", "Number", "301.5")]),
        misses: ("numeric exact miss", &[("price", "Number", "301.6")]),
    },
    Case {
        policy: r#"{"channel":[{"anything-but":["web","app"]}]}"#,
        body_scope: false,
        matches: ("anything-but", &[("channel", "String", "retail")]),
        misses: ("anything-but miss", &[("channel", "String", "web")]),
    },
    Case {
        policy: r#"{"name":[{"prefix":"auto-"}]}"#,
        body_scope: false,
        matches: ("prefix", &[("name", "String", "auto-x")]),
        misses: ("prefix miss", &[("name", "String", "x-auto")]),
    },
    Case {
        policy: r#"{"file":[{"suffix":".png"}]}"#,
        body_scope: false,
        matches: ("suffix", &[("file", "String", "a.png")]),
        misses: ("suffix miss", &[("file", "String", "a.jpg")]),
    },
    Case {
        policy: r#"{"sport":[{"equals-ignore-case":"Rugby"}]}"#,
        body_scope: false,
        matches: ("equals-ignore-case", &[("sport", "String", "RUGBY")]),
        misses: ("equals-ignore-case miss", &[("sport", "String", "soccer")]),
    },
    Case {
        policy: r#"{"store":[{"exists":false}]}"#,
        body_scope: false,
        matches: ("exists false", &[("other", "String", "x")]),
        misses: ("exists false miss", &[("store", "String", "x")]),
    },
    Case {
        policy: r#"{"ip":[{"cidr":"10.0.0.0/24"}]}"#,
        body_scope: false,
        matches: ("cidr", &[("ip", "String", "10.0.0.255")]),
        misses: ("cidr miss", &[("ip", "String", "10.0.1.1")]),
    },
    // body scope: nesting, a dotted key, $or, and the true/null literals
    Case {
        policy: r#"{"detail.kind":["order"],"detail":{"$or":[{"ok":[true]},{"code":[null]}]}}"#,
        body_scope: true,
        matches: (r#"{"detail":{"kind":"order","ok":true}}"#, &[]),
        misses: (r#"{"detail":{"kind":"order","ok":false,"code":1}}"#, &[]),
    },
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filter_policies_of_every_operator_family_decide_which_publishes_a_queue_gets() {
    let fx = Fixture::start().await;
    for (i, case) in CASES.iter().enumerate() {
        let topic = fx
            .fifo_topic(
                &format!("filter-{i}"),
                &[("ContentBasedDeduplication", "true")],
            )
            .await;
        let url = fx.server.fifo_queue(&format!("filter-{i}"), &[]).await;
        let scope = if case.body_scope {
            "MessageBody"
        } else {
            "MessageAttributes"
        };
        fx.subscribe(
            &topic,
            &url,
            &[
                ("RawMessageDelivery", "true"),
                ("FilterPolicy", case.policy),
                ("FilterPolicyScope", scope),
            ],
        )
        .await;
        for (message, attributes) in [case.matches, case.misses] {
            fx.publish_with(&topic, "g", message, None, attributes)
                .await;
        }
        assert_eq!(
            fx.server.receive_bodies(&url, 10).await,
            [case.matches.0],
            "policy {}",
            case.policy
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fan_out_to_three_queues_with_different_filters() {
    let fx = Fixture::start().await;
    let topic = fx
        .fifo_topic("fanout", &[("ContentBasedDeduplication", "true")])
        .await;
    let retail = fx.server.fifo_queue("retail", &[]).await;
    let expensive = fx.server.fifo_queue("expensive", &[]).await;
    let other = fx.server.fifo_queue("other", &[]).await;
    let raw = ("RawMessageDelivery", "true");
    fx.subscribe(
        &topic,
        &retail,
        &[raw, ("FilterPolicy", r#"{"channel":["retail"]}"#)],
    )
    .await;
    fx.subscribe(
        &topic,
        &expensive,
        &[
            raw,
            ("FilterPolicy", r#"{"price":[{"numeric":[">",100]}]}"#),
        ],
    )
    .await;
    fx.subscribe(
        &topic,
        &other,
        &[
            raw,
            ("FilterPolicy", r#"{"channel":[{"anything-but":"retail"}]}"#),
        ],
    )
    .await;
    let publish = |message: &'static str, channel: &'static str, price: &'static str| {
        let fx = &fx;
        let topic = &topic;
        async move {
            fx.publish_with(
                topic,
                "g",
                message,
                None,
                &[("channel", "String", channel), ("price", "Number", price)],
            )
            .await
        }
    };
    publish("retail 150", "retail", "150").await;
    publish("web 50", "web", "50").await;
    publish("web 500", "web", "500").await;

    assert_eq!(fx.server.receive_bodies(&retail, 10).await, ["retail 150"]);
    assert_eq!(
        fx.server.receive_bodies(&expensive, 10).await,
        ["retail 150", "web 500"]
    );
    assert_eq!(
        fx.server.receive_bodies(&other, 10).await,
        ["web 50", "web 500"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_to_a_missing_queue_goes_to_the_subscriptions_dlq_and_is_counted() {
    let fx = Fixture::start().await;
    let topic = fx.fifo_topic("lost", &[]).await;
    let dlq = fx.server.fifo_queue("lost-dlq", &[]).await;
    let dlq_arn = fx.queue_arn(&dlq).await;
    // A well-formed ARN of a queue that does not exist is accepted, as on AWS.
    let sub = fx
        .sns
        .subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint("arn:aws:sqs:us-east-1:000000000000:missing.fifo")
        .attributes(
            "RedrivePolicy",
            format!(r#"{{"deadLetterTargetArn":"{dlq_arn}"}}"#),
        )
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .unwrap()
        .subscription_arn
        .unwrap();
    fx.publish(&topic, "g", Some("d"), "nowhere to go").await;
    let got = fx.server.receive(&dlq, 10).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body(), Some("nowhere to go"));
    let attrs = got[0].attributes().unwrap();
    assert_eq!(attrs[&Sys::MessageGroupId], "g");
    assert_eq!(attrs[&Sys::MessageDeduplicationId], "d");
    let topics = fx.server.control_get("/_fifowin/topics").await;
    let listed = &topics["topics"][0]["subscriptions"][0];
    assert_eq!(listed["arn"], sub.as_str());
    assert_eq!(listed["counters"]["failed"], 1);
    assert_eq!(listed["counters"]["delivered"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standard_queue_behind_a_fifo_topic_gets_no_group_or_dedup_id() {
    let fx = Fixture::start().await;
    let topic = fx.fifo_topic("to-standard", &[]).await;
    let url = fx.server.standard_queue("plain", &[]).await;
    fx.subscribe(&topic, &url, &[("RawMessageDelivery", "true")])
        .await;
    fx.publish(&topic, "g", Some("d"), "m").await;
    fx.publish(&topic, "g", Some("d"), "m").await;
    let got = fx.server.receive(&url, 10).await;
    assert_eq!(
        got.len(),
        1,
        "the topic's window applies to standard queues too"
    );
    let attrs = got[0].attributes().unwrap();
    assert!(!attrs.contains_key(&Sys::MessageGroupId));
    assert!(!attrs.contains_key(&Sys::MessageDeduplicationId));
}
