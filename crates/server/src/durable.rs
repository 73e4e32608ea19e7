//! Durable mode (`fifowin serve --data-dir DIR`): every state-changing SQS request
//! is appended to a command log (`fifowin-store`, redb) and answered only once its
//! record is committed and fsynced; at start-up the log is replayed through the
//! same service code to rebuild the exact state (queues, attributes, tags,
//! messages, in-flight messages and receipt handles, receive counts, the dedup
//! table with its first-send times).
//!
//! Replay is exact because the engine is deterministic and this module removes
//! the three sources of difference between a live request and its replay:
//! - **order**: state-changing requests run one at a time under [`Durable::order`],
//!   and are appended in that order (the commit itself happens outside the lock,
//!   so concurrent requests still share one fsync: group commit);
//! - **time**: the request's `now` is read once, under that lock, handed to the
//!   service as its argument and logged; replay hands the logged instant;
//! - **ids**: the service gets [`MessageIds::Derived`], so message ids are hashes
//!   of the database's seed, the queue's name and creation time and a counter,
//!   not random.
//!
//! A long poll reaches this layer as separate zero-wait attempts
//! ([`receive_attempt`], driven by `long_poll`). Every attempt that runs is
//! logged, empty ones too, because each receive advances the queue's receive
//! serial that receipt handles carry; only an attempt that returns messages
//! waits for its commit (an empty one is on disk before any later record is, and
//! nothing a client holds depends on it). Requests that fail change nothing and
//! are not logged. Message move tasks (which run on timers) are refused.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::http::Uri;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fifowin_engine::{Clock, ReceivedMessage, Timestamp};
use fifowin_store::{Log, StoreError};
use fifowin_wire::{ErrorCode, Request, Response, SqsError, json, query};
use serde::{Deserialize, Serialize};

use crate::ids::MessageIds;
use crate::service::{self, PreparedReceive, RequestContext};
use crate::{AppState, ServerConfig};

/// The command log and what keeps live requests and their replay identical.
#[derive(Debug)]
pub struct Durable {
    log: Log,
    /// The database's random seed, for message ids.
    seed: u64,
    /// Held while a state-changing request runs and is appended.
    order: tokio::sync::Mutex<()>,
}

/// The request as it came off the wire, borrowed from the handler that decoded
/// it; the log keeps it (the decoded request has no wire form).
#[derive(Clone, Copy, Debug)]
pub(crate) enum RawRequest<'a> {
    Json { target: &'a str, body: &'a Bytes },
    Query { uri: &'a Uri, body: &'a Bytes },
}

/// One log record.
#[derive(Serialize, Deserialize)]
struct Record {
    /// The request's time, ms.
    now: u64,
    /// `json` or `query`.
    proto: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    query: Option<String>,
    /// Base64 of the body.
    body: String,
    host: Option<String>,
    sender: String,
    trace: Option<String>,
}

/// Why durable mode cannot start.
#[derive(Debug, thiserror::Error)]
pub enum DurableError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("record {index} of the command log is unreadable: {problem}")]
    Corrupt { index: usize, problem: String },
}

fn mutates(request: &Request) -> bool {
    !matches!(
        request,
        Request::GetQueueUrl(_)
            | Request::ListQueues(_)
            | Request::GetQueueAttributes(_)
            | Request::ListQueueTags(_)
            | Request::ListDeadLetterSourceQueues(_)
            | Request::ListMessageMoveTasks(_)
    )
}

fn internal(err: StoreError) -> SqsError {
    tracing::error!("durable mode: {err}");
    SqsError::new(
        ErrorCode::InternalError,
        "The request could not be made durable.",
    )
}

/// Applies one request: in memory at the clock's time with random ids; in
/// durable mode in log order, at one instant, with derived ids, answered once
/// its record is committed.
pub(crate) async fn apply(
    state: &AppState,
    ctx: &RequestContext,
    request: Request,
    raw: RawRequest<'_>,
) -> Result<Response, SqsError> {
    let Some(durable) = state.durable.as_deref() else {
        return service::execute(state, ctx, request, state.clock.now(), MessageIds::Random);
    };
    // Boxed, so the in-memory path's future (every request's) does not carry
    // the larger state of durable mode's ordering.
    Box::pin(apply_logged(state, durable, ctx, request, raw)).await
}

async fn apply_logged(
    state: &AppState,
    durable: &Durable,
    ctx: &RequestContext,
    request: Request,
    raw: RawRequest<'_>,
) -> Result<Response, SqsError> {
    let ids = MessageIds::Derived { seed: durable.seed };
    if !mutates(&request) {
        return service::execute(state, ctx, request, state.clock.now(), ids);
    }
    if matches!(
        request,
        Request::StartMessageMoveTask(_) | Request::CancelMessageMoveTask(_)
    ) {
        return Err(SqsError::new(
            ErrorCode::UnsupportedOperation,
            "Message move tasks are not available in durable mode (--data-dir).",
        ));
    }
    let guard = durable.order.lock().await;
    let now = state.clock.now();
    let result = service::execute(state, ctx, request, now, ids);
    let append = append(durable, &result, now, ctx, raw);
    drop(guard);
    if let Some(append) = append {
        append.await.map_err(internal)?;
    }
    result
}

