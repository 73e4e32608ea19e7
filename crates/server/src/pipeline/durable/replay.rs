//! Durable mode's start-up: open the command log and replay every record through
//! the SQS or SNS service at its logged time with derived message ids, rebuilding the
//! exact state clients saw.

use std::sync::Arc;
use std::time::Instant;

use fifowin_store::{Log, StoreError};

use super::log::{Durable, Logged, decode};
use crate::config::ServerConfig;
use crate::sqs::{self, ids::MessageIds};
use crate::state::AppState;

/// Why durable mode cannot start.
#[derive(Debug, thiserror::Error)]
pub enum DurableError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("record {index} of the command log is unreadable: {problem}")]
    Corrupt { index: usize, problem: String },
}

/// Opens the log in `dir`, replays it, and returns the live state.
pub async fn open_durable(
    config: ServerConfig,
    dir: &std::path::Path,
) -> Result<AppState, DurableError> {
    let opened = Log::open(dir)?;
    let seed = opened.log.seed();
    let replay = AppState::new(config.clone());
    let ids = MessageIds::Derived { seed };
    let started = Instant::now();
    let mut failed = 0usize;
    for (index, bytes) in opened.records.iter().enumerate() {
        let corrupt = |problem: String| DurableError::Corrupt { index, problem };
        // A logged ReceiveMessage is one attempt: `execute` does not wait.
        let (logged, ctx, now) = decode(bytes, &config.region).map_err(corrupt)?;
        let result = match logged {
            Logged::Sqs(request) => {
                let op = request.operation().name();
                sqs::execute(&replay, &ctx, request, now, ids)
                    .map(drop)
                    .map_err(|err| (op, err.code.query_code(), err.message.into_owned()))
            }
            Logged::Sns(request) => {
                let op = request.operation().name();
                crate::sns::execute(&replay, &ctx, &request, now, ids)
                    .map(drop)
                    .map_err(|err| (op, err.code.code(), err.message))
            }
        };
        if let Err((op, code, message)) = result {
            // A logged request succeeded live; failing now means the replay
            // diverged. Name the first few (never their bodies).
            if failed < 5 {
                tracing::warn!(
                    record = index,
                    op,
                    code,
                    "durable mode: a logged request failed on replay: {message}"
                );
            }
            failed += 1;
        }
    }
    if failed > 0 {
        tracing::warn!("durable mode: {failed} logged requests failed on replay");
    }
    tracing::info!(
        "durable mode: replayed {} requests from {} in {:?} ({} queues)",
        opened.records.len(),
        dir.display(),
        started.elapsed(),
        replay.registry.len(),
    );
    Ok(AppState {
        registry: Arc::clone(&replay.registry),
        sns: Arc::clone(&replay.sns),
        durable: Some(Arc::new(Durable::new(opened.log))),
        ..AppState::new(config)
    })
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
