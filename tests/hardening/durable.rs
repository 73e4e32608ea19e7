//! Durable mode in process: requests are served (and logged), and so are the
//! control actions the log records as actions (resets, clock advance) and move
//! tasks; the restart side is in the binary's tests (crates/cli/tests/durable.rs).

use fifowin_e2e::TestServer;
use fifowin_server::ServerConfig;
use serde_json::json;

#[tokio::test]
async fn control_actions_and_move_tasks_are_served() {
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
    let post = |path: &str, body: serde_json::Value| {
        http.post(format!("{}{path}", server.endpoint))
            .json(&body)
            .send()
    };
    let clock = |body: serde_json::Value| body["now_ms"].as_u64().unwrap();
    let before: serde_json::Value = http
        .get(format!("{}/_fifowin/clock", server.endpoint))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let advanced = post("/_fifowin/clock/advance", json!({"ms": 3_600_000}))
        .await
        .unwrap();
    assert_eq!(advanced.status().as_u16(), 200);
    let after: serde_json::Value = advanced.json().await.unwrap();
    assert!(clock(after) >= clock(before) + 3_600_000);

    let arn = "arn:aws:sqs:us-east-1:000000000000:kept";
    // Served, not refused: the queue is no dead-letter queue, which AWS's own check says.
    let moved = server
        .json("StartMessageMoveTask", json!({"SourceArn": arn}))
        .await;
    assert_eq!(moved.status, 400, "{}", moved.body);
    assert_eq!(
        moved.header("x-amzn-query-error"),
        Some("InvalidParameterValue;Sender")
    );
    assert_eq!(server.receive_bodies(&url, 1).await, ["hello"]);

    let reset = post("/_fifowin/queues/kept/reset", json!({}))
        .await
        .unwrap();
    assert_eq!(reset.status().as_u16(), 200);
    let missing = post("/_fifowin/queues/absent/reset", json!({}))
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
    let reset = post("/_fifowin/reset", json!({})).await.unwrap();
    assert_eq!(reset.status().as_u16(), 200);
    let body: serde_json::Value = reset.json().await.unwrap();
    assert_eq!(body["queues_dropped"], 1, "{body}");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
