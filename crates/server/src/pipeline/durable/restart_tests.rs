//! Restarts across snapshots: the state rebuilt from a snapshot and the records
//! after it is the state the server had (every queue, message, dedup entry and
//! receipt handle), and the log holds only what came after the snapshot.

use std::path::{Path, PathBuf};
use std::time::Duration;

use fifowin_engine::Clock as _;
use fifowin_store::Log;
use fifowin_wire::Response;
use serde_json::{Value, json};

use super::image::ServerImage;
use super::replay::open_durable_with;
use super::snapshot::SnapshotPolicy;
use crate::config::ServerConfig;
use crate::state::AppState;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fifowin-restart-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

async fn open(dir: &Path, every_records: u64) -> AppState {
    let policy = SnapshotPolicy {
        every_records,
        ..SnapshotPolicy::default()
    };
    open_durable_with(ServerConfig::default(), dir, policy)
        .await
        .unwrap()
}

/// One JSON request through the pipeline, as the JSON handler sends it.
async fn ok(state: &AppState, op: &str, body: Value) -> Value {
    ok_in(state, &state.config.region.clone(), op, body).await
}

/// [`ok`] from a client of `region`.
async fn ok_in(state: &AppState, region: &str, op: &str, body: Value) -> Value {
    let target = format!("AmazonSQS.{op}");
    let bytes = axum::body::Bytes::from(body.to_string());
    let request = fifowin_wire::json::decode(&target, &bytes).unwrap();
    let raw = super::RawRequest::Json {
        target: &target,
        body: &bytes,
    };
    let ctx = context(region);
    match crate::pipeline::dispatch::process(state, &ctx, request, raw, "test").await {
        crate::pipeline::dispatch::Reply::Ok(response) => answer(response),
        other => panic!("{op}: {other:?}"),
    }
}

