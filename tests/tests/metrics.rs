//! `/metrics` parsed as Prometheus text: per-queue counters and gauges after a known
//! sequence of SDK calls, the latency histogram's shape, and error counts.

use fifowin_e2e::TestServer;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_counters_and_gauges_follow_what_the_sdk_did() {
    let server = TestServer::with_window_ms(60_000).await;
    let url = server
        .fifo_queue("counted", &[("VisibilityTimeout", "10")])
        .await;
    let q = "counted.fifo";
    server.send_fifo(&url, "g1", Some("a"), "a").await;
    server.send_fifo(&url, "g1", Some("a"), "a").await; // suppressed
    server.send_fifo(&url, "g1", Some("a"), "a").await; // suppressed
    server.send_fifo(&url, "g2", Some("b"), "b").await;
    server.send_fifo(&url, "g3", Some("c"), "c").await;

    let metrics = server.metrics().await;
    assert_eq!(metrics.queue("fifowin_messages_sent_total", q), 3.0);
    assert_eq!(metrics.queue("fifowin_duplicates_suppressed_total", q), 2.0);
    assert_eq!(metrics.queue("fifowin_messages_visible", q), 3.0);
    assert_eq!(metrics.queue("fifowin_dedup_entries", q), 3.0);
    assert_eq!(metrics.get("fifowin_queues", &[]), Some(1.0));

    // Receive g1's and g2's messages; g2's visibility runs out and it comes back.
    let got = server.receive(&url, 2).await;
    assert_eq!(got.len(), 2);
    let metrics = server.metrics().await;
    assert_eq!(metrics.queue("fifowin_messages_in_flight", q), 2.0);
    assert_eq!(metrics.queue("fifowin_messages_visible", q), 1.0);
    server.delete(&url, got[0].receipt_handle().unwrap()).await;
    server.advance(10_000).await;
    let again = server.receive(&url, 10).await;
    assert_eq!(again.len(), 2, "g2 again and g3");
    for m in &again {
        server.delete(&url, m.receipt_handle().unwrap()).await;
    }
    // The window closes, then an old id comes back: an escape.
    server.advance(50_000).await;
    server.send_fifo(&url, "g1", Some("a"), "a").await;

    let metrics = server.metrics().await;
    assert_eq!(metrics.queue("fifowin_messages_sent_total", q), 4.0);
    assert_eq!(metrics.queue("fifowin_duplicates_suppressed_total", q), 2.0);
    assert_eq!(metrics.queue("fifowin_duplicates_escaped_total", q), 1.0);
    assert_eq!(metrics.queue("fifowin_messages_received_total", q), 4.0);
    assert_eq!(metrics.queue("fifowin_messages_redelivered_total", q), 1.0);
    assert_eq!(metrics.queue("fifowin_messages_deleted_total", q), 3.0);
    assert_eq!(metrics.queue("fifowin_messages_visible", q), 1.0);
    assert_eq!(metrics.queue("fifowin_messages_in_flight", q), 0.0);
    assert_eq!(metrics.queue("fifowin_dedup_entries", q), 1.0);
    // Retry lags: the two duplicates came at lag 0, the escape at exactly the
    // 60 s window (it escapes: a send at first + window is new). The window and
    // its last millisecond are bucket bounds, so the split is exact.
    let lag = "fifowin_retry_lag_seconds";
    let bucket = |le: &str| metrics.get(&format!("{lag}_bucket"), &[("queue", q), ("le", le)]);
    assert_eq!(bucket("59.999"), Some(2.0));
    assert_eq!(bucket("60"), Some(3.0));
    assert_eq!(bucket("+Inf"), Some(3.0));
    assert_eq!(
        metrics.get(&format!("{lag}_count"), &[("queue", q)]),
        Some(3.0)
    );
    assert_eq!(
        metrics.get(&format!("{lag}_sum"), &[("queue", q)]),
        Some(60.0)
    );
    for (family, kind) in [
        ("fifowin_messages_sent_total", "counter"),
        ("fifowin_duplicates_suppressed_total", "counter"),
        ("fifowin_messages_visible", "gauge"),
        ("fifowin_messages_delayed", "gauge"),
        ("fifowin_request_duration_seconds", "histogram"),
        ("fifowin_retry_lag_seconds", "histogram"),
    ] {
        assert_eq!(metrics.types.get(family).map(String::as_str), Some(kind));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delayed_messages_are_a_gauge_of_their_own() {
    let server = TestServer::start().await;
    let url = server
        .standard_queue("later", &[("DelaySeconds", "30")])
        .await;
    server.send(&url, "m").await;
    let metrics = server.metrics().await;
    assert_eq!(metrics.queue("fifowin_messages_delayed", "later"), 1.0);
    assert_eq!(metrics.queue("fifowin_messages_visible", "later"), 0.0);
    server.advance(30_000).await;
    let metrics = server.metrics().await;
    assert_eq!(metrics.queue("fifowin_messages_delayed", "later"), 0.0);
    assert_eq!(metrics.queue("fifowin_messages_visible", "later"), 1.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_latency_histogram_counts_every_request_per_operation() {
    let server = TestServer::start().await;
    let url = server.standard_queue("timed", &[]).await;
    for i in 0..5 {
        server.send(&url, &format!("m{i}")).await;
    }
    server.receive(&url, 10).await;
    let _ = server
        .sqs
        .get_queue_url()
        .queue_name("missing")
        .send()
        .await
        .unwrap_err();

    let metrics = server.metrics().await;
    let name = "fifowin_request_duration_seconds";
    for (op, n) in [
        ("CreateQueue", 1.0),
        ("SendMessage", 5.0),
        ("ReceiveMessage", 1.0),
    ] {
        assert_eq!(
            metrics.get(&format!("{name}_count"), &[("operation", op)]),
            Some(n),
            "{op}"
        );
        let buckets: Vec<_> = metrics
            .all(&format!("{name}_bucket"))
            .into_iter()
            .filter(|s| s.labels["operation"] == op)
            .collect();
        assert!(buckets.len() > 5, "{op}: {} buckets", buckets.len());
        assert!(
            buckets.windows(2).all(|w| w[0].value <= w[1].value),
            "{op}: cumulative buckets never decrease"
        );
        let last = buckets.last().unwrap();
        assert_eq!(last.labels["le"], "+Inf");
        assert_eq!(last.value, n, "{op}: +Inf bucket equals the count");
        assert!(
            metrics
                .get(&format!("{name}_sum"), &[("operation", op)])
                .unwrap()
                >= 0.0
        );
    }
    assert_eq!(
        metrics.get(
            "fifowin_request_errors_total",
            &[
                ("operation", "GetQueueUrl"),
                ("code", "AWS.SimpleQueueService.NonExistentQueue")
            ]
        ),
        Some(1.0)
    );
    assert_eq!(
        metrics.get(&format!("{name}_count"), &[("operation", "GetQueueUrl")]),
        Some(1.0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_firings_are_counted_by_action_and_queues_vanish_with_their_queue() {
    let server = TestServer::start().await;
    let url = server.standard_queue("gone-soon", &[]).await;
    server
        .add_fault(json!({"operation": "GetQueueAttributes", "action": "fail", "count": 1}))
        .await;
    let _ = server
        .sqs
        .get_queue_attributes()
        .queue_url(&url)
        .send()
        .await
        .unwrap_err();
    let metrics = server.metrics().await;
    assert_eq!(
        metrics.get("fifowin_faults_fired_total", &[("action", "fail")]),
        Some(1.0)
    );
    assert_eq!(
        metrics.get("fifowin_faults_fired_total", &[("action", "redeliver")]),
        Some(0.0)
    );
    assert!(
        metrics
            .get("fifowin_messages_visible", &[("queue", "gone-soon")])
            .is_some()
    );
    server
        .sqs
        .delete_queue()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    let metrics = server.metrics().await;
    assert!(
        metrics
            .get("fifowin_messages_visible", &[("queue", "gone-soon")])
            .is_none()
    );
    assert_eq!(metrics.get("fifowin_queues", &[]), Some(0.0));
}
