//! FIFO deduplication: the window boundary (`t < first_accepted + window` is a
//! duplicate), what a duplicate answers, anchoring, survival across receive and
//! delete, PurgeQueue, DeduplicationScope, content-based ids, batches, escapes.

use aws_sdk_sqs::types::{
    MessageSystemAttributeNameForSends, MessageSystemAttributeValue, SendMessageBatchRequestEntry,
};
use fifowin_e2e::{TestServer, md5_hex, string_attr, sys_attr};
use serde_json::json;
use sha2::{Digest, Sha256};

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_window_ends_exactly_five_minutes_after_the_first_send() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("win", &[]).await;
    let t0 = server.now_ms().await;
    let first = server.send_fifo(&url, "g", Some("d1"), "first").await;

    server.advance(299_999).await;
    let dup = server
        .send_fifo(&url, "g", Some("d1"), "at window - 1 ms")
        .await;
    assert_eq!(dup.message_id(), first.message_id());
    assert_eq!(dup.sequence_number(), first.sequence_number());

    server.advance(1).await;
    let late = server.send_fifo(&url, "g", Some("d1"), "at window").await;
    assert_ne!(late.message_id(), first.message_id());
    let seq = |s: Option<&str>| s.unwrap().parse::<u128>().unwrap();
    assert!(seq(late.sequence_number()) > seq(first.sequence_number()));

    assert_eq!(
        server.receive_bodies(&url, 10).await,
        ["first", "at window"]
    );
    let escapes = server.escapes().await;
    assert_eq!(escapes["count"], 1);
    assert_eq!(
        escapes["escapes"][0],
        json!({
            "queue": "win.fifo",
            "dedup_id": "d1",
            "group_id": "g",
            "first_sent_ms": t0,
            "resent_ms": t0 + 300_000,
            "late_by_ms": 0,
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_window_moves_the_boundary_and_reanchors_after_it() {
    let server = TestServer::with_window_ms(1_000).await;
    let url = server.fifo_queue("custom", &[]).await;
    let t0 = server.now_ms().await;
    let first = server.send_fifo(&url, "g", Some("k"), "one").await;
    server.advance(999).await;
    assert_eq!(
        server
            .send_fifo(&url, "g", Some("k"), "dup")
            .await
            .message_id(),
        first.message_id()
    );
    server.advance(1).await;
    let second = server.send_fifo(&url, "g", Some("k"), "two").await;
    assert_ne!(second.message_id(), first.message_id());
    // The new window is anchored at the second accepted send (t0 + 1000).
    server.advance(999).await;
    assert_eq!(
        server
            .send_fifo(&url, "g", Some("k"), "dup")
            .await
            .message_id(),
        second.message_id()
    );
    server.advance(501).await;
    let third = server.send_fifo(&url, "g", Some("k"), "three").await;
    assert_ne!(third.message_id(), second.message_id());

    let escapes = server.escapes().await;
    assert_eq!(escapes["count"], 2);
    let late: Vec<(u64, u64, u64)> = escapes["escapes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["first_sent_ms"].as_u64().unwrap() - t0,
                e["resent_ms"].as_u64().unwrap() - t0,
                e["late_by_ms"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(late, [(0, 1_000, 0), (1_000, 2_500, 500)]);
    assert_eq!(
        server.receive_bodies(&url, 10).await,
        ["one", "two", "three"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_answers_the_original_ids_with_md5s_of_the_new_request() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("dup", &[]).await;
    let original = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("original")
        .message_group_id("g")
        .message_deduplication_id("same")
        .message_attributes("Foo", string_attr("Bar"))
        .send()
        .await
        .unwrap();
    let trace = MessageSystemAttributeValue::builder()
        .data_type("String")
        .string_value("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
        .build()
        .unwrap();
    let dup = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("changed")
        .message_group_id("g")
        .message_deduplication_id("same")
        .message_attributes("Hello", string_attr("There"))
        .message_system_attributes(MessageSystemAttributeNameForSends::AwsTraceHeader, trace)
        .send()
        .await
        .unwrap();
    assert_eq!(dup.message_id(), original.message_id());
    assert_eq!(dup.sequence_number(), original.sequence_number());
    assert_eq!(
        dup.md5_of_message_body(),
        Some(md5_hex(b"changed").as_str())
    );
    assert_eq!(
        dup.md5_of_message_attributes(),
        Some("a311262e065454b75da111d535b8dacd")
    );
    assert_eq!(
        dup.md5_of_message_system_attributes(),
        Some("5ae4d5d7636402d80f4eb6d213245a88")
    );
    let got = server.receive(&url, 10).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body(), Some("original"));
    assert_eq!(got[0].message_id(), original.message_id());
    assert_eq!(
        got[0].md5_of_message_attributes(),
        Some("ae7155c6026991b6d54b11589678bf9c")
    );
    assert_eq!(sys_attr(&got[0], "AWSTraceHeader"), None);
    assert_eq!(server.escapes().await["count"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_do_not_extend_the_window() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("anchor", &[]).await;
    let first = server.send_fifo(&url, "g", Some("d"), "first").await;
    server.advance(200_000).await;
    let dup = server.send_fifo(&url, "g", Some("d"), "dup").await;
    assert_eq!(dup.message_id(), first.message_id());
    server.advance(99_999).await;
    let dup = server.send_fifo(&url, "g", Some("d"), "dup").await;
    assert_eq!(dup.message_id(), first.message_id());
    server.advance(1).await;
    let new = server.send_fifo(&url, "g", Some("d"), "new").await;
    assert_ne!(new.message_id(), first.message_id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_window_survives_receive_and_delete() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("survive", &[]).await;
    let first = server.send_fifo(&url, "g", Some("d"), "once").await;
    let got = server.receive(&url, 1).await;
    server.delete(&url, got[0].receipt_handle().unwrap()).await;
    server.advance(60_000).await;
    let again = server.send_fifo(&url, "g", Some("d"), "once").await;
    assert_eq!(again.message_id(), first.message_id());
    assert!(server.receive(&url, 10).await.is_empty());
    assert_eq!(
        server
            .queue_attribute(&url, "ApproximateNumberOfMessages")
            .await
            .as_deref(),
        Some("0")
    );
    server.advance(240_000).await;
    let late = server.send_fifo(&url, "g", Some("d"), "once").await;
    assert_ne!(late.message_id(), first.message_id());
    assert_eq!(server.receive_bodies(&url, 10).await, ["once"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_clears_the_dedup_window() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("purge", &[]).await;
    let first = server.send_fifo(&url, "g", Some("d"), "before").await;
    server
        .sqs
        .purge_queue()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    let after = server.send_fifo(&url, "g", Some("d"), "after").await;
    assert_ne!(after.message_id(), first.message_id());
    assert_eq!(server.receive_bodies(&url, 10).await, ["after"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_scope_deduplicates_across_groups_and_group_scope_does_not() {
    let server = TestServer::start().await;
    let queue_scope = server.fifo_queue("qscope", &[]).await;
    let a = server.send_fifo(&queue_scope, "g1", Some("d"), "g1").await;
    let b = server.send_fifo(&queue_scope, "g2", Some("d"), "g2").await;
    assert_eq!(a.message_id(), b.message_id());
    assert_eq!(server.receive_bodies(&queue_scope, 10).await, ["g1"]);

    let group_scope = server
        .fifo_queue("gscope", &[("DeduplicationScope", "messageGroup")])
        .await;
    let a = server.send_fifo(&group_scope, "g1", Some("d"), "g1").await;
    let b = server.send_fifo(&group_scope, "g2", Some("d"), "g2").await;
    let c = server
        .send_fifo(&group_scope, "g1", Some("d"), "g1 again")
        .await;
    assert_ne!(a.message_id(), b.message_id());
    assert_eq!(c.message_id(), a.message_id());
    let mut bodies = server.receive_bodies(&group_scope, 10).await;
    bodies.sort();
    assert_eq!(bodies, ["g1", "g2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deduplication_scope_is_fixed_at_creation() {
    let server = TestServer::start().await;
    // queue -> messageGroup: reported, but dedup stays queue-wide.
    let url = server.fifo_queue("toq", &[]).await;
    server
        .set_attributes(&url, &[("DeduplicationScope", "messageGroup")])
        .await;
    assert_eq!(
        server
            .queue_attribute(&url, "DeduplicationScope")
            .await
            .as_deref(),
        Some("messageGroup")
    );
    let a = server.send_fifo(&url, "g1", Some("d"), "a").await;
    let b = server.send_fifo(&url, "g2", Some("d"), "b").await;
    assert_eq!(a.message_id(), b.message_id());

    // messageGroup -> queue: reported, but dedup stays per group.
    let url = server
        .fifo_queue("tog", &[("DeduplicationScope", "messageGroup")])
        .await;
    server
        .set_attributes(&url, &[("DeduplicationScope", "queue")])
        .await;
    assert_eq!(
        server
            .queue_attribute(&url, "DeduplicationScope")
            .await
            .as_deref(),
        Some("queue")
    );
    let a = server.send_fifo(&url, "g1", Some("d"), "a").await;
    let b = server.send_fifo(&url, "g2", Some("d"), "b").await;
    assert_ne!(a.message_id(), b.message_id());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_based_deduplication_hashes_the_body_only() {
    let server = TestServer::start().await;
    let url = server
        .fifo_queue("cbd", &[("ContentBasedDeduplication", "true")])
        .await;
    let first = server.send_fifo(&url, "g1", None, "payload").await;
    // Same body, other group and other attributes: still a duplicate.
    let dup = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("payload")
        .message_group_id("g2")
        .message_attributes("Foo", string_attr("Bar"))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.message_id(), first.message_id());
    let other = server.send_fifo(&url, "g1", None, "other").await;
    assert_ne!(other.message_id(), first.message_id());
    // An explicit id overrides the content hash...
    let explicit = server.send_fifo(&url, "g1", Some("x"), "payload").await;
    assert_ne!(explicit.message_id(), first.message_id());
    // ...and an explicit id equal to a content hash collides with it.
    let hashed = server
        .send_fifo(&url, "g1", Some(&sha256_hex("payload")), "anything")
        .await;
    assert_eq!(hashed.message_id(), first.message_id());

    let got = server.receive(&url, 10).await;
    let ids: Vec<(String, Option<String>)> = got
        .iter()
        .map(|m| {
            (
                m.body().unwrap().to_string(),
                sys_attr(m, "MessageDeduplicationId"),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("payload".to_string(), Some(sha256_hex("payload"))),
            ("other".to_string(), Some(sha256_hex("other"))),
            ("payload".to_string(), Some("x".to_string())),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_entries_deduplicate_among_themselves_and_with_single_sends() {
    let server = TestServer::start().await;
    let url = server.fifo_queue("batch", &[]).await;
    let entry = |id: &str, dedup: &str, body: &str| {
        SendMessageBatchRequestEntry::builder()
            .id(id)
            .message_body(body)
            .message_group_id("g")
            .message_deduplication_id(dedup)
            .build()
            .unwrap()
    };
    let out = server
        .sqs
        .send_message_batch()
        .queue_url(&url)
        .entries(entry("e1", "d1", "a"))
        .entries(entry("e2", "d1", "b"))
        .entries(entry("e3", "d2", "c"))
        .send()
        .await
        .unwrap();
    assert!(out.failed().is_empty());
    let s = out.successful();
    assert_eq!(s.len(), 3);
    assert_eq!(s[1].message_id(), s[0].message_id());
    assert_eq!(s[1].sequence_number(), s[0].sequence_number());
    assert_eq!(s[1].md5_of_message_body(), md5_hex(b"b"));
    assert_ne!(s[2].message_id(), s[0].message_id());
    let single = server.send_fifo(&url, "g", Some("d2"), "d").await;
    assert_eq!(single.message_id(), Some(s[2].message_id()));
    assert_eq!(server.receive_bodies(&url, 10).await, ["a", "c"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escapes_name_the_group_under_message_group_scope() {
    let server = TestServer::with_window_ms(10_000).await;
    let url = server
        .fifo_queue("esc", &[("DeduplicationScope", "messageGroup")])
        .await;
    let t0 = server.now_ms().await;
    server
        .send_fifo(&url, "tenant-1", Some("order-7"), "a")
        .await;
    server
        .send_fifo(&url, "tenant-2", Some("order-7"), "b")
        .await;
    server.advance(9_000).await;
    server
        .send_fifo(&url, "tenant-1", Some("order-7"), "dup")
        .await;
    assert_eq!(server.escapes().await["count"], 0);
    server.advance(13_000).await;
    // A key never seen before is new, not an escape.
    server
        .send_fifo(&url, "tenant-1", Some("order-8"), "fresh")
        .await;
    server
        .send_fifo(&url, "tenant-2", Some("order-7"), "late")
        .await;
    let escapes = server.escapes().await;
    assert_eq!(
        escapes,
        json!({
            "count": 1,
            "escapes": [{
                "queue": "esc.fifo",
                "dedup_id": "order-7",
                "group_id": "tenant-2",
                "first_sent_ms": t0,
                "resent_ms": t0 + 22_000,
                "late_by_ms": 12_000,
            }],
            "topic_count": 0,
            "topic_escapes": [],
        })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escapes_are_detected_up_to_the_one_hour_horizon() {
    let server = TestServer::with_window_ms(1_000).await;
    let url = server.fifo_queue("horizon", &[]).await;
    server.send_fifo(&url, "g", Some("inside"), "a").await;
    server.send_fifo(&url, "g", Some("outside"), "b").await;
    // The tombstone of a key lives for one hour after its window closed.
    server.advance(1_000 + 3_600_000 - 1).await;
    server.send_fifo(&url, "g", Some("inside"), "a again").await;
    server.advance(1).await;
    server
        .send_fifo(&url, "g", Some("outside"), "b again")
        .await;
    let escapes = server.escapes().await;
    assert_eq!(escapes["count"], 1);
    assert_eq!(escapes["escapes"][0]["dedup_id"], "inside");
    assert_eq!(escapes["escapes"][0]["late_by_ms"], 3_599_999);
    assert_eq!(
        server.receive_bodies(&url, 10).await,
        ["a", "b", "a again", "b again"]
    );
}
