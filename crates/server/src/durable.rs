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
//! - **time**: the server clock is pinned to one instant for the whole request,
//!   and that instant is logged;
//! - **ids**: message ids come from a hash of the database's seed, the queue's
//!   name and (pinned) creation time and a counter, not from a random generator.
//!
//! A long-polling ReceiveMessage is run as repeated zero-wait receives. Every
//! attempt is logged, empty ones too, because each receive advances the queue's
//! receive serial that receipt handles carry; only an attempt that returns
//! messages waits for its commit (an empty one is on disk before any later
//! record is, and nothing a client holds depends on it). Requests that fail
//! change nothing and are not logged. Message move tasks (which run on timers)
//! are refused.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::Uri;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fifowin_engine::{Clock, IdSource, Timestamp};
use fifowin_store::{Log, StoreError};
use fifowin_wire::{ErrorCode, Request, Response, SqsError, json, query};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::service::{self, RequestContext, queue_name_from_url};
use crate::{AppState, ServerConfig};

/// The command log and what keeps live requests and their replay identical.
#[derive(Debug)]
pub struct Durable {
    /// `None` while replaying (nothing is appended then).
    log: Option<Log>,
    /// The database's random seed, for message ids.
    seed: u64,
    /// Held while a state-changing request runs and is appended.
    order: tokio::sync::Mutex<()>,
}

/// The request as it came off the wire, kept for the log.
#[derive(Clone, Debug)]
pub enum Raw {
    Json {
        target: String,
        body: Bytes,
    },
    Query {
        path: String,
        query: Option<String>,
        body: Bytes,
    },
}

impl Raw {
    /// An AWS JSON 1.0 request.
    pub fn json(target: &str, body: &Result<Bytes, impl Sized>) -> Option<Raw> {
        let body = body.as_ref().ok()?.clone();
        Some(Raw::Json {
            target: target.to_string(),
            body,
        })
    }

    /// A Query request.
    pub fn query(uri: &Uri, body: &Bytes) -> Option<Raw> {
        Some(Raw::Query {
            path: uri.path().to_string(),
            query: uri.query().map(str::to_owned),
            body: body.clone(),
        })
    }
}

tokio::task_local! {
    static RAW: Option<Raw>;
}

/// Runs `f` with `raw` available to [`call`] (the decoded request has no wire form).
pub async fn scope<F: std::future::Future>(raw: Option<Raw>, f: F) -> F::Output {
    RAW.scope(raw, f).await
}

