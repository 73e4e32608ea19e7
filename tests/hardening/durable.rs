//! Durable mode in process: requests are served (and logged), and what the log
//! cannot record is refused instead of being undone silently by a restart.

use fifowin_e2e::TestServer;
use fifowin_server::ServerConfig;
use serde_json::json;

#[tokio::test]
async fn unlogged_control_actions_and_move_tasks_are_refused() {
    let dir =
        std::env::temp_dir().join(format!("fifowin-hardening-durable-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let state = fifowin_server::open_durable(ServerConfig::default(), &dir)
        .await
        .expect("a fresh data directory opens");
    let server = TestServer::start_with_state(state).await;
    let url = server.standard_queue("kept", &[]).await;
    server.send(&url, "hello").await;

    let http = reqwest::Client::new();
    for path in [
        "/_fifowin/reset",
        "/_fifowin/clock/advance",
        "/_fifowin/queues/kept/reset",
    ] {
        let resp = http
            .post(format!("{}{path}", server.endpoint))
            .json(&json!({"ms": 1000}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 409, "{path}");
        let body: serde_json::Value = resp.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("durable mode"),
            "{body}"
        );
    }
    let health = http
        .get(format!("{}/_fifowin/health", server.endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let arn = "arn:aws:sqs:us-east-1:000000000000:kept";
    let moved = server
        .json("StartMessageMoveTask", json!({"SourceArn": arn}))
        .await;
    assert_eq!(moved.status, 400, "{}", moved.body);
    assert_eq!(
        moved.header("x-amzn-query-error"),
        Some("AWS.SimpleQueueService.UnsupportedOperation;Sender")
    );
    // The queue and its message are still there.
    assert_eq!(server.receive_bodies(&url, 1).await, ["hello"]);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
