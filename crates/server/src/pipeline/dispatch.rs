//! One decoded SQS request through everything around the service, for either
//! protocol: fault rules before and after it, the memory cap, the request log
//! line, and latency and error metrics; then the long-poll stage for a receive
//! and the durable layer for everything else. The protocol handlers decode, call
//! [`process`] and encode the [`Reply`] with their own encoders through
//! [`Reply::into_response`]. SNS requests meet the same fault rules, metrics
//! and log line in `sns` ([`finish`] is shared).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use axum::http::StatusCode;
use axum::response::Response as HttpResponse;
use fifowin_engine::Clock;
use fifowin_wire::model::Operation;
use fifowin_wire::{Request, Response, SqsError};

use crate::pipeline::durable::RawRequest;
use crate::pipeline::faults::Injected;
use crate::sqs::{self, QueueRef, RequestContext};
use crate::state::AppState;

pub(crate) mod sns;

/// What to send back.
#[derive(Debug)]
pub(crate) enum Reply {
    /// The operation's answer.
    Ok(Response),
    /// An SQS error, with the status to send it with (its code's, unless a fault
    /// rule chose another).
    Err { error: SqsError, status: StatusCode },
    /// Nothing: close the connection (an injected lost answer).
    Drop,
}

impl Reply {
    fn error(error: SqsError) -> Reply {
        let status = StatusCode::from_u16(error.code.status()).unwrap_or(StatusCode::BAD_REQUEST);
        Reply::Err { error, status }
    }

    fn injected(injected: Injected) -> Reply {
        if injected.drop_connection {
            Reply::Drop
        } else {
            Reply::Err {
                error: injected.error,
                status: injected.status,
            }
        }
    }

    /// Encodes the reply with the protocol's encoders: `ok` for answers, `err`
    /// for errors (whose status is then set to the reply's).
    pub(crate) fn into_response(
        self,
        ok: impl FnOnce(&Response) -> HttpResponse,
        err: impl FnOnce(&SqsError) -> HttpResponse,
    ) -> HttpResponse {
        match self {
            Reply::Ok(response) => ok(&response),
            Reply::Err { error, status } => {
                let mut response = err(&error);
                *response.status_mut() = status;
                response
            }
            Reply::Drop => dropped_connection(),
        }
    }
}

/// Runs `request` (which came off the wire as `raw`) with fault rules, limits,
/// logging and metrics.
pub(crate) async fn process(
    state: &AppState,
    ctx: &RequestContext,
    request: Request,
    raw: RawRequest<'_>,
    request_id: &str,
) -> Reply {
    let started = Instant::now();
    let op = request.operation();
    let queue = sqs::queue_of(ctx, &request);
    let (reply, injected) = run(state, ctx, request, raw, op, queue.as_ref()).await;
    let outcome = match &reply {
        Reply::Ok(_) => Outcome::Answered,
        Reply::Err { error, status } => Outcome::Failed {
            code: error.code.query_code(),
            status: status.as_u16(),
            message: &error.message,
        },
        Reply::Drop => Outcome::Dropped,
    };
    let region = queue
        .as_ref()
        .map_or(ctx.region.as_str(), |q| q.region.as_str());
    finish(
        state,
        request_id,
        op.name(),
        region,
        queue.as_ref().map(|q| q.name.as_str()),
        started,
        outcome,
        injected,
    );
    reply
}

/// How a request ended, for its metrics and log line.
pub(crate) enum Outcome<'a> {
    Answered,
    Failed {
        code: &'static str,
        status: u16,
        message: &'a str,
    },
    /// A fault rule closed the connection.
    Dropped,
}

