//! Restarts across snapshots: the state rebuilt from a snapshot and the records
//! after it is the state the server had (every queue, message, dedup entry and
//! receipt handle, SNS topics with their windows, move tasks), and the log
//! holds only what came after the snapshot.

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
        Response::ListMessageMoveTasks(o) => json!(
            o.results
                .iter()
                .map(|t| json!({"Status": t.status, "Moved": t.approximate_number_of_messages_moved}))
                .collect::<Vec<_>>()
        ),
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

/// Waits for the store to let go of the directory (the log's writer joins on
/// drop), after the snapshot under way, if any.
async fn close(state: AppState) {
    let (written, _) = state.durable.as_deref().unwrap().snapshots.written();
    snapshots_written(&state, written).await;
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
    let image = ServerImage::capture_checked(&state);
    close(state).await;

    let opened = Log::open(&dir).unwrap();
    let snapshot = opened.snapshot.as_ref().expect("a snapshot");
    assert_eq!(snapshot.covers, 14);
    assert_eq!((opened.first_record, opened.records.len()), (15, 2));
    drop(opened);

    let state = open(&dir, 14).await;
    assert_eq!(ServerImage::capture(&state).image(), image);
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
    close(state).await;
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
    close(state).await;
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
    close(state).await;
    let state = open_durable_with(config, &dir, SnapshotPolicy::default())
        .await
        .unwrap();
    assert_eq!(state.clock.now(), now);
    close(state).await;
    let opened = Log::open(&dir).unwrap();
    assert!(opened.snapshot.is_some());
    drop(opened);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A manual-clock server on `dir`, a snapshot every `every_records`.
async fn open_manual(dir: &Path, every_records: u64) -> AppState {
    let config = ServerConfig {
        clock_mode: crate::config::ClockMode::Manual,
        ..ServerConfig::default()
    };
    let policy = SnapshotPolicy {
        every_records,
        ..SnapshotPolicy::default()
    };
    open_durable_with(config, dir, policy).await.unwrap()
}

/// One SNS request (Query form parameters) through the durable layer.
async fn sns(
    state: &AppState,
    params: &str,
) -> Result<fifowin_sns::codec::Response, fifowin_sns::SnsError> {
    let uri: axum::http::Uri = "/".parse().unwrap();
    let body = axum::body::Bytes::from(format!("{params}&Version=2010-03-31"));
    let request = fifowin_sns::codec::decode(None, &body).unwrap();
    let raw = super::RawRequest::Sns {
        uri: &uri,
        body: &body,
    };
    let ctx = context(&state.config.region);
    super::apply_sns(state, &ctx, request, raw).await
}

/// Publishes to `topic` with dedup id `dedup`; the MessageId.
async fn publish(state: &AppState, topic: &str, dedup: &str) -> String {
    let params = format!(
        "Action=Publish&TopicArn={topic}&Message=m-{dedup}&MessageGroupId=g&MessageDeduplicationId={dedup}"
    );
    match sns(state, &params).await.unwrap() {
        fifowin_sns::codec::Response::Publish { message_id, .. } => message_id,
        other => panic!("Publish answered {other:?}"),
    }
}

fn topic_state(state: &AppState) -> Vec<fifowin_sns::snapshot::TopicImage> {
    state.sns.lock().sns.topic_images()
}

#[tokio::test]
async fn sns_state_survives_a_restart_from_a_snapshot_taken_after_sns_use() {
    let dir = temp_dir("sns");
    let state = open_manual(&dir, 6).await;
    let queue = ok(
        &state,
        "CreateQueue",
        json!({"QueueName": "fan.fifo", "Attributes": {"FifoQueue": "true"}}),
    )
    .await["QueueUrl"]
        .as_str()
        .unwrap()
        .to_string();
    let queue_arn = state
        .registry
        .get(&state.config.region, "fan.fifo")
        .unwrap()
        .arn
        .clone();
    sns(
        &state,
        "Action=CreateTopic&Name=t.fifo&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true&Tags.member.1.Key=team&Tags.member.1.Value=a",
    )
    .await
    .unwrap();
    let topic = format!("arn:aws:sns:us-east-1:{}:t.fifo", state.config.account_id);
    sns(
        &state,
        &format!(
            "Action=Subscribe&TopicArn={topic}&Protocol=sqs&Endpoint={queue_arn}&Attributes.entry.1.key=RawMessageDelivery&Attributes.entry.1.value=true"
        ),
    )
    .await
    .unwrap();
    let first = publish(&state, &topic, "d1").await;
    let second = publish(&state, &topic, "d2").await;
    publish(&state, &topic, "d1").await;
    // Six records at every 6: the snapshot covers SNS records too.
    snapshots_written(&state, 1).await;
    let tail = publish(&state, &topic, "d3").await;
    let before = topic_state(&state);
    let image = ServerImage::capture_checked(&state);
    close(state).await;

    let opened = Log::open(&dir).unwrap();
    let snapshot = opened.snapshot.as_ref().expect("a snapshot");
    // Due at the 6th record, the duplicate publish: after every kind of SNS request.
    assert!(snapshot.covers >= 6, "covers {}", snapshot.covers);
    assert_eq!(opened.first_record, snapshot.covers + 1);
    let decoded = ServerImage::decode(&snapshot.bytes).unwrap();
    assert_eq!(decoded.topic_count(), 1);
    drop(opened);

    let state = open_manual(&dir, 6).await;
    assert_eq!(topic_state(&state), before);
    assert_eq!(ServerImage::capture(&state).image(), image);
    // Inside the window: the first publishes' ids, from the snapshot and the tail.
    assert_eq!(publish(&state, &topic, "d1").await, first);
    assert_eq!(publish(&state, &topic, "d2").await, second);
    assert_eq!(publish(&state, &topic, "d3").await, tail);
    // The queue got one message per accepted publish, none for the duplicates.
    let received = ok(
        &state,
        "ReceiveMessage",
        json!({"QueueUrl": queue, "MaxNumberOfMessages": 10}),
    )
    .await;
    let bodies: Vec<&str> = received
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["m-d1", "m-d2", "m-d3"]);
    // Past the window: a new id.
    let advance = crate::sqs::actions::Action::ClockAdvance { ms: 300_000 };
    super::act(&state, advance).await.unwrap();
    let late = publish(&state, &topic, "d1").await;
    assert_ne!(late, first);
    close(state).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// ListMessageMoveTasks of `source`: the newest task's status and count moved.
async fn task_of(state: &AppState, source: &str) -> (String, i64) {
    let listed = ok(state, "ListMessageMoveTasks", json!({"SourceArn": source})).await;
    let task = &listed[0];
    (
        task["Status"].as_str().unwrap().to_string(),
        task["Moved"].as_i64().unwrap(),
    )
}

/// Waits until the move task of `source` has moved `moved` messages and is
/// `status`.
async fn task_moved(state: &AppState, source: &str, moved: i64, status: &str) {
    for _ in 0..500 {
        let (now_status, now) = task_of(state, source).await;
        if now >= moved && now_status == status {
            assert_eq!(now, moved, "moved more than there was");
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the task was not {status} with {moved} messages moved in 5 s");
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_move_task_running_at_a_snapshot_resumes_after_a_restart_and_moves_each_message_once() {
    let dir = temp_dir("move");
    let (dlq_arn, dest) = runtime().block_on(async {
        let state = open_manual(&dir, 4).await;
        let dlq = create(&state, "dlq").await;
        let dest = create(&state, "dest").await;
        let region = state.config.region.clone();
        let arn = |name: &str| state.registry.get(&region, name).unwrap().arn.clone();
        let (dlq_arn, dest_arn) = (arn("dlq"), arn("dest"));
        let redrive = json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}).to_string();
        ok(
            &state,
            "CreateQueue",
            json!({"QueueName": "src", "Attributes": {"RedrivePolicy": redrive}}),
        )
        .await;
        send_plain(&state, &dlq, "m", 6).await;
        ok(
            &state,
            "StartMessageMoveTask",
            json!({"SourceArn": dlq_arn, "DestinationArn": dest_arn, "MaxNumberOfMessagesPerSecond": 1}),
        )
        .await;
        crate::pipeline::move_runner::spawn_unclaimed(&state);
        // One message a second of server time: one now, one per advance.
        task_moved(&state, &dlq_arn, 1, "RUNNING").await;
        for moved in 2..=3 {
            let advance = crate::sqs::actions::Action::ClockAdvance { ms: 1_000 };
            super::act(&state, advance).await.unwrap();
            task_moved(&state, &dlq_arn, moved, "RUNNING").await;
        }
        let (written, _) = state.durable.as_deref().unwrap().snapshots.written();
        snapshots_written(&state, written.max(1)).await;
        (dlq_arn, dest)
        // The runtime ends here with the runner waiting: the process is gone.
    });

    let opened = Log::open(&dir).unwrap();
    let snapshot = opened.snapshot.as_ref().expect("a snapshot");
    let image = ServerImage::decode(&snapshot.bytes).unwrap();
    assert_eq!(image.move_task_count(), 1, "the snapshot holds the task");
    drop(opened);

    runtime().block_on(async {
        let state = open_manual(&dir, 4).await;
        assert_eq!(task_of(&state, &dlq_arn).await, ("RUNNING".to_string(), 3));
        crate::pipeline::move_runner::spawn_unclaimed(&state);
        let advance = crate::sqs::actions::Action::ClockAdvance { ms: 10_000 };
        super::act(&state, advance).await.unwrap();
        task_moved(&state, &dlq_arn, 6, "COMPLETED").await;
        let mut bodies = Vec::new();
        for _ in 0..6 {
            let got = ok(
                &state,
                "ReceiveMessage",
                json!({"QueueUrl": dest, "MaxNumberOfMessages": 10}),
            )
            .await;
            bodies.extend(
                got.as_array()
                    .unwrap()
                    .iter()
                    .map(|m| m["Body"].as_str().unwrap().to_string()),
            );
        }
        bodies.sort();
        assert_eq!(bodies, ["m0", "m1", "m2", "m3", "m4", "m5"]);
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn config_file_topics_are_created_once_and_left_alone_on_the_next_start() {
    use crate::config::file::{QueueSpec, SubscriptionSpec, TopicSpec};
    let dir = temp_dir("config-topics");
    let queue = |name: &str| QueueSpec {
        name: name.to_string(),
        region: None,
        attributes: Default::default(),
        tags: Default::default(),
        dedup_window_ms: None,
        dead_letter: None,
    };
    let queues = vec![queue("a"), queue("b")];
    let topics = vec![TopicSpec {
        name: "events".into(),
        fifo: false,
        attributes: Default::default(),
        dedup_window_ms: None,
        subscriptions: vec![SubscriptionSpec {
            queue: "a".into(),
            raw: true,
            filter_policy: None,
            filter_policy_scope: None,
            dead_letter: None,
        }],
    }];
    let start = |dir: PathBuf, queues: Vec<QueueSpec>, topics: Vec<TopicSpec>| async move {
        let state = open(&dir, 0).await;
        super::replay::provision_durable(state, queues, topics)
            .await
            .unwrap()
    };
    let state = start(dir.clone(), queues.clone(), topics.clone()).await;
    let topic = format!("arn:aws:sns:us-east-1:{}:events", state.config.account_id);
    let b_arn = state.registry.get("us-east-1", "b").unwrap().arn.clone();
    sns(
        &state,
        &format!("Action=Subscribe&TopicArn={topic}&Protocol=sqs&Endpoint={b_arn}"),
    )
    .await
    .unwrap();
    let before = topic_state(&state);
    assert_eq!(before.len(), 1);
    close(state).await;

    let state = open(&dir, 0).await;
    let at = state.durable.as_deref().unwrap().log.position().last;
    let state = super::replay::provision_durable(state, queues.clone(), topics.clone())
        .await
        .unwrap();
    assert_eq!(
        topic_state(&state),
        before,
        "left alone, both subscriptions kept"
    );
    assert_eq!(
        state.durable.as_deref().unwrap().log.position().last,
        at,
        "nothing to create, nothing logged"
    );
    // A global reset makes them again as the file has them: one subscription.
    let reset = crate::sqs::actions::Action::Reset { queues, topics };
    super::act(&state, reset).await.unwrap();
    let after = topic_state(&state);
    assert_eq!(after.len(), 1);
    let subscriptions = state
        .sns
        .lock()
        .sns
        .topic(&topic)
        .unwrap()
        .subscriptions()
        .count();
    assert_eq!(subscriptions, 1);
    close(state).await;
    // The reset replays to the same state.
    let state = start(dir.clone(), Vec::new(), Vec::new()).await;
    assert_eq!(topic_state(&state), after);
    close(state).await;
    let _ = std::fs::remove_dir_all(&dir);
}