/// One log record.
#[derive(Serialize, Deserialize)]
struct Record {
    /// The pinned server time, ms.
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

/// The service call, made durable when the server runs with `--data-dir`.
pub async fn call(
    state: &AppState,
    ctx: &RequestContext,
    request: Request,
) -> Result<Response, SqsError> {
    let Some(durable) = state.durable.as_deref() else {
        return service::call(state, ctx, request).await;
    };
    // Boxed, so the in-memory path's future (every request's) does not carry
    // the larger state of durable mode's ordering and long polls.
    Box::pin(durable_call(state, durable, ctx, request)).await
}

async fn durable_call(
    state: &AppState,
    durable: &Durable,
    ctx: &RequestContext,
    request: Request,
) -> Result<Response, SqsError> {
    if !mutates(&request) {
        return service::call(state, ctx, request).await;
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
    let raw = RAW.try_with(Clone::clone).ok().flatten();
    match request {
        Request::ReceiveMessage(input) => receive(state, durable, ctx, input, raw).await,
        request => {
            let guard = durable.order.lock().await;
            let (result, append) =
                pinned(state, durable, ctx, request, raw.as_ref(), |_| true).await;
            drop(guard);
            if let Some(append) = append {
                append.await.map_err(internal)?;
            }
            result
        }
    }
}

type Append = std::pin::Pin<Box<dyn std::future::Future<Output = Result<u64, StoreError>> + Send>>;

/// Runs `request` at one pinned instant; appends it when it succeeded and `keep`
/// says so. Call with `order` held.
async fn pinned(
    state: &AppState,
    durable: &Durable,
    ctx: &RequestContext,
    request: Request,
    raw: Option<&Raw>,
    keep: impl Fn(&Response) -> bool,
) -> (Result<Response, SqsError>, Option<Append>) {
    let now = state.clock.now();
    state.clock.pin(Some(now));
    let result = service::call(state, ctx, request).await;
    state.clock.pin(None);
    let append = match (&result, &durable.log, raw) {
        (Ok(response), Some(log), Some(raw)) if keep(response) => {
            let record = record(now, ctx, raw);
            Some(Box::pin(log.append(record)) as Append)
        }
        _ => None,
    };
    (result, append)
}

/// ReceiveMessage as zero-wait attempts until messages arrive or the wait is over.
async fn receive(
    state: &AppState,
    durable: &Durable,
    ctx: &RequestContext,
    input: fifowin_wire::model::ReceiveMessageInput,
    raw: Option<Raw>,
) -> Result<Response, SqsError> {
    let queue = input
        .queue_url
        .as_deref()
        .and_then(|url| state.registry.get(queue_name_from_url(url)));
    let wait_secs = match &queue {
        Some(q) => q
            .lock()
            .wait_time_seconds(input.wait_time_seconds)
            .map_err(crate::convert::sqs_error)?,
        None => 0,
    };
    let deadline = Instant::now() + Duration::from_secs(wait_secs);
    let mut first = true;
    loop {
        let arrivals = queue.as_ref().map(|q| q.arrivals.notified());
        let mut attempt = input.clone();
        attempt.wait_time_seconds = Some(0);
        let guard = durable.order.lock().await;
        // After the first attempt (which the engine validates), a retry while
        // nothing is visible would only advance the receive serial and write a
        // record: skip it, so a long poll on an idle queue costs one record.
        let idle = !first
            && input.receive_request_attempt_id.is_none()
            && queue
                .as_ref()
                .is_some_and(|q| q.lock().counts(state.clock.now()).visible == 0);
        first = false;
        if idle {
            drop(guard);
            if Instant::now() >= deadline {
                return Ok(Response::ReceiveMessage(
                    fifowin_wire::model::ReceiveMessageOutput::default(),
                ));
            }
            nap(state, queue.as_deref(), deadline, arrivals).await;
            continue;
        }
        let got_some =
            |r: &Response| matches!(r, Response::ReceiveMessage(out) if !out.messages.is_empty());
        let (result, append) = pinned(
            state,
            durable,
            ctx,
            Request::ReceiveMessage(attempt),
            raw.as_ref(),
            |_| true,
        )
        .await;
        drop(guard);
        let delivered = matches!(&result, Ok(r) if got_some(r));
        if delivered && let Some(append) = append {
            append.await.map_err(internal)?;
        }
        // An empty attempt's record is queued already; its commit need not be awaited.
        if delivered || result.is_err() || Instant::now() >= deadline {
            return result;
        }
        nap(state, queue.as_deref(), deadline, arrivals).await;
    }
}

/// Waits for an arrival, or until the queue's next delay or visibility timeout
/// ends (those come without a wake-up): at most a second, at least a millisecond.
async fn nap(
    state: &AppState,
    queue: Option<&crate::registry::QueueHandle>,
    deadline: Instant,
    arrivals: Option<tokio::sync::futures::Notified<'_>>,
) {
    let until_receivable = queue
        .and_then(|q| q.lock().next_receivable_deadline())
        .map(|t| {
            Duration::from_millis(t.as_millis().saturating_sub(state.clock.now().as_millis()))
        });
    let nap = deadline
        .saturating_duration_since(Instant::now())
        .min(Duration::from_secs(1))
        .min(until_receivable.unwrap_or(Duration::MAX))
        .max(Duration::from_millis(1));
    match arrivals {
        Some(arrivals) => {
            let _ = tokio::time::timeout(nap, arrivals).await;
        }
        None => tokio::time::sleep(nap).await,
    }
}

fn record(now: Timestamp, ctx: &RequestContext, raw: &Raw) -> Vec<u8> {
    let (proto, target, path, query, body) = match raw {
        Raw::Json { target, body } => ("json", target.clone(), String::new(), None, body),
        Raw::Query { path, query, body } => {
            ("query", String::new(), path.clone(), query.clone(), body)
        }
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
    let replay = AppState {
        durable: Some(Arc::new(Durable {
            log: None,
            seed,
            order: tokio::sync::Mutex::new(()),
        })),
        ..AppState::new(config.clone())
    };
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
        let mut request = request.map_err(|e| corrupt(e.message.to_string()))?;
        if let Request::ReceiveMessage(input) = &mut request {
            input.wait_time_seconds = Some(0);
        }
        let ctx = RequestContext {
            host: record.host,
            sender_id: Arc::from(record.sender),
            trace_header: record.trace,
        };
        replay.clock.pin(Some(Timestamp(record.now)));
        let op = request.operation();
        if let Err(err) = service::call(&replay, &ctx, request).await {
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
    replay.clock.pin(None);
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
            log: Some(opened.log),
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

/// The id source of a queue being created: random v4 UUIDs in memory, and in
/// durable mode UUID-shaped hashes that come out the same on replay. Only what
/// the log reproduces goes in (the name and the pinned time, not a counter that
/// a failed, unlogged CreateQueue would also have moved).
pub(crate) fn id_source(state: &AppState, name: &str) -> Box<dyn IdSource> {
    match &state.durable {
        None => Box::new(service::UuidIds),
        Some(durable) => {
            let queue = Sha256::new()
                .chain_update(name.as_bytes())
                .chain_update(state.clock.now().as_millis().to_le_bytes())
                .finalize();
            let mut first = [0u8; 8];
            first.copy_from_slice(&queue[..8]);
            Box::new(HashedIds {
                seed: durable.seed,
                queue: u64::from_le_bytes(first),
                next: 0,
            })
        }
    }
}

struct HashedIds {
    seed: u64,
    /// Hash of the queue's name and creation time.
    queue: u64,
    next: u64,
}

impl IdSource for HashedIds {
    fn message_id(&mut self) -> Arc<str> {
        self.next += 1;
        let digest = Sha256::new()
            .chain_update(self.seed.to_le_bytes())
            .chain_update(self.queue.to_le_bytes())
            .chain_update(self.next.to_le_bytes())
            .finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        let mut buf = uuid::Uuid::encode_buffer();
        let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
        Arc::from(&*id.hyphenated().encode_lower(&mut buf))
    }
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
