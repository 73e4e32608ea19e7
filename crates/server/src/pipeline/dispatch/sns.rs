//! One decoded SNS request through the same stages as an SQS one: fault rules
//! before and after it (matching SNS operations by name, and a topic where a
//! rule names a queue), the memory cap for publishes, the durable layer, and
//! the shared metrics and log line.

use std::time::{Duration, Instant};

use fifowin_sns::codec::{Request, Response};
use fifowin_sns::{ErrorCode, SnsError};

use super::{Outcome, finish};
use crate::pipeline::durable::{self, RawRequest};
use crate::pipeline::faults::Injected;
use crate::sqs::RequestContext;
use crate::state::AppState;

/// What to send back for an SNS request.
#[derive(Debug)]
pub(crate) enum SnsReply {
    Ok(Response),
    Err(SnsError),
    /// A fault rule's error or dropped connection.
    Injected(Injected),
}

/// Runs `request` (which came off the wire as `raw`) with fault rules, limits,
/// logging and metrics.
pub(crate) async fn process(
    state: &AppState,
    ctx: &RequestContext,
    request: Request,
    raw: RawRequest<'_>,
    request_id: &str,
) -> SnsReply {
    let started = Instant::now();
    let op = request.operation().name();
    let topic = crate::sns::topic_of(&request);
    let (reply, injected) = run(state, ctx, request, raw, op, topic.as_deref()).await;
    let outcome = match &reply {
        SnsReply::Ok(_) => Outcome::Answered,
        SnsReply::Err(error) => Outcome::Failed {
            code: error.code.code(),
            status: error.code.status(),
            message: &error.message,
        },
        SnsReply::Injected(Injected {
            drop_connection: true,
            ..
        }) => Outcome::Dropped,
        SnsReply::Injected(Injected { error, status, .. }) => Outcome::Failed {
            code: error.code.query_code(),
            status: status.as_u16(),
            message: &error.message,
        },
    };
    finish(
        state,
        request_id,
        op,
        &ctx.region,
        topic.as_deref(),
        started,
        outcome,
        injected,
    );
    reply
}

/// The layers below between the two fault phases; the flag says whether a
/// fault rule shaped the reply.
async fn run(
    state: &AppState,
    ctx: &RequestContext,
    request: Request,
    raw: RawRequest<'_>,
    op: &'static str,
    topic: Option<&str>,
) -> (SnsReply, bool) {
    if let Some(injected) = state.faults.before(op, &ctx.region, topic) {
        return (SnsReply::Injected(injected), true);
    }
    if matches!(
        request,
        Request::Publish { .. } | Request::PublishBatch { .. }
    ) && let Err(error) = crate::pipeline::limits::check_capacity(state)
    {
        // SNS has no OverLimit code; the server's own refusal is a Receiver fault.
        let error = SnsError::new(ErrorCode::InternalError, error.message.into_owned());
        return (SnsReply::Err(error), false);
    }
    let result = durable::apply_sns(state, ctx, request, raw).await;
    let after = state
        .faults
        .after(op, &ctx.region, topic, result.is_ok(), 0);
    if after.delay_ms > 0 {
        // Real time, as for SQS: the point is to make the client's timeouts fire.
        Box::pin(tokio::time::sleep(Duration::from_millis(after.delay_ms))).await;
    }
    match (after.fail, result) {
        (Some(injected), _) => (SnsReply::Injected(injected), true),
        (None, Ok(response)) => (SnsReply::Ok(response), after.delay_ms > 0),
        (None, Err(error)) => (SnsReply::Err(error), after.delay_ms > 0),
    }
}
