//! Durable mode (`fifowin serve --data-dir DIR`): every state-changing SQS or SNS request
//! is appended to a command log (`fifowin-store`'s segment files) and answered only once its
//! record is written and fsynced; at start-up the log is replayed through the
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
//! are not logged.
//!
//! State changes that are not SQS requests (the control API's clock advance and
//! resets, fault-rule redeliveries, the config file's queues and topics, move-task steps)
//! go through [`act`] as [`Action`]s: the same lock, one `now`, one record.
//!
//! Snapshots (`snapshot`, `image`) bound the log: the state at a point of the
//! log replaces the records before it.

pub(crate) mod image;
pub(crate) mod log;
pub(crate) mod replay;
pub(crate) mod snapshot;

#[cfg(test)]
mod restart_tests;

use fifowin_engine::{Clock, ReceivedMessage, Timestamp};
use fifowin_store::StoreError;
use fifowin_wire::{ErrorCode, Request, Response, SqsError};

use crate::pipeline::move_runner;
use crate::sqs::actions::{self, Acted, Action, ActionError};
use crate::sqs::ids::MessageIds;
use crate::sqs::receive::{self, PreparedReceive};
use crate::sqs::{self, RequestContext};
use crate::state::AppState;
pub(crate) use log::RawRequest;
use log::{Durable, Prepared, action_record, prepare};

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
    let starts_task = matches!(request, Request::StartMessageMoveTask(_));
    let result = match state.durable.as_deref() {
        None => sqs::execute(state, ctx, request, state.clock.now(), MessageIds::Random),
        // Boxed, so the in-memory path's future (every request's) does not carry
        // the larger state of durable mode's ordering.
        Some(durable) => Box::pin(apply_logged(state, durable, ctx, request, raw)).await,
    };
    if starts_task && result.is_ok() {
        move_runner::spawn_unclaimed(state);
    }
    result
}

/// Applies one action: in memory at the clock's time; in durable mode in log
/// order, at one instant, answered once its record (if it changed anything) is
/// committed.
pub(crate) async fn act(state: &AppState, action: Action) -> Result<Acted, ActionError> {
    let Some(durable) = state.durable.as_deref() else {
        return actions::apply(state, &action, state.clock.now(), MessageIds::Random);
    };
    let ids = MessageIds::Derived { seed: durable.seed };
    let guard = durable.ordered();
    let now = state.clock.now();
    let result = actions::apply(state, &action, now, ids);
    let append = match &result {
        Ok(acted) if acted.changed_state() => Some(durable.log.append(action_record(now, &action))),
        _ => None,
    };
    drop(guard);
    snapshot::maybe_start(state, durable);
    if let Some(append) = append {
        append.await.map_err(|err| {
            tracing::error!("durable mode: {err}");
            ActionError::NotDurable
        })?;
    }
    result
}

async fn apply_logged(
    state: &AppState,
    durable: &Durable,
    ctx: &RequestContext,
    request: Request,
    raw: RawRequest<'_>,
) -> Result<Response, SqsError> {
    let ids = MessageIds::Derived { seed: durable.seed };
    if !sqs::changes_state(&request) {
        return sqs::execute(state, ctx, request, state.clock.now(), ids);
    }
    // Encoded before the lock: under it, only the time is written in.
    let prepared = prepare(ctx, raw);
    let guard = durable.ordered();
    let now = state.clock.now();
    let result = sqs::execute(state, ctx, request, now, ids);
    let append = append(durable, &result, now, prepared);
    drop(guard);
    snapshot::maybe_start(state, durable);
    if let Some(append) = append {
        append.await.map_err(internal)?;
    }
    result
}

/// Queues the record of a request that succeeded (call with `order` held); the
/// returned future resolves when it is committed.
fn append<T, E>(
    durable: &Durable,
    result: &Result<T, E>,
    now: Timestamp,
    prepared: Prepared,
) -> Option<impl std::future::Future<Output = Result<u64, StoreError>> + use<T, E>> {
    result
        .is_ok()
        .then(|| durable.log.append(prepared.stamped(now)))
}

/// Applies one SNS request as [`apply`] does an SQS one: logged in durable mode
/// when it changes state (a publish's deliveries to queues happen inside it, so
/// its replay delivers the same messages with the same ids).
pub(crate) async fn apply_sns(
    state: &AppState,
    ctx: &RequestContext,
    request: fifowin_sns::codec::Request,
    raw: RawRequest<'_>,
) -> Result<fifowin_sns::codec::Response, fifowin_sns::SnsError> {
    let Some(durable) = state.durable.as_deref() else {
        return crate::sns::execute(state, ctx, &request, state.clock.now(), MessageIds::Random);
    };
    let ids = MessageIds::Derived { seed: durable.seed };
    if !crate::sns::changes_state(&request) {
        return crate::sns::execute(state, ctx, &request, state.clock.now(), ids);
    }
    let prepared = prepare(ctx, raw);
    let guard = durable.ordered();
    let now = state.clock.now();
    let result = crate::sns::execute(state, ctx, &request, now, ids);
    let append = append(durable, &result, now, prepared);
    drop(guard);
    snapshot::maybe_start(state, durable);
    if let Some(append) = append {
        append.await.map_err(|err| {
            let err = internal(err);
            fifowin_sns::SnsError::new(fifowin_sns::ErrorCode::InternalError, err.message)
        })?;
    }
    result
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
        let messages = receive::attempt(state, poll, now)?;
        return Ok(Attempt::Received { messages, now });
    };
    let prepared = prepare(ctx, raw);
    let guard = durable.ordered();
    let idle = !first
        && poll.request.attempt_id.is_none()
        && poll.queue.lock().counts(state.clock.now()).visible == 0;
    if idle {
        return Ok(Attempt::Skipped);
    }
    let now = state.clock.now();
    let result = receive::attempt(state, poll, now);
    let append = append(durable, &result, now, prepared);
    drop(guard);
    snapshot::maybe_start(state, durable);
    let messages = result?;
    if !messages.is_empty()
        && let Some(append) = append
    {
        append.await.map_err(internal)?;
    }
    // An empty attempt's record is queued already; its commit need not be awaited.
    Ok(Attempt::Received { messages, now })
}
