//! Durable mode's start-up: open the command log and replay every record through
//! the SQS service at its logged time with derived message ids, rebuilding the
//! exact state clients saw.

use std::sync::Arc;
use std::time::Instant;

use fifowin_store::{Log, StoreError};

use super::log::{Durable, decode};
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
        let (request, ctx, now) = decode(bytes).map_err(corrupt)?;
        let op = request.operation();
        if let Err(err) = sqs::execute(&replay, &ctx, request, now, ids) {
            // A logged request succeeded live; failing now means the replay
            // diverged. Name the first few (never their bodies).
            if failed < 5 {
                tracing::warn!(
                    record = index,
                    op = op.name(),
                    code = err.code.query_code(),
                    "durable mode: a logged request failed on replay: {}",
                    err.message
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
        durable: Some(Arc::new(Durable::new(opened.log))),
        ..AppState::new(config)
    })
}

#[cfg(test)]
mod tests {
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
}
