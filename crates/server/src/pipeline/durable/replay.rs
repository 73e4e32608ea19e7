//! Durable mode's start-up: open the command log, restore its latest snapshot
//! (the server image) and replay every record after it through the SQS or SNS
//! service (a request) or `sqs::actions` (an action) at its logged time with
//! derived message ids, rebuilding the exact state clients saw; a manual clock
//! is brought to the logged times, so its time survives a restart. Then the
//! config file's queues and topics that are absent are created (and logged).

use std::sync::Arc;
use std::time::Instant;

use fifowin_store::{Log, StoreError};

use super::image::{ImageError, ServerImage};
use super::log::{Durable, Logged, decode};
use super::snapshot::{SnapshotPolicy, Snapshots};
use crate::config::file::{QueueSpec, TopicSpec};
use crate::config::{ClockMode, ServerConfig};
use crate::sqs::actions::{self, Action};
use crate::sqs::{self, ids::MessageIds};
use crate::state::AppState;
use crate::state::clock::ServerClock;

/// Why durable mode cannot start.
#[derive(Debug, thiserror::Error)]
pub enum DurableError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("record {index} of the command log is unreadable: {problem}")]
    Corrupt { index: usize, problem: String },
    #[error("{0}")]
    Action(String),
    #[error("the snapshot of the command log cannot be restored: {0}")]
    Snapshot(#[from] ImageError),
}

/// Opens the log in `dir`, restores and replays it, and returns the live state
/// (snapshots at the default [`SnapshotPolicy`]).
pub async fn open_durable(
    config: ServerConfig,
    dir: &std::path::Path,
) -> Result<AppState, DurableError> {
    open_durable_with(config, dir, SnapshotPolicy::default()).await
}

/// [`open_durable`], taking snapshots by `policy`.
pub async fn open_durable_with(
    config: ServerConfig,
    dir: &std::path::Path,
    policy: SnapshotPolicy,
) -> Result<AppState, DurableError> {
    let opened = Log::open(dir)?;
    if let Some(torn) = &opened.torn_tail {
        // Never acknowledged (its fsync had not returned), so nothing is lost.
        tracing::warn!(
            "durable mode: cut off a write a crash interrupted at the end of the log ({} from byte {}: {})",
            torn.path.display(),
            torn.offset,
            torn.problem
        );
    }
    let seed = opened.log.seed();
    let ids = MessageIds::Derived { seed };
    let started = Instant::now();
    let (mut replay, image_bytes) = match &opened.snapshot {
        Some(snapshot) => (
            ServerImage::decode(&snapshot.bytes)?.restore(config.clone(), ids)?,
            snapshot.bytes.len() as u64,
        ),
        None => (AppState::new(config.clone()), 0),
    };
    let restored = started.elapsed();
    let mut failed = 0usize;
    for (index, bytes) in opened.records.iter().enumerate() {
        let corrupt = |problem: String| DurableError::Corrupt { index, problem };
        let (logged, now) = decode(bytes, &config.region).map_err(corrupt)?;
        if replay.clock.mode() == ClockMode::Manual {
            // A restored image carries its clock; without one, the clock starts
            // at the first record's time.
            if index == 0 && opened.snapshot.is_none() {
                replay.clock = Arc::new(ServerClock::starting_at(ClockMode::Manual, now));
            }
            replay.clock.catch_up(now);
        }
        // A logged request or action succeeded live; failing now means the
        // replay diverged. Name the first few (never their bodies).
        let (op, problem) = match logged {
            // A logged ReceiveMessage is one attempt: `execute` does not wait.
            Logged::Sqs(request, ctx) => {
                let op = request.operation().name();
                let result = sqs::execute(&replay, &ctx, request, now, ids);
                (op, result.err().map(|e| e.message.to_string()))
            }
            Logged::Sns(request, ctx) => {
                let op = request.operation().name();
                let result = crate::sns::execute(&replay, &ctx, &request, now, ids);
                (op, result.err().map(|e| e.message))
            }
            Logged::Action(action) => {
                let result = actions::apply(&replay, &action, now, ids);
                (action.name(), result.err().map(|e| e.to_string()))
            }
        };
        if let Some(problem) = problem {
            if failed < 5 {
                tracing::warn!(
                    record = index,
                    op,
                    "durable mode: a logged request failed on replay: {problem}"
                );
            }
            failed += 1;
        }
    }
    if failed > 0 {
        tracing::warn!("durable mode: {failed} logged requests failed on replay");
    }
    let commits = if opened.log.direct_io() {
        "direct I/O"
    } else {
        "buffered writes and fdatasync"
    };
    tracing::info!(
        commits,
        "durable mode: restored a {image_bytes}-byte snapshot in {restored:?} and replayed {} requests after it from {} in {:?} ({} queues)",
        opened.records.len(),
        dir.display(),
        started.elapsed() - restored,
        replay.registry.len(),
    );
    let snapshots = Snapshots::new(
        policy,
        opened.first_record - 1,
        image_bytes,
        &opened.records,
    );
    Ok(AppState {
        durable: Some(Arc::new(Durable::new(opened.log, snapshots))),
        ..replay
    })
}