/// Queues the record of a request that succeeded (call with `order` held); the
/// returned future resolves when it is committed.
fn append<T>(
    durable: &Durable,
    result: &Result<T, SqsError>,
    now: Timestamp,
    ctx: &RequestContext,
    raw: RawRequest<'_>,
) -> Option<impl std::future::Future<Output = Result<u64, StoreError>> + use<T>> {
    result
        .is_ok()
        .then(|| durable.log.append(record(now, ctx, raw)))
}

/// What one receive attempt of a long poll did.
pub(crate) enum Attempt {
    /// Received at `now` (perhaps nothing).
    Received {
        messages: Vec<ReceivedMessage>,
        now: Timestamp,
    },
    /// Not run: nothing was visible, and in durable mode a retry that can only
    /// come back empty would still write a record.
    Skipped,
}

/// One zero-wait receive of a long poll. `first` is the attempt the engine
/// validates the request with, so it always runs.
pub(crate) async fn receive_attempt(
    state: &AppState,
    ctx: &RequestContext,
    poll: &PreparedReceive,
    raw: RawRequest<'_>,
    first: bool,
) -> Result<Attempt, SqsError> {
    let Some(durable) = state.durable.as_deref() else {
        let now = state.clock.now();
        let messages = service::receive_attempt(state, poll, now)?;
        return Ok(Attempt::Received { messages, now });
    };
    let guard = durable.order.lock().await;
    let idle = !first
        && poll.request.attempt_id.is_none()
        && poll.queue.lock().counts(state.clock.now()).visible == 0;
    if idle {
        return Ok(Attempt::Skipped);
    }
    let now = state.clock.now();
    let result = service::receive_attempt(state, poll, now);
    let append = append(durable, &result, now, ctx, raw);
    drop(guard);
    let messages = result?;
    if !messages.is_empty()
        && let Some(append) = append
    {
        append.await.map_err(internal)?;
    }
    // An empty attempt's record is queued already; its commit need not be awaited.
    Ok(Attempt::Received { messages, now })
}

fn record(now: Timestamp, ctx: &RequestContext, raw: RawRequest<'_>) -> Vec<u8> {
    let (proto, target, path, query, body) = match raw {
        RawRequest::Json { target, body } => ("json", target.to_owned(), String::new(), None, body),
        RawRequest::Query { uri, body } => (
            "query",
            String::new(),
            uri.path().to_owned(),
            uri.query().map(str::to_owned),
            body,
        ),
    };
    let record = Record {
        now: now.as_millis(),
        proto: proto.into(),
        target,
        path,
        query,
        body: STANDARD.encode(body),
        host: ctx.host.clone(),
        sender: ctx.sender_id.to_string(),
        trace: ctx.trace_header.clone(),
    };
    serde_json::to_vec(&record).unwrap_or_default()
}

/// Opens the log in `dir`, replays it, and returns the live state.
pub async fn open(config: ServerConfig, dir: &std::path::Path) -> Result<AppState, DurableError> {
    let opened = Log::open(dir)?;
    let seed = opened.log.seed();
    let replay = AppState::new(config.clone());
    let ids = MessageIds::Derived { seed };
    let started = Instant::now();
    let mut failed = 0usize;
    for (index, bytes) in opened.records.iter().enumerate() {
        let corrupt = |problem: String| DurableError::Corrupt { index, problem };
        let record: Record = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
        let body = STANDARD
            .decode(record.body.as_bytes())
            .map_err(|e| corrupt(e.to_string()))?;
        let request = match record.proto.as_str() {
            "json" => json::decode(&record.target, &body),
            "query" => query::decode(record.query.as_deref(), &body, &record.path),
            other => return Err(corrupt(format!("unknown protocol {other:?}"))),
        };
        // A logged ReceiveMessage is one attempt: `execute` does not wait.
        let request = request.map_err(|e| corrupt(e.message.to_string()))?;
        let ctx = RequestContext {
            host: record.host,
            sender_id: Arc::from(record.sender),
            trace_header: record.trace,
        };
        let op = request.operation();
        let now = Timestamp(record.now);
        if let Err(err) = service::execute(&replay, &ctx, request, now, ids) {
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
        durable: Some(Arc::new(Durable {
            log: opened.log,
            seed,
            order: tokio::sync::Mutex::new(()),
        })),
        ..AppState::new(config)
    })
}

/// Middleware on the control routes in durable mode: refuses the actions that
/// change queue state behind the command log's back (a global or per-queue reset,
/// moving the clock), which a restart would silently undo.
pub async fn control_guard(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = request.uri().path();
    let unlogged = request.method() == axum::http::Method::POST
        && (path == "/_fifowin/reset"
            || path == "/_fifowin/clock/advance"
            || (path.starts_with("/_fifowin/queues/") && path.ends_with("/reset")));
    if unlogged {
        let error = format!(
            "POST {path} is not available in durable mode (--data-dir): the command log does not record it, so a restart would undo it"
        );
        return (
            axum::http::StatusCode::CONFLICT,
            axum::Json(serde_json::json!({ "error": error })),
        )
            .into_response();
    }
    next.run(request).await
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
        let problem = match open(ServerConfig::default(), &dir).await {
            Err(DurableError::Corrupt { index: 0, problem }) => problem,
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("the record was replayed"),
        };
        assert_eq!(problem, "unknown protocol \"xml\"");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