/// Records a finished request's latency and error code, and writes its log line
/// (never a message body: request id, operation, queue or topic, its region,
/// outcome and time).
#[allow(clippy::too_many_arguments)]
pub(crate) fn finish(
    state: &AppState,
    request_id: &str,
    op: &'static str,
    region: &str,
    queue: Option<&str>,
    started: Instant,
    outcome: Outcome<'_>,
    injected: bool,
) {
    let elapsed = started.elapsed();
    let (code, status) = match &outcome {
        Outcome::Answered => (None, 200),
        Outcome::Failed { code, status, .. } => (Some(*code), *status),
        Outcome::Dropped => (Some("ConnectionDropped"), 0),
    };
    state.metrics.observe(op, elapsed, code);
    let queue = queue.unwrap_or("-");
    tracing::debug!(%request_id, op, queue, region, status, ?elapsed, "request");
    match outcome {
        Outcome::Answered => {}
        Outcome::Failed { code, message, .. } => {
            tracing::warn!(%request_id, op, queue, region, code, injected, error = %message, "request failed");
        }
        Outcome::Dropped => {
            tracing::warn!(%request_id, op, queue, region, injected, "connection dropped by a fault rule");
        }
    }
}

/// Logs and counts a request that could not be decoded, and answers its error.
pub(crate) fn rejected(
    state: &AppState,
    operation: &str,
    error: SqsError,
    request_id: &str,
) -> Reply {
    state
        .metrics
        .observe("Undecodable", Duration::ZERO, Some(error.code.query_code()));
    tracing::warn!(%request_id, op = operation, code = error.code.query_code(), error = %error.message, "request rejected");
    Reply::error(error)
}

/// The layers below between the two fault phases; the flag says whether a fault
/// rule shaped the reply.
async fn run(
    state: &AppState,
    ctx: &RequestContext,
    request: Request,
    raw: RawRequest<'_>,
    op: Operation,
    queue: Option<&QueueRef>,
) -> (Reply, bool) {
    let region = queue.map_or(ctx.region.as_str(), |q| q.region.as_str());
    let name = queue.map(|q| q.name.as_str());
    if let Some(injected) = state.faults.before(op.name(), region, name) {
        return (Reply::injected(injected), true);
    }
    if let Err(error) = crate::pipeline::limits::check_memory(state, &request) {
        return (Reply::error(error), false);
    }
    let result = match request {
        // Boxed: a long poll's state is kilobytes, and every request's future
        // would otherwise be as large as the largest arm and copied whole.
        Request::ReceiveMessage(input) => {
            Box::pin(crate::pipeline::long_poll::receive(state, ctx, input, raw)).await
        }
        request => crate::pipeline::durable::apply(state, ctx, request, raw).await,
    };
    let delivered = match &result {
        Ok(Response::ReceiveMessage(out)) => out.messages.len(),
        _ => 0,
    };
    let after = state
        .faults
        .after(op.name(), region, name, result.is_ok(), delivered);
    if let (Some(after_ms), Ok(Response::ReceiveMessage(out)), Some(name)) =
        (after.redeliver_after_ms, &result, name)
        && let Some(q) = state.registry.get(region, name)
    {
        let now = state.clock.now();
        {
            let mut engine = q.lock();
            for m in &out.messages {
                engine.redeliver(&m.receipt_handle, after_ms, now);
            }
        }
        q.arrivals.notify_waiters();
    }
    if after.delay_ms > 0 {
        // Real time on purpose: the point is to make the client's own timeouts fire.
        // Boxed: a timer is large, and only fault rules ever reach this.
        Box::pin(tokio::time::sleep(Duration::from_millis(after.delay_ms))).await;
    }
    match (after.fail, result) {
        (Some(injected), _) => (Reply::injected(injected), true),
        (None, Ok(response)) => (
            Reply::Ok(response),
            after.delay_ms > 0 || after.redeliver_after_ms.is_some(),
        ),
        (None, Err(error)) => (Reply::error(error), after.delay_ms > 0),
    }
}

/// A response whose body fails at once, so the server closes the connection
/// without a complete answer: to the client, the request's fate is unknown.
pub(crate) fn dropped_connection() -> HttpResponse {
    let mut response = HttpResponse::new(Body::new(FailingBody));
    // If the head does get out before the connection closes, it says "retry".
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}

struct FailingBody;

impl HttpBody for FailingBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::other(
            "connection dropped by a fifowin fault rule",
        ))))
    }
}