/// Creates the config file's queues and topics that `state` (just opened)
/// lacks, logging them; those present are left as they are (a topic with its
/// subscriptions). A global reset re-creates them all.
pub async fn provision_durable(
    state: AppState,
    queues: Vec<QueueSpec>,
    topics: Vec<TopicSpec>,
) -> Result<AppState, DurableError> {
    let state = AppState {
        startup_queues: Arc::new(queues),
        startup_topics: Arc::new(topics),
        ..state
    };
    let queues = state.startup_queues.to_vec();
    let topics = state.startup_topics.to_vec();
    super::act(&state, Action::Provision { queues, topics })
        .await
        .map_err(|e| DurableError::Action(e.to_string()))?;
    Ok(state)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_record_of_an_unknown_protocol_is_corrupt_not_read_as_query() {
        let dir =
            std::env::temp_dir().join(format!("fifowin-durable-proto-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let opened = Log::open(&dir).unwrap();
            let record = serde_json::json!({
                "now": 0, "proto": "xml", "path": "/", "query": "Action=ListQueues",
                "body": "", "host": null, "sender": "s", "trace": null
            });
            opened
                .log
                .append(serde_json::to_vec(&record).unwrap())
                .await
                .unwrap();
        }
        let problem = match open_durable(ServerConfig::default(), &dir).await {
            Err(DurableError::Corrupt { index: 0, problem }) => problem,
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("the record was replayed"),
        };
        assert_eq!(problem, "unknown protocol \"xml\"");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// One JSON request through the pipeline, as the JSON handler sends it.
    async fn ok(state: &AppState, op: &str, body: serde_json::Value) -> fifowin_wire::Response {
        let target = format!("AmazonSQS.{op}");
        let bytes = axum::body::Bytes::from(body.to_string());
        let request = fifowin_wire::json::decode(&target, &bytes).unwrap();
        let raw = crate::pipeline::durable::RawRequest::Json {
            target: &target,
            body: &bytes,
        };
        let ctx = crate::sqs::RequestContext {
            host: None,
            region: state.config.region.clone(),
            sender_id: Arc::from("AIDAIT2UOQQY3AUEKVGXU"),
            trace_header: None,
        };
        match crate::pipeline::dispatch::process(state, &ctx, request, raw, "test").await {
            crate::pipeline::dispatch::Reply::Ok(response) => response,
            other => panic!("{op}: {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_long_poll_answered_by_a_send_survives_a_restart_in_flight() {
        use fifowin_wire::Response;
        use serde_json::json;

        let dir = std::env::temp_dir().join(format!("fifowin-durable-poll-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let state = open_durable(ServerConfig::default(), &dir).await.unwrap();
        let Response::CreateQueue(created) =
            ok(&state, "CreateQueue", json!({"QueueName": "q"})).await
        else {
            panic!("CreateQueue answered something else");
        };
        let url = created.queue_url;
        let poll = {
            let (state, url) = (state.clone(), url.clone());
            tokio::spawn(async move {
                let wait = json!({"QueueUrl": url, "WaitTimeSeconds": 10});
                ok(&state, "ReceiveMessage", wait).await
            })
        };
        // Usually the poll is waiting by now; if not, its first attempt finds the message.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let send = json!({"QueueUrl": url, "MessageBody": "hello"});
        ok(&state, "SendMessage", send).await;
        let Response::ReceiveMessage(received) = poll.await.unwrap() else {
            panic!("ReceiveMessage answered something else");
        };
        assert_eq!(received.messages.len(), 1);
        assert_eq!(received.messages[0].body, "hello");
        let handle = received.messages[0].receipt_handle.clone();
        drop(state);

        // Replayed: the message is in flight under the same receipt handle.
        let state = open_durable(ServerConfig::default(), &dir).await.unwrap();
        let Response::ReceiveMessage(again) =
            ok(&state, "ReceiveMessage", json!({"QueueUrl": url})).await
        else {
            panic!("ReceiveMessage answered something else");
        };
        assert!(again.messages.is_empty(), "{:?}", again.messages);
        let delete = json!({"QueueUrl": url, "ReceiptHandle": handle});
        ok(&state, "DeleteMessage", delete).await;
        drop(state);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
