//! Topics seen and controlled like queues: the inspection API, `/metrics`,
//! reset and the config file's topics, and durable mode's restart.

use std::time::Duration;

use serde_json::json;

use super::{Fixture, attr};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn topics_and_their_dedup_ids_are_in_the_inspection_api() {
    let fx = Fixture::start().await;
    let topic = fx
        .fifo_topic("seen", &[("ContentBasedDeduplication", "true")])
        .await;
    let url = fx.server.fifo_queue("seen", &[]).await;
    let dlq = fx.server.fifo_queue("seen-dlq", &[]).await;
    let dlq_arn = fx.queue_arn(&dlq).await;
    let sub = fx
        .subscribe(
            &topic,
            &url,
            &[
                ("FilterPolicy", r#"{"kind":["order"]}"#),
                (
                    "RedrivePolicy",
                    &format!(r#"{{"deadLetterTargetArn":"{dlq_arn}"}}"#),
                ),
            ],
        )
        .await;
    let t0 = fx.server.now_ms().await;
    let (id, _) = fx.publish(&topic, "g", Some("d1"), "m").await;
    fx.publish(&topic, "g", Some("d1"), "m").await;

    let topics = fx.server.control_get("/_fifowin/topics").await;
    assert_eq!(
        topics["topics"][0],
        json!({
            "name": "seen.fifo",
            "arn": topic,
            "kind": "fifo",
            "content_based_deduplication": true,
            "dedup_window_ms": 300_000,
            "dedup_entries": 1,
            "stats": {"published": 1, "duplicates_suppressed": 1, "duplicates_escaped": 0},
            "subscriptions": [{
                "arn": sub,
                "queue": "seen.fifo",
                "queue_arn": fx.queue_arn(&url).await,
                "raw": false,
                "filter_policy": r#"{"kind":["order"]}"#,
                "filter_policy_scope": "MessageAttributes",
                "dead_letter_queue": "seen-dlq.fifo",
                // No `kind` attribute: the filter kept the publish out.
                "counters": {"published": 1, "suppressed": 1, "delivered": 0, "filtered_out": 1, "failed": 0},
            }],
        })
    );
    let dedup = fx
        .server
        .control_get("/_fifowin/topics/seen.fifo/dedup")
        .await;
    assert_eq!(
        dedup,
        json!({
            "topic": "seen.fifo",
            "topic_arn": topic,
            "window_ms": 300_000,
            "now_ms": t0,
            "count": 1,
            "entries": [{
                "dedup_id": "d1",
                "group_id": "g",
                "message_id": id,
                "first_sent_ms": t0,
                "expires_ms": t0 + 300_000,
                "suppressed": 1,
                "suppressed_at_ms": [t0],
            }],
        })
    );
    let get = |path: &'static str| fx.server.control(reqwest::Method::GET, path, None);
    let (status, body) = get("/_fifowin/topics/nope.fifo/dedup").await;
    assert_eq!(
        (status, body),
        (404, json!({"error": "topic nope.fifo does not exist"}))
    );
    fx.sns.create_topic().name("plain").send().await.unwrap();
    let (status, _) = get("/_fifowin/topics/plain/dedup").await;
    assert_eq!(status, 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_publishes_per_topic_and_deliveries_per_subscription() {
    let fx = Fixture::start().await;
    let topic = fx.fifo_topic("metered", &[]).await;
    let url = fx.server.fifo_queue("metered", &[]).await;
    let sub = fx
        .subscribe(&topic, &url, &[("FilterPolicy", r#"{"kind":["order"]}"#)])
        .await;
    let order = attr("String", "order");
    for dedup in ["a", "a", "b"] {
        fx.sns
            .publish()
            .topic_arn(&topic)
            .message("m")
            .message_group_id("g")
            .message_deduplication_id(dedup)
            .message_attributes("kind", order.clone())
            .send()
            .await
            .unwrap();
    }
    fx.publish(&topic, "g", Some("c"), "no kind").await;
    let metrics = fx.server.metrics().await;
    let topic_label = [("topic", "metered.fifo")];
    assert_eq!(
        metrics.get("fifowin_sns_published_total", &topic_label),
        Some(3.0)
    );
    assert_eq!(
        metrics.get("fifowin_sns_duplicates_suppressed_total", &topic_label),
        Some(1.0)
    );
    assert_eq!(
        metrics.get("fifowin_sns_duplicates_escaped_total", &topic_label),
        Some(0.0)
    );
    let sub = [
        ("topic", "metered.fifo"),
        ("queue", "metered.fifo"),
        ("subscription", sub.as_str()),
    ];
    for (family, expected) in [
        ("fifowin_sns_subscription_published_total", 3.0),
        ("fifowin_sns_subscription_suppressed_total", 1.0),
        ("fifowin_sns_subscription_delivered_total", 2.0),
        ("fifowin_sns_subscription_filtered_out_total", 1.0),
        ("fifowin_sns_subscription_failed_total", 0.0),
    ] {
        assert_eq!(metrics.get(family, &sub), Some(expected), "{family}");
    }
    // SNS operations share the request families with SQS's.
    assert_eq!(
        metrics.get(
            "fifowin_request_duration_seconds_count",
            &[("operation", "Publish")]
        ),
        Some(4.0)
    );
}

const CONFIG: &str = r#"
[[queues]]
name = "orders.fifo"
[[queues]]
name = "orders-dlq.fifo"

[[topics]]
name = "orders.fifo"
content_based_deduplication = true
dedup_window = "2m"
attributes = { DisplayName = "Orders" }
[[topics.subscriptions]]
queue = "orders.fifo"
raw = true
filter_policy = '{"kind": ["order"]}'
dead_letter = "orders-dlq.fifo"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_file_topics_deliver_and_a_global_reset_recreates_them_and_drops_the_rest() {
    let fx = Fixture::from_toml(CONFIG).await;
    let topic = "arn:aws:sns:us-east-1:000000000000:orders.fifo";
    let attributes = fx.topic_attributes(topic).await;
    assert_eq!(attributes["DisplayName"], "Orders");
    assert_eq!(attributes["ContentBasedDeduplication"], "true");
    assert_eq!(attributes["SubscriptionsConfirmed"], "1");
    let kind = |v: &str| attr("String", v);
    for (message, k) in [("an order", "order"), ("a refund", "refund")] {
        fx.sns
            .publish()
            .topic_arn(topic)
            .message(message)
            .message_group_id("g")
            .message_attributes("kind", kind(k))
            .send()
            .await
            .unwrap();
    }
    let url = format!("{}/000000000000/orders.fifo", fx.server.endpoint);
    assert_eq!(fx.server.receive_bodies(&url, 10).await, ["an order"]);
    let listed = fx.server.control_get("/_fifowin/topics").await;
    assert_eq!(listed["topics"][0]["dedup_window_ms"], 120_000);

    fx.sns
        .create_topic()
        .name("made-by-a-test")
        .send()
        .await
        .unwrap();
    let (status, body) = fx.server.control_post("/_fifowin/reset", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(body["topics_dropped"], 2);
    assert_eq!(body["topics_created"], 1);
    let topics = fx.sns.list_topics().send().await.unwrap();
    let arns: Vec<&str> = topics
        .topics()
        .iter()
        .filter_map(|t| t.topic_arn())
        .collect();
    assert_eq!(arns, [topic]);
    // The topic's window was cleared with it: the same message is new again.
    fx.sns
        .publish()
        .topic_arn(topic)
        .message("an order")
        .message_group_id("g")
        .message_attributes("kind", kind("order"))
        .send()
        .await
        .unwrap();
    assert_eq!(fx.server.receive_bodies(&url, 10).await, ["an order"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_mode_replays_topics_subscriptions_and_the_topic_window_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("fifowin-e2e-sns-durable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let start = || fifowin_e2e::start_durable(&dir);
    let fw = start().await;
    let (sns, sqs) = (fw.sns_client(), fw.sqs_client());
    let topic = sns
        .create_topic()
        .name("kept.fifo")
        .attributes("FifoTopic", "true")
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    let url = sqs
        .create_queue()
        .queue_name("kept.fifo")
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let sub = sns
        .subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint("arn:aws:sqs:us-east-1:000000000000:kept.fifo")
        .attributes("RawMessageDelivery", "true")
        .send()
        .await
        .unwrap()
        .subscription_arn
        .unwrap();
    let publish = |sns: aws_sdk_sns::Client| {
        let topic = topic.clone();
        async move {
            let out = sns
                .publish()
                .topic_arn(topic)
                .message("durable")
                .message_group_id("g")
                .message_deduplication_id("d1")
                .send()
                .await
                .unwrap();
            (out.message_id.unwrap(), out.sequence_number.unwrap())
        }
    };
    let first = publish(sns.clone()).await;
    drop((sns, sqs));
    fw.stop().await.unwrap();

    let fw = start().await;
    let (sns, sqs) = (fw.sns_client(), fw.sqs_client());
    let listed = sns
        .list_subscriptions_by_topic()
        .topic_arn(&topic)
        .send()
        .await
        .unwrap();
    assert_eq!(
        listed.subscriptions()[0].subscription_arn(),
        Some(sub.as_str())
    );
    // The topic's window was replayed with the same ids: a retry is still a duplicate.
    assert_eq!(publish(sns.clone()).await, first);
    let received = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let bodies: Vec<&str> = received
        .messages()
        .iter()
        .filter_map(|m| m.body())
        .collect();
    assert_eq!(
        bodies,
        ["durable"],
        "delivered once, and kept across the restart"
    );
    drop((sns, sqs));
    fw.stop().await.unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durable_snapshots_stay_on_with_sns_in_use_and_a_restart_from_one_keeps_the_topic_window() {
    let dir = std::env::temp_dir().join(format!("fifowin-e2e-sns-snap-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let start = || fifowin_e2e::start_durable_snapshotting(&dir, 5);
    let fw = start().await;
    let (sns, sqs) = (fw.sns_client(), fw.sqs_client());
    let topic = sns
        .create_topic()
        .name("snap.fifo")
        .attributes("FifoTopic", "true")
        .tags(
            aws_sdk_sns::types::Tag::builder()
                .key("team")
                .value("a")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .topic_arn
        .unwrap();
    let url = sqs
        .create_queue()
        .queue_name("snap.fifo")
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let sub = sns
        .subscribe()
        .topic_arn(&topic)
        .protocol("sqs")
        .endpoint("arn:aws:sqs:us-east-1:000000000000:snap.fifo")
        .attributes("RawMessageDelivery", "true")
        .attributes("FilterPolicy", r#"{"kind":["order"]}"#)
        .send()
        .await
        .unwrap()
        .subscription_arn
        .unwrap();
    let publish = |sns: aws_sdk_sns::Client, dedup: &'static str| {
        let topic = topic.clone();
        async move {
            let out = sns
                .publish()
                .topic_arn(topic)
                .message(format!("body-{dedup}"))
                .message_group_id("g")
                .message_deduplication_id(dedup)
                .message_attributes(
                    "kind",
                    aws_sdk_sns::types::MessageAttributeValue::builder()
                        .data_type("String")
                        .string_value("order")
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .unwrap();
            (out.message_id.unwrap(), out.sequence_number.unwrap())
        }
    };
    let d1 = publish(sns.clone(), "d1").await;
    let d2 = publish(sns.clone(), "d2").await;
    assert_eq!(publish(sns.clone(), "d1").await, d1);
    // Six SNS and SQS records at a snapshot every 5: one is written.
    let mut written = 0;
    for _ in 0..200 {
        written = fifowin_e2e::snapshots_written(fw.endpoint_url()).await;
        if written > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(written >= 1, "no snapshot with SNS in use");
    let d3 = publish(sns.clone(), "d3").await;
    let attributes = sns
        .get_subscription_attributes()
        .subscription_arn(&sub)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    drop((sns, sqs));
    fw.stop().await.unwrap();

    let fw = start().await;
    let (sns, sqs) = (fw.sns_client(), fw.sqs_client());
    let again = sns
        .get_subscription_attributes()
        .subscription_arn(&sub)
        .send()
        .await
        .unwrap()
        .attributes
        .unwrap();
    assert_eq!(again, attributes);
    let tags = sns
        .list_tags_for_resource()
        .resource_arn(&topic)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags()[0].value(), "a");
    // Inside the window: the original ids and sequence numbers, nothing delivered.
    assert_eq!(publish(sns.clone(), "d1").await, d1);
    assert_eq!(publish(sns.clone(), "d2").await, d2);
    assert_eq!(publish(sns.clone(), "d3").await, d3);
    // Past the window (5 minutes of the manual clock): a new message.
    fw.advance(Duration::from_secs(300)).await.unwrap();
    let late = publish(sns.clone(), "d1").await;
    assert_ne!(late.0, d1.0);
    assert!(
        late.1 > d3.1,
        "sequence numbers go on: {} after {}",
        late.1,
        d3.1
    );
    let received = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let bodies: Vec<&str> = received
        .messages()
        .iter()
        .filter_map(|m| m.body())
        .collect();
    assert_eq!(bodies, ["body-d1", "body-d2", "body-d3", "body-d1"]);
    drop((sns, sqs));
    fw.stop().await.unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_annotated_examples_topic_starts_with_its_window_and_subscriptions() {
    let example = include_str!("../../../fifowin.example.toml")
        .replace("clock = \"system\"", "clock = \"manual\"");
    let fx = Fixture::from_toml(&example).await;
    let topic = "arn:aws:sns:us-east-1:000000000000:prices.fifo";
    let attributes = fx.topic_attributes(topic).await;
    assert_eq!(attributes["DisplayName"], "Prices");
    assert_eq!(attributes["FifoThroughputScope"], "MessageGroup");
    assert_eq!(attributes["SubscriptionsConfirmed"], "2");
    let subs = fx
        .sns
        .list_subscriptions_by_topic()
        .topic_arn(topic)
        .send()
        .await
        .unwrap();
    let mut endpoints: Vec<&str> = subs
        .subscriptions()
        .iter()
        .filter_map(|s| s.endpoint())
        .collect();
    endpoints.sort();
    assert_eq!(
        endpoints,
        [
            "arn:aws:sqs:us-east-1:000000000000:events",
            "arn:aws:sqs:us-east-1:000000000000:orders.fifo"
        ]
    );
    let listed = fx.server.control_get("/_fifowin/topics").await;
    assert_eq!(listed["topics"][0]["dedup_window_ms"], 90_000);
}
