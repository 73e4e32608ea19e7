//! The FIFO topic's window end to end: a duplicate publish answers with the
//! original ids and delivers nothing, the boundary is exact, content-based ids,
//! a PublishBatch retried after a lost acknowledgement, and the two windows in
//! series (a 90 s topic window in front of a 5 min queue window).

use aws_sdk_sns::types::PublishBatchRequestEntry;
use serde_json::json;

use super::{Fixture, sha256_hex};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_publish_inside_the_window_answers_the_original_ids_and_delivers_once_per_queue()
 {
    let fx = Fixture::start().await;
    let topic = fx.fifo_topic("orders", &[]).await;
    let a = fx.server.fifo_queue("billing", &[]).await;
    let b = fx.server.fifo_queue("shipping", &[]).await;
    fx.subscribe(&topic, &a, &[]).await;
    fx.subscribe(&topic, &b, &[("RawMessageDelivery", "true")])
        .await;

    let first = fx.publish(&topic, "g1", Some("order-1"), "first").await;
    fx.server.advance(10_000).await;
    let again = fx.publish(&topic, "g1", Some("order-1"), "retry").await;
    assert_eq!(
        again, first,
        "a duplicate answers the original MessageId and SequenceNumber"
    );

    let enveloped = fx.server.receive(&a, 10).await;
    assert_eq!(enveloped.len(), 1);
    let envelope: serde_json::Value = serde_json::from_str(enveloped[0].body().unwrap()).unwrap();
    assert_eq!(envelope["MessageId"], first.0.as_str());
    assert_eq!(envelope["Message"], "first");
    assert_eq!(fx.server.receive_bodies(&b, 10).await, ["first"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_topic_window_ends_exactly_at_the_window_on_the_manual_clock() {
    let fx = Fixture::start().await;
    let topic = fx.fifo_topic("edge", &[]).await;
    let url = fx.server.fifo_queue("edge", &[]).await;
    fx.subscribe(&topic, &url, &[("RawMessageDelivery", "true")])
        .await;
    let t0 = fx.server.now_ms().await;
    let first = fx.publish(&topic, "g", Some("d1"), "first").await;

    fx.server.advance(299_999).await;
    let dup = fx
        .publish(&topic, "g", Some("d1"), "at window - 1 ms")
        .await;
    assert_eq!(dup, first);

    fx.server.advance(1).await;
    let late = fx.publish(&topic, "g", Some("d1"), "at window").await;
    assert_ne!(late.0, first.0);
    let seq = |s: &str| s.parse::<u128>().unwrap();
    assert!(seq(&late.1) > seq(&first.1));

    // The queue's own 5-minute window closed at the same instant, so it takes the
    // topic's second message.
    assert_eq!(
        fx.server.receive_bodies(&url, 10).await,
        ["first", "at window"]
    );
    let escapes = fx.server.escapes().await;
    assert_eq!(escapes["topic_count"], 1);
    assert_eq!(
        escapes["topic_escapes"][0],
        json!({
            "topic": "edge.fifo",
            "topic_arn": topic,
            "dedup_id": "d1",
            "group_id": "g",
            "first_sent_ms": t0,
            "resent_ms": t0 + 300_000,
            "late_by_ms": 0,
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_based_dedup_hashes_the_message_across_groups_and_passes_the_hash_on() {
    let fx = Fixture::start().await;
    let topic = fx
        .fifo_topic("cbd", &[("ContentBasedDeduplication", "true")])
        .await;
    let url = fx.server.fifo_queue("cbd", &[]).await;
    fx.subscribe(&topic, &url, &[("RawMessageDelivery", "true")])
        .await;
    let first = fx.publish(&topic, "g1", None, "Test").await;
    // FifoThroughputScope=Topic (the default): the key spans groups.
    let second = fx.publish(&topic, "g2", None, "Test").await;
    assert_eq!(second, first);
    let messages = fx.server.receive(&url, 10).await;
    assert_eq!(messages.len(), 1);
    let attrs = messages[0].attributes().unwrap();
    let dedup = attrs
        .get(&aws_sdk_sqs::types::MessageSystemAttributeName::MessageDeduplicationId)
        .unwrap();
    // TV-H: SNS hands the queue the SHA-256 of the message as its dedup id.
    assert_eq!(
        dedup,
        "532eaabd9574880dbf76b9b8cc00832c20a6ec113d682299550d7a6e0f345e25"
    );
    assert_eq!(dedup, &sha256_hex("Test"));
    let group = attrs
        .get(&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId)
        .unwrap();
    assert_eq!(group, "g1");
}

fn entry(id: &str, group: &str, dedup: &str) -> PublishBatchRequestEntry {
    PublishBatchRequestEntry::builder()
        .id(id)
        .message(format!("body {id}"))
        .message_group_id(group)
        .message_deduplication_id(dedup)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publish_batch_retried_after_a_lost_acknowledgement_is_suppressed_by_the_topic() {
    let fx = Fixture::start().await;
    let topic = fx.fifo_topic("batch", &[]).await;
    let url = fx.server.fifo_queue("batch", &[]).await;
    fx.subscribe(&topic, &url, &[("RawMessageDelivery", "true")])
        .await;
    // The batch takes effect, then the answer is lost; the SDK retries into the window.
    let rule = fx
        .server
        .fifowin()
        .add_fault(json!({
            "operation": "PublishBatch",
            "queue": "batch.fifo",
            "action": "fail_after_commit",
            "count": 1,
        }))
        .await
        .unwrap();
    let out = fx
        .sns
        .publish_batch()
        .topic_arn(&topic)
        .publish_batch_request_entries(entry("a", "g1", "d-a"))
        .publish_batch_request_entries(entry("b", "g1", "d-b"))
        .publish_batch_request_entries(entry("c", "g2", "d-c"))
        .send()
        .await
        .expect("the SDK's retry succeeds");
    let rules = fx.server.fifowin().faults().await.unwrap();
    let fired = rules.iter().find(|r| r["id"] == rule).unwrap();
    assert_eq!(fired["fired"], 1, "the first attempt's answer was lost");
    assert_eq!(fired["matched"], 2, "and the SDK sent the batch again");

    let successful = out.successful();
    assert_eq!(successful.len(), 3);
    assert!(out.failed().is_empty());
    // The retry answers the ids the first (lost) attempt was given: sequence
    // numbers 1-3 of the topic, not 4-6.
    let seqs: Vec<&str> = successful
        .iter()
        .map(|e| e.sequence_number().unwrap())
        .collect();
    assert_eq!(
        seqs,
        [
            "10000000000000000001",
            "10000000000000000002",
            "10000000000000000003"
        ]
    );
    assert_eq!(
        fx.server.receive_bodies(&url, 10).await,
        ["body a", "body b", "body c"]
    );
    let topics = fx.server.control_get("/_fifowin/topics").await;
    assert_eq!(topics["topics"][0]["stats"]["published"], 3);
    assert_eq!(topics["topics"][0]["stats"]["duplicates_suppressed"], 3);
}

/// A server whose queues keep the default 5-minute window and whose topic
/// `prices.fifo` (from the config file) has a 90 s window.
async fn two_windows() -> Fixture {
    Fixture::from_toml(
        r#"
[[queues]]
name = "prices.fifo"

[[topics]]
name = "prices.fifo"
dedup_window = "90s"
[[topics.subscriptions]]
queue = "prices.fifo"
raw = true
"#,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_90_s_topic_window_in_front_of_a_5_min_queue_window() {
    let fx = two_windows().await;
    let topic = "arn:aws:sns:us-east-1:000000000000:prices.fifo";
    let url = fx
        .server
        .sqs
        .get_queue_url()
        .queue_name("prices.fifo")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let first = fx.publish(topic, "p-214", Some("price-214"), "v1").await;

    // 1. Retried inside the topic window: the topic answers the original ids.
    fx.server.advance(60_000).await;
    let inside = fx.publish(topic, "p-214", Some("price-214"), "v1").await;
    assert_eq!(inside, first);

    // 2. Retried after the topic window, inside the queue's: the topic accepts
    //    it as new (a topic escape), the queue suppresses it.
    fx.server.advance(60_000).await; // t = 120 s
    let past_topic = fx.publish(topic, "p-214", Some("price-214"), "v1").await;
    assert_ne!(past_topic.0, first.0);
    let dedup = fx
        .server
        .control_get("/_fifowin/queues/prices.fifo/dedup")
        .await;
    assert_eq!(dedup["entries"][0]["dedup_id"], "price-214");
    assert_eq!(dedup["entries"][0]["suppressed"], 1);

    // 3. Retried after both windows (the topic re-anchored at 120 s, the queue
    //    at 0): it escapes both and is delivered twice.
    fx.server.advance(181_000).await; // t = 301 s
    let escaped = fx.publish(topic, "p-214", Some("price-214"), "v1").await;
    assert_ne!(escaped.0, past_topic.0);

    assert_eq!(fx.server.receive_bodies(&url, 10).await, ["v1", "v1"]);
    let escapes = fx.server.escapes().await;
    assert_eq!(escapes["count"], 1, "the queue's window let one through");
    assert_eq!(escapes["escapes"][0]["queue"], "prices.fifo");
    assert_eq!(
        escapes["topic_count"], 2,
        "the topic's window let two through"
    );
    // The same through fifowin-testing's typed call.
    let typed = fx.server.fifowin().topic_escapes().await.unwrap();
    let late: Vec<(&str, u64)> = typed
        .iter()
        .map(|e| (e.topic.as_str(), e.late_by_ms))
        .collect();
    assert_eq!(late, [("prices.fifo", 30_000), ("prices.fifo", 91_000)]);
    assert!(
        typed
            .iter()
            .all(|e| e.topic_arn == topic && e.dedup_id == "price-214")
    );
    let topics = fx.server.control_get("/_fifowin/topics").await;
    assert_eq!(topics["topics"][0]["dedup_window_ms"], 90_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_group_throughput_scope_keys_by_group_and_the_queues_scope_decides_what_is_seen() {
    let fx = Fixture::start().await;
    let topic = fx
        .fifo_topic("scoped", &[("FifoThroughputScope", "MessageGroup")])
        .await;
    // sns-spec.md §3.4: the same id in two groups passes a MessageGroup-scoped
    // topic twice; a queue-scoped queue then drops the second, a group-scoped one keeps both.
    let by_queue = fx
        .server
        .fifo_queue("by-queue", &[("DeduplicationScope", "queue")])
        .await;
    let by_group = fx
        .server
        .fifo_queue(
            "by-group",
            &[
                ("DeduplicationScope", "messageGroup"),
                ("FifoThroughputLimit", "perMessageGroupId"),
            ],
        )
        .await;
    let raw = [("RawMessageDelivery", "true")];
    fx.subscribe(&topic, &by_queue, &raw).await;
    fx.subscribe(&topic, &by_group, &raw).await;
    let g1 = fx.publish(&topic, "g1", Some("d1"), "from g1").await;
    let g2 = fx.publish(&topic, "g2", Some("d1"), "from g2").await;
    assert_ne!(g1.0, g2.0, "two accepted publishes");
    let again = fx.publish(&topic, "g1", Some("d1"), "from g1 again").await;
    assert_eq!(again, g1, "the key is (group, id)");
    assert_eq!(fx.server.receive_bodies(&by_queue, 10).await, ["from g1"]);
    let mut both = fx.server.receive_bodies(&by_group, 10).await;
    both.sort();
    assert_eq!(both, ["from g1", "from g2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_queue_receives_a_groups_messages_in_publish_order() {
    let fx = Fixture::start().await;
    let topic = fx
        .fifo_topic("ordered", &[("ContentBasedDeduplication", "true")])
        .await;
    let a = fx.server.fifo_queue("ordered-a", &[]).await;
    let b = fx.server.fifo_queue("ordered-b", &[]).await;
    let raw = [("RawMessageDelivery", "true")];
    fx.subscribe(&topic, &a, &raw).await;
    fx.subscribe(&topic, &b, &raw).await;
    let mut seqs = Vec::new();
    for i in 0..5 {
        let (_, seq) = fx.publish(&topic, "g", None, &format!("m{i}")).await;
        seqs.push(seq.parse::<u128>().unwrap());
    }
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    for url in [&a, &b] {
        assert_eq!(
            fx.server.receive_bodies(url, 10).await,
            ["m0", "m1", "m2", "m3", "m4"]
        );
    }
}