/// CreateQueue `name`; its URL.
async fn create(state: &AppState, name: &str) -> String {
    ok(state, "CreateQueue", json!({"QueueName": name})).await["QueueUrl"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `count` SendMessage requests of bodies `{prefix}{n}` to `url`.
async fn send_plain(state: &AppState, url: &str, prefix: &str, count: usize) {
    for n in 0..count {
        let body = json!({"QueueUrl": url, "MessageBody": format!("{prefix}{n}")});
        ok(state, "SendMessage", body).await;
    }
}

/// A request from a client of `region`.
fn context(region: &str) -> crate::sqs::RequestContext {
    crate::sqs::RequestContext {
        host: None,
        region: region.to_string(),
        sender_id: std::sync::Arc::from("AIDAIT2UOQQY3AUEKVGXU"),
        trace_header: None,
    }
}

/// The parts of an answer these tests read.
fn answer(response: Response) -> Value {
    match response {
        Response::CreateQueue(o) => json!({"QueueUrl": o.queue_url}),
        Response::SendMessage(o) => json!({"MessageId": o.message_id}),
        Response::ReceiveMessage(o) => Value::Array(
            o.messages
                .iter()
                .map(|m| json!({"Body": m.body, "MessageId": m.message_id, "ReceiptHandle": m.receipt_handle}))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// Waits until `count` snapshots were written and none is under way.
async fn snapshots_written(state: &AppState, count: u64) {
    let durable = state.durable.as_deref().unwrap();
    for _ in 0..500 {
        let (written, running) = durable.snapshots.written();
        if written >= count && !running {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{count} snapshots were not written in 5 s");
}

/// Waits for the store to let go of the directory (the log's writer joins on drop).
fn close(state: AppState) {
    let durable = state.durable.clone().unwrap();
    drop(state);
    assert_eq!(
        std::sync::Arc::strong_count(&durable),
        1,
        "a task still holds the log"
    );
    drop(durable);
}

fn send(url: &str, body: &str, group: &str) -> Value {
    json!({"QueueUrl": url, "MessageBody": body, "MessageGroupId": group, "MessageDeduplicationId": body})
}

#[tokio::test]
async fn a_restart_from_a_snapshot_and_the_records_after_it_keeps_everything() {
    let dir = temp_dir("keeps");
    let state = open(&dir, 14).await;
    let fifo = ok(
        &state,
        "CreateQueue",
        json!({"QueueName": "orders.fifo",
        "Attributes": {"FifoQueue": "true", "VisibilityTimeout": "300"}, "tags": {"team": "a"}}),
    )
    .await["QueueUrl"]
        .as_str()
        .unwrap()
        .to_string();
    let plain = ok(&state, "CreateQueue", json!({"QueueName": "plain"})).await["QueueUrl"]
        .as_str()
        .unwrap()
        .to_string();
    // A queue of the same name in another region: its own ids, kept apart.
    let eu = "eu-west-1";
    let eu_fifo = ok_in(
        &state,
        eu,
        "CreateQueue",
        json!({"QueueName": "orders.fifo",
        "Attributes": {"FifoQueue": "true"}}),
    )
    .await["QueueUrl"]
        .as_str()
        .unwrap()
        .to_string();
    let eu_first = ok_in(&state, eu, "SendMessage", send(&eu_fifo, "m0", "g0")).await;
    let mut ids = Vec::new();
    for n in 0..8 {
        let sent = ok(
            &state,
            "SendMessage",
            send(&fifo, &format!("m{n}"), &format!("g{}", n % 3)),
        )
        .await;
        ids.push(sent["MessageId"].as_str().unwrap().to_string());
    }
    ok(
        &state,
        "SendMessage",
        json!({"QueueUrl": plain, "MessageBody": "p"}),
    )
    .await;
    let received = ok(
        &state,
        "ReceiveMessage",
        json!({"QueueUrl": fifo, "MaxNumberOfMessages": 2}),
    )
    .await;
    assert_eq!(received.as_array().unwrap().len(), 2);
    // 14 requests logged: the snapshot is due at the 14th and covers them all.
    snapshots_written(&state, 1).await;
    // The tail: records after the snapshot.
    let tail = ok(&state, "SendMessage", send(&fifo, "after", "g9")).await;
    ok(&state, "DeleteQueue", json!({"QueueUrl": plain})).await;
    let image = ServerImage::capture(&state).unwrap().image();
    close(state);

    let opened = Log::open(&dir).unwrap();
    let snapshot = opened.snapshot.as_ref().expect("a snapshot");
    assert_eq!(snapshot.covers, 14);
    assert_eq!((opened.first_record, opened.records.len()), (15, 2));
    drop(opened);

    let state = open(&dir, 14).await;
    assert_eq!(ServerImage::capture(&state).unwrap().image(), image);
    // Dedup entries: a re-send inside the window gets the original id, from
    // the snapshot and from the tail alike.
    let again = ok(&state, "SendMessage", send(&fifo, "m5", "g2")).await;
    assert_eq!(again["MessageId"], ids[5].as_str());
    let again = ok(&state, "SendMessage", send(&fifo, "after", "g9")).await;
    assert_eq!(again["MessageId"], tail["MessageId"]);
    let again = ok_in(&state, eu, "SendMessage", send(&eu_fifo, "m0", "g0")).await;
    assert_eq!(again["MessageId"], eu_first["MessageId"]);
    assert_ne!(eu_first["MessageId"], ids[0].as_str());
    let eu_next = ok_in(&state, eu, "SendMessage", send(&eu_fifo, "m1", "g0")).await;
    assert_ne!(eu_next["MessageId"], eu_first["MessageId"]);
    // Receipt handles of messages in flight at the snapshot still delete them.
    for m in received.as_array().unwrap() {
        ok(
            &state,
            "DeleteMessage",
            json!({"QueueUrl": fifo, "ReceiptHandle": m["ReceiptHandle"]}),
        )
        .await;
    }
    // New message ids go on from where the queue's source stopped.
    let new = ok(&state, "SendMessage", send(&fifo, "new", "g1")).await;
    assert!(!ids.iter().any(|id| new["MessageId"] == id.as_str()));
    assert_ne!(new["MessageId"], tail["MessageId"]);
    let rest = ok(
        &state,
        "ReceiveMessage",
        json!({"QueueUrl": fifo, "MaxNumberOfMessages": 10}),
    )
    .await;
    let bodies: Vec<&str> = rest
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies.len(), 8, "{bodies:?}");
    close(state);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_log_shrinks_to_the_records_after_the_latest_snapshot() {
    let dir = temp_dir("shrinks");
    let state = open(&dir, 50).await;
    let url = create(&state, "q").await;
    for round in 0..100 {
        ok(
            &state,
            "SendMessage",
            json!({"QueueUrl": url, "MessageBody": format!("b{round}")}),
        )
        .await;
        let got = ok(&state, "ReceiveMessage", json!({"QueueUrl": url})).await;
        for m in got.as_array().unwrap() {
            ok(
                &state,
                "DeleteMessage",
                json!({"QueueUrl": url, "ReceiptHandle": m["ReceiptHandle"]}),
            )
            .await;
        }
        if round % 20 == 19 {
            // Let the snapshot under way finish, so the next one can start.
            let (written, _) = state.durable.as_deref().unwrap().snapshots.written();
            snapshots_written(&state, written).await;
        }
    }
    let (written, _) = state.durable.as_deref().unwrap().snapshots.written();
    assert!(
        written >= 3,
        "{written} snapshots of 301 records at every 50"
    );
    close(state);
    let opened = Log::open(&dir).unwrap();
    assert!(
        opened.first_record > 150,
        "first record {}",
        opened.first_record
    );
    assert!(
        opened.records.len() < 100,
        "{} records left",
        opened.records.len()
    );
    drop(opened);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn no_snapshot_while_a_move_task_exists_because_the_image_lacks_it() {
    let state = AppState::new(ServerConfig::default());
    ok(&state, "CreateQueue", json!({"QueueName": "dlq"})).await;
    let arn = state
        .registry
        .get(&state.config.region, "dlq")
        .unwrap()
        .arn
        .clone();
    let redrive = json!({"deadLetterTargetArn": arn, "maxReceiveCount": 1}).to_string();
    ok(
        &state,
        "CreateQueue",
        json!({"QueueName": "src", "Attributes": {"RedrivePolicy": redrive}}),
    )
    .await;
    assert!(ServerImage::capture(&state).is_ok());
    ok(&state, "StartMessageMoveTask", json!({"SourceArn": arn})).await;
    assert_eq!(
        ServerImage::capture(&state).unwrap_err(),
        super::image::Uncaptured::MoveTasks
    );
}

#[tokio::test]
async fn a_record_of_another_kind_turns_snapshots_off_and_the_log_keeps_everything() {
    let dir = temp_dir("unimaged");
    let state = open(&dir, 5).await;
    let url = create(&state, "q").await;
    // A record appended in order by another path than the SQS service's (as a
    // kind of state the server image does not hold would be).
    let durable = state.durable.clone().unwrap();
    let other = {
        let _order = durable.order.lock().await;
        durable.log.append(br#"{"proto":"other"}"#.to_vec())
    };
    other.await.unwrap();
    send_plain(&state, &url, "m", 10).await;
    // Snapshots were due (12 records at every 5) but none may be written.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(durable.snapshots.written(), (0, false));
    drop(durable);
    close(state);
    let opened = Log::open(&dir).unwrap();
    assert!(opened.snapshot.is_none());
    assert_eq!((opened.first_record, opened.records.len()), (1, 12));
    drop(opened);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn sns_state_is_not_in_a_snapshot_so_a_log_with_sns_records_is_kept_whole() {
    let dir = temp_dir("sns");
    let state = open(&dir, 3).await;
    let uri: axum::http::Uri = "/".parse().unwrap();
    let body = axum::body::Bytes::from("Action=CreateTopic&Name=orders&Version=2010-03-31");
    let request = fifowin_sns::codec::decode(None, &body).unwrap();
    let raw = super::RawRequest::Sns {
        uri: &uri,
        body: &body,
    };
    let ctx = context(&state.config.region);
    super::apply_sns(&state, &ctx, request, raw).await.unwrap();
    let url = create(&state, "q").await;
    send_plain(&state, &url, "m", 6).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let durable = state.durable.clone().unwrap();
    assert_eq!(durable.snapshots.written(), (0, false));
    drop(durable);
    close(state);
    let opened = Log::open(&dir).unwrap();
    assert!(opened.snapshot.is_none());
    assert_eq!(opened.records.len(), 8);
    drop(opened);
    // The topic comes back from the whole log, and snapshots stay off.
    let state = open(&dir, 3).await;
    assert_eq!(state.sns.lock().sns.topics().count(), 1);
    send_plain(&state, &url, "n", 4).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        state.durable.as_deref().unwrap().snapshots.written(),
        (0, false)
    );
    close(state);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn clock_advances_keep_snapshots_on_and_a_restart_keeps_the_clock() {
    let dir = temp_dir("clock");
    let config = ServerConfig {
        clock_mode: crate::config::ClockMode::Manual,
        ..ServerConfig::default()
    };
    let policy = SnapshotPolicy {
        every_records: 5,
        ..SnapshotPolicy::default()
    };
    let state = open_durable_with(config.clone(), &dir, policy)
        .await
        .unwrap();
    let url = create(&state, "q").await;
    for round in 0..4 {
        let advance = crate::sqs::actions::Action::ClockAdvance { ms: 1_000 };
        super::act(&state, advance).await.unwrap();
        send_plain(&state, &url, &format!("r{round}-"), 2).await;
    }
    // 13 records at every 5, each advance an action record the image holds.
    snapshots_written(&state, 1).await;
    let now = state.clock.now();
    close(state);
    let state = open_durable_with(config, &dir, SnapshotPolicy::default())
        .await
        .unwrap();
    assert_eq!(state.clock.now(), now);
    close(state);
    let opened = Log::open(&dir).unwrap();
    assert!(opened.snapshot.is_some());
    drop(opened);
    let _ = std::fs::remove_dir_all(&dir);
}
