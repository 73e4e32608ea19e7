//! The in-flight limit of 120,000 messages per queue, over the socket: a standard
//! queue then answers ReceiveMessage with OverLimit (403); a FIFO queue returns
//! nothing more (AWS: "no error messages"), and both recover once one is deleted.

use std::sync::Arc;

use fifowin_e2e::TestServer;
use serde_json::{Value, json};

const LIMIT: usize = 120_000;
const TASKS: usize = 8;

/// Sends LIMIT messages in batches of ten from TASKS concurrent tasks, each batch
/// its own FIFO group.
async fn fill(server: &Arc<TestServer>, url: &str, fifo: bool) {
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let (server, url) = (Arc::clone(server), url.to_string());
        tasks.push(tokio::spawn(async move {
            for b in (t..LIMIT / 10).step_by(TASKS) {
                let entries: Vec<Value> = (0..10)
                    .map(|i| {
                        let mut e = json!({"Id": format!("e{i}"), "MessageBody": "x"});
                        if fifo {
                            e["MessageGroupId"] = json!(format!("g{b}"));
                            e["MessageDeduplicationId"] = json!(format!("d{b}-{i}"));
                        }
                        e
                    })
                    .collect();
                let out = server
                    .json(
                        "SendMessageBatch",
                        json!({"QueueUrl": url, "Entries": entries}),
                    )
                    .await;
                assert_eq!(out.status, 200, "{}", out.body);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

/// Receives (visibility 1 hour) until LIMIT are in flight; returns one handle.
async fn take_all(server: &Arc<TestServer>, url: &str) -> String {
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let (server, url) = (Arc::clone(server), url.to_string());
        tasks.push(tokio::spawn(async move {
            let (mut got, mut handle) = (0usize, String::new());
            loop {
                let out = server
                    .json(
                        "ReceiveMessage",
                        json!({"QueueUrl": url, "MaxNumberOfMessages": 10, "VisibilityTimeout": 3600}),
                    )
                    .await;
                if out.status != 200 {
                    break;
                }
                let messages = out.json()["Messages"].as_array().cloned().unwrap_or_default();
                if messages.is_empty() {
                    break;
                }
                got += messages.len();
                handle = messages[0]["ReceiptHandle"].as_str().unwrap().to_string();
            }
            (got, handle)
        }));
    }
    let mut total = 0;
    let mut handle = String::new();
    for t in tasks {
        let (got, h) = t.await.unwrap();
        total += got;
        if !h.is_empty() {
            handle = h;
        }
    }
    assert_eq!(total, LIMIT);
    handle
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_queues_answer_over_limit_at_120000_in_flight() {
    let server = Arc::new(TestServer::start().await);
    let url = server.standard_queue("busy", &[]).await;
    fill(&server, &url, false).await;
    // One more beyond the limit, so something is still receivable.
    server.send(&url, "extra").await;
    let handle = take_all(&server, &url).await;
    let refused = server
        .json("ReceiveMessage", json!({"QueueUrl": url}))
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(
        refused.header("x-amzn-query-error"),
        Some("OverLimit;Sender")
    );
    server.delete(&url, &handle).await;
    assert_eq!(server.receive_bodies(&url, 1).await, ["extra"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_queues_stop_delivering_at_120000_in_flight() {
    let server = Arc::new(TestServer::start().await);
    let url = server.fifo_queue("busy", &[]).await;
    fill(&server, &url, true).await;
    server
        .send_fifo(&url, "last-group", Some("extra"), "extra")
        .await;
    let handle = take_all(&server, &url).await;
    let empty = server
        .json("ReceiveMessage", json!({"QueueUrl": url}))
        .await;
    assert_eq!(empty.status, 200, "{}", empty.body);
    assert!(
        empty.json()["Messages"]
            .as_array()
            .is_none_or(Vec::is_empty)
    );
    server.delete(&url, &handle).await;
    assert_eq!(server.receive_bodies(&url, 1).await, ["extra"]);
}
