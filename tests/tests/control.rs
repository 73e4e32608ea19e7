//! The control API under `/_fifowin/`: health, the clock (read, advance, bad
//! bodies), escapes and reset; and a server on the system clock.

use fifowin_e2e::{TestServer, sys_attr};
use fifowin_server::{ClockMode, ServerConfig};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reports_status_version_and_queue_count() {
    let server = TestServer::start().await;
    let health = server.control_get("/_fifowin/health").await;
    assert_eq!(health["status"], "ok");
    assert!(health["version"].as_str().is_some_and(|v| !v.is_empty()));
    assert_eq!(health["queues"], 0);
    server.standard_queue("one", &[]).await;
    server.fifo_queue("two", &[]).await;
    assert_eq!(server.control_get("/_fifowin/health").await["queues"], 2);

    let custom = TestServer::with_window_ms(1_234).await;
    let health = custom.control_get("/_fifowin/health").await;
    assert_eq!(health["dedup_window_ms"], 1_234);
    assert_eq!(health["clock"], "manual");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manual_clock_moves_only_when_advanced() {
    let server = TestServer::start().await;
    let clock = server.control_get("/_fifowin/clock").await;
    assert_eq!(clock["mode"], "manual");
    let start = clock["now_ms"].as_u64().unwrap();
    tokio::task::yield_now().await;
    assert_eq!(server.now_ms().await, start);
    let (status, body) = server
        .control_post("/_fifowin/clock/advance", json!({ "ms": 1_234 }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "mode": "manual", "now_ms": start + 1_234 }));
    assert_eq!(server.advance(0).await, start + 1_234);
    assert_eq!(server.now_ms().await, start + 1_234);
    // Messages are stamped with the server clock.
    let url = server.standard_queue("stamp", &[]).await;
    server.send(&url, "m").await;
    let got = server.receive(&url, 1).await;
    assert_eq!(
        sys_attr(&got[0], "SentTimestamp"),
        Some((start + 1_234).to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn advance_rejects_bad_bodies_with_400() {
    let server = TestServer::start().await;
    let before = server.now_ms().await;
    for body in [
        json!({}),
        json!({ "ms": -5 }),
        json!({ "ms": "10" }),
        json!({ "ms": 1.5 }),
        json!({ "ms": 10, "extra": true }),
        json!("10"),
        json!([10]),
    ] {
        let (status, answer) = server
            .control_post("/_fifowin/clock/advance", body.clone())
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(
            answer["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{answer}"
        );
    }
    let resp = server
        .raw(
            "/_fifowin/clock/advance",
            &[("content-type", "application/json".into())],
            "{not json".into(),
        )
        .await;
    assert_eq!(resp.status, 400);
    assert!(resp.json()["error"].is_string());
    assert_eq!(server.now_ms().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escapes_start_empty_and_list_every_queue() {
    let server = TestServer::with_window_ms(100).await;
    assert_eq!(
        server.escapes().await,
        json!({ "count": 0, "escapes": [], "topic_count": 0, "topic_escapes": [] })
    );
    let a = server.fifo_queue("a", &[]).await;
    let b = server.fifo_queue("b", &[]).await;
    server.send_fifo(&a, "ga", Some("x"), "1").await;
    server.send_fifo(&b, "gb", Some("y"), "1").await;
    server.advance(150).await;
    server.send_fifo(&a, "ga", Some("x"), "2").await;
    server.send_fifo(&b, "gb", Some("y"), "2").await;
    let escapes = server.escapes().await;
    assert_eq!(escapes["count"], 2);
    let rows: Vec<(String, String, u64)> = escapes["escapes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let mut keys: Vec<&String> = e.as_object().unwrap().keys().collect();
            keys.sort();
            assert_eq!(
                keys,
                [
                    "dedup_id",
                    "first_sent_ms",
                    "group_id",
                    "late_by_ms",
                    "queue",
                    "resent_ms"
                ]
            );
            (
                e["queue"].as_str().unwrap().to_string(),
                e["dedup_id"].as_str().unwrap().to_string(),
                e["late_by_ms"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("a.fifo".to_string(), "x".to_string(), 50),
            ("b.fifo".to_string(), "y".to_string(), 50)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_drops_every_queue() {
    let server = TestServer::start().await;
    let url = server.standard_queue("gone", &[]).await;
    server.send(&url, "m").await;
    server.fifo_queue("also-gone", &[]).await;
    let (status, body) = server.control_post("/_fifowin/reset", json!({})).await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({
                "queues_dropped": 2, "queues_created": 0,
                "topics_dropped": 0, "topics_created": 0, "faults_removed": 0
            })
        )
    );
    assert!(
        server
            .sqs
            .list_queues()
            .send()
            .await
            .unwrap()
            .queue_urls()
            .is_empty()
    );
    let err = server
        .sqs
        .get_queue_url()
        .queue_name("gone")
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().unwrap().is_queue_does_not_exist());
    assert_eq!(server.control_get("/_fifowin/health").await["queues"], 0);
    // The server keeps working after a reset.
    let url = server.standard_queue("gone", &[]).await;
    assert!(server.receive(&url, 10).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_system_clock_server_can_still_be_advanced() {
    let server = TestServer::start_with(ServerConfig {
        clock_mode: ClockMode::System,
        ..ServerConfig::default()
    })
    .await;
    let clock = server.control_get("/_fifowin/clock").await;
    assert_eq!(clock["mode"], "system");
    let before = clock["now_ms"].as_u64().unwrap();
    let after = server.advance(3_600_000).await;
    assert!(after >= before + 3_600_000, "{before} -> {after}");
    // The dedup window sees the advanced time.
    let url = server.fifo_queue("sys", &[]).await;
    let first = server.send_fifo(&url, "g", Some("d"), "m").await;
    server.advance(300_000).await;
    let again = server.send_fifo(&url, "g", Some("d"), "m").await;
    assert_ne!(again.message_id(), first.message_id());
}
