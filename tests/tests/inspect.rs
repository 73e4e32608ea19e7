//! Inspection under `/_fifowin/queues`: live dedup entries, stored messages in each
//! state, the queue summary, per-queue reset, and the global reset.

use fifowin_e2e::TestServer;
use fifowin_server::ServerConfig;
use serde_json::json;
use sha2::{Digest, Sha256};

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedup_lists_live_keys_with_message_ids_times_and_suppressed_counts() {
    let server = TestServer::with_window_ms(60_000).await;
    let url = server.fifo_queue("window", &[]).await;
    let t0 = server.now_ms().await;
    let first = server.send_fifo(&url, "g1", Some("d1"), "a").await;
    server.send_fifo(&url, "g1", Some("d1"), "a").await;
    server.send_fifo(&url, "g1", Some("d1"), "a").await;
    server.advance(1_000).await;
    let second = server.send_fifo(&url, "g2", Some("d2"), "b").await;

    let dedup = server
        .control_get("/_fifowin/queues/window.fifo/dedup")
        .await;
    assert_eq!(dedup["queue"], "window.fifo");
    assert_eq!(dedup["window_ms"], 60_000);
    assert_eq!(dedup["scope"], "queue");
    assert_eq!(dedup["count"], 2);
    assert_eq!(
        dedup["entries"],
        json!([
            {
                "dedup_id": "d1", "group_id": "g1", "message_id": first.message_id().unwrap(),
                "first_sent_ms": t0, "expires_ms": t0 + 60_000, "suppressed": 2,
                "suppressed_at_ms": [t0, t0]
            },
            {
                "dedup_id": "d2", "group_id": "g2", "message_id": second.message_id().unwrap(),
                "first_sent_ms": t0 + 1_000, "expires_ms": t0 + 61_000, "suppressed": 0,
                "suppressed_at_ms": []
            }
        ])
    );
    assert_eq!(dedup["now_ms"], t0 + 1_000);
    assert_eq!(dedup["expired"], json!([]));
    // Deleting the message does not end its window; time does.
    let got = server.receive(&url, 10).await;
    for m in &got {
        server.delete(&url, m.receipt_handle().unwrap()).await;
    }
    assert_eq!(
        server
            .control_get("/_fifowin/queues/window.fifo/dedup")
            .await["count"],
        2
    );
    server.advance(59_000).await;
    let dedup = server
        .control_get("/_fifowin/queues/window.fifo/dedup")
        .await;
    assert_eq!(dedup["count"], 1, "d1 expired at t0 + 60 s: {dedup}");
    assert_eq!(dedup["entries"][0]["dedup_id"], "d2");
    // Expired ids are listed (latest first) while their tombstone is kept.
    assert_eq!(
        dedup["expired"],
        json!([{
            "dedup_id": "d1", "group_id": null, "first_sent_ms": t0, "expired_ms": t0 + 60_000
        }])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dedup_of_a_message_group_scoped_queue_and_of_a_standard_queue() {
    let server = TestServer::start().await;
    let url = server
        .fifo_queue(
            "scoped",
            &[
                ("DeduplicationScope", "messageGroup"),
                ("ContentBasedDeduplication", "true"),
            ],
        )
        .await;
    server.send_fifo(&url, "g1", None, "same").await;
    server.send_fifo(&url, "g2", None, "same").await;
    let dedup = server
        .control_get("/_fifowin/queues/scoped.fifo/dedup")
        .await;
    assert_eq!(dedup["scope"], "messageGroup");
    assert_eq!(dedup["count"], 2, "one key per group: {dedup}");
    assert_eq!(dedup["entries"][0]["dedup_id"], sha256_hex("same"));
    server.standard_queue("plain", &[]).await;
    assert_eq!(
        server.control_get("/_fifowin/queues/plain/dedup").await["count"],
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_show_visible_in_flight_and_delayed_with_receive_counts() {
    let server = TestServer::start().await;
    let url = server
        .standard_queue("states", &[("VisibilityTimeout", "30")])
        .await;
    let now = server.now_ms().await;
    let a = server.send(&url, "received").await;
    server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("delayed")
        .delay_seconds(10)
        .send()
        .await
        .unwrap();
    let got = server.receive(&url, 1).await;
    assert_eq!(got[0].message_id(), a.message_id());
    let c = server.send(&url, "waiting").await;

    let view = server.control_get("/_fifowin/queues/states/messages").await;
    assert_eq!(
        (
            view["visible"].as_u64(),
            view["in_flight"].as_u64(),
            view["delayed"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    let messages = view["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0]["message_id"], a.message_id().unwrap());
    assert_eq!(messages[0]["state"], "in_flight");
    assert_eq!(messages[0]["visible_at_ms"], now + 30_000);
    assert_eq!(messages[0]["receive_count"], 1);
    assert_eq!(messages[0]["first_receive_ms"], now);
    assert_eq!(
        messages[0]["md5_of_body"],
        fifowin_e2e::md5_hex(b"received")
    );
    assert_eq!(messages[0]["body_bytes"], 8);
    assert!(messages[0].get("body").is_none(), "bodies only on request");
    assert_eq!(messages[1]["state"], "delayed");
    assert_eq!(messages[1]["visible_at_ms"], now + 10_000);
    assert_eq!(messages[2]["message_id"], c.message_id().unwrap());
    assert_eq!(messages[2]["state"], "visible");
    assert_eq!(messages[2]["receive_count"], 0);
    assert!(messages[2]["visible_at_ms"].is_null());

    let with_bodies = server
        .control_get("/_fifowin/queues/states/messages?bodies=true")
        .await;
    assert_eq!(with_bodies["messages"][1]["body"], "delayed");
    // Visibility expires: the message is visible again and keeps its count.
    server.advance(30_000).await;
    let view = server.control_get("/_fifowin/queues/states/messages").await;
    assert_eq!(view["messages"][0]["state"], "visible");
    assert_eq!(view["messages"][0]["receive_count"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_queues_are_404_and_the_summary_lists_every_queue() {
    let server = TestServer::start().await;
    for path in [
        "/_fifowin/queues/nope/dedup",
        "/_fifowin/queues/nope/messages",
    ] {
        let (status, body) = server.control(reqwest::Method::GET, path, None).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["error"], "queue nope does not exist");
    }
    let (status, _) = server
        .control(reqwest::Method::POST, "/_fifowin/queues/nope/reset", None)
        .await;
    assert_eq!(status, 404);

    let url = server.fifo_queue("sum", &[]).await;
    server.send_fifo(&url, "g", Some("d"), "m").await;
    server.send_fifo(&url, "g", Some("d"), "m").await;
    server.standard_queue("other", &[]).await;
    let summary = server.control_get("/_fifowin/queues").await;
    let queues = summary["queues"].as_array().unwrap();
    assert_eq!(queues.len(), 2);
    assert_eq!(queues[0]["name"], "other");
    assert_eq!(queues[0]["kind"], "standard");
    assert_eq!(queues[1]["name"], "sum.fifo");
    assert_eq!(queues[1]["kind"], "fifo");
    assert_eq!(queues[1]["visible"], 1);
    assert_eq!(queues[1]["dedup_entries"], 1);
    assert_eq!(queues[1]["dedup_window_ms"], 300_000);
    assert_eq!(queues[1]["stats"]["sent"], 1);
    assert_eq!(queues[1]["stats"]["duplicates_suppressed"], 1);
    assert_eq!(
        queues[1]["arn"],
        "arn:aws:sqs:us-east-1:000000000000:sum.fifo"
    );
    assert_eq!(summary["clock"], "manual");
    assert_eq!(summary["now_ms"], server.now_ms().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_summary_shows_dead_letter_wiring_both_ways() {
    let server = TestServer::start().await;
    server.standard_queue("dlq", &[]).await;
    let policy =
        r#"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":2}"#;
    server
        .standard_queue("a", &[("RedrivePolicy", policy)])
        .await;
    server
        .standard_queue("b", &[("RedrivePolicy", policy)])
        .await;
    let summary = server.control_get("/_fifowin/queues").await;
    let wiring: Vec<_> = summary["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            (
                q["name"].clone(),
                q["dead_letter_queue"].clone(),
                q["dead_letter_sources"].clone(),
            )
        })
        .collect();
    assert_eq!(
        wiring,
        [
            (json!("a"), json!("dlq"), json!([])),
            (json!("b"), json!("dlq"), json!([])),
            (json!("dlq"), json!(null), json!(["a", "b"])),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resetting_one_queue_empties_it_and_keeps_its_attributes() {
    let server = TestServer::start().await;
    let url = server
        .fifo_queue("again", &[("VisibilityTimeout", "45")])
        .await;
    let other = server.fifo_queue("untouched", &[]).await;
    let first = server.send_fifo(&url, "g", Some("d"), "m").await;
    server.receive(&url, 1).await;
    server.send_fifo(&other, "g", Some("d"), "m").await;
    server
        .sqs
        .purge_queue()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    server.send_fifo(&url, "g", Some("e"), "m").await;

    let (status, body) = server
        .control(
            reqwest::Method::POST,
            "/_fifowin/queues/again.fifo/reset",
            None,
        )
        .await;
    assert_eq!(
        (status, body),
        (200, json!({"queue": "again.fifo", "reset": true}))
    );
    let view = server
        .control_get("/_fifowin/queues/again.fifo/messages")
        .await;
    assert!(view["messages"].as_array().unwrap().is_empty());
    assert_eq!(
        server
            .control_get("/_fifowin/queues/again.fifo/dedup")
            .await["count"],
        0
    );
    // The dedup id is new again; the queue kept its URL and attributes; the
    // purge guard is gone; other queues kept their messages.
    let resent = server.send_fifo(&url, "g", Some("d"), "m").await;
    assert_ne!(resent.message_id(), first.message_id());
    assert_eq!(
        server
            .queue_attribute(&url, "VisibilityTimeout")
            .await
            .as_deref(),
        Some("45")
    );
    server
        .sqs
        .purge_queue()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    assert_eq!(server.receive_bodies(&other, 10).await, ["m"]);
    let metrics = server.metrics().await;
    assert_eq!(
        metrics.queue("fifowin_messages_sent_total", "again.fifo"),
        1.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn global_reset_drops_queues_and_faults_and_recreates_the_config_files_queues() {
    let toml = r#"
        [[queues]]
        name = "kept.fifo"
        attributes = { VisibilityTimeout = 12 }
    "#;
    let server = TestServer::from_toml(toml, ServerConfig::default())
        .await
        .unwrap();
    let kept = server
        .sqs
        .get_queue_url()
        .queue_name("kept.fifo")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    server.send_fifo(&kept, "g", Some("d"), "m").await;
    server.standard_queue("made-by-a-test", &[]).await;
    server
        .add_fault(json!({"operation": "SendMessage", "action": "fail"}))
        .await;

    let (status, body) = server.control_post("/_fifowin/reset", json!({})).await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({
                "queues_dropped": 2, "queues_created": 1,
                "topics_dropped": 0, "topics_created": 0, "faults_removed": 1
            })
        )
    );
    let urls = server.sqs.list_queues().send().await.unwrap().queue_urls;
    assert_eq!(urls, Some(vec![kept.clone()]));
    assert!(
        server.receive(&kept, 10).await.is_empty(),
        "re-created empty"
    );
    assert_eq!(
        server
            .queue_attribute(&kept, "VisibilityTimeout")
            .await
            .as_deref(),
        Some("12")
    );
    assert!(server.faults().await.is_empty());
    // No fault rule left, and the window starts over.
    server.send_fifo(&kept, "g", Some("d"), "m").await;
    assert_eq!(server.receive_bodies(&kept, 10).await, ["m"]);
}
