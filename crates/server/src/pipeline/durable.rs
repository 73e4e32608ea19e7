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
use fifowin_store::{Append, StoreError};
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
    let (result, append) = in_order(
        state,
        durable,
        |now| actions::apply(state, &action, now, ids),
        |now, result| match result {
            Ok(acted) if acted.changed_state() => Some(action_record(now, &action)),
            _ => None,
        },
    );
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
    let (result, append) = in_order(
        state,
        durable,
        |now| sqs::execute(state, ctx, request, now, ids),
        logged_if_ok(prepared),
    );
    if let Some(append) = append {
        append.await.map_err(internal)?;
    }
    result
}

/// What every state change in durable mode does under the order lock: read
/// `now` once, make the change at that instant and queue the record `record`
/// makes of its result (none: nothing to log); then, with the lock released,
/// start a snapshot if one is due. The append resolves once the record is
/// committed.
fn in_order<T, E>(
    state: &AppState,
    durable: &Durable,
    change: impl FnOnce(Timestamp) -> Result<T, E>,
    record: impl FnOnce(Timestamp, &Result<T, E>) -> Option<Vec<u8>>,
) -> (Result<T, E>, Option<Append>) {
    let guard = durable.ordered();
    let now = state.clock.now();
    let result = change(now);
    let append = record(now, &result).map(|bytes| durable.log.append(bytes));
    drop(guard);
    snapshot::maybe_start(state, durable);
    (result, append)
}

/// The record of a request, logged when it succeeded (a failed request
/// changes nothing).
fn logged_if_ok<T, E>(
    prepared: Prepared,
) -> impl FnOnce(Timestamp, &Result<T, E>) -> Option<Vec<u8>> {
    move |now, result| result.is_ok().then(|| prepared.stamped(now))
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
    let (result, append) = in_order(
        state,
        durable,
        |now| crate::sns::execute(state, ctx, &request, now, ids),
        logged_if_ok(prepared),
    );
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
    // `None`: skipped, so nothing is logged.
    let (result, append) = in_order(
        state,
        durable,
        |now| {
            let idle = !first
                && poll.request.attempt_id.is_none()
                && poll.queue.lock().counts(now).visible == 0;
            if idle {
                return Ok(None);
            }
            receive::attempt(state, poll, now).map(|messages| Some((messages, now)))
        },
        |now, result| matches!(result, Ok(Some(_))).then(|| prepared.stamped(now)),
    );
    let Some((messages, now)) = result? else {
        return Ok(Attempt::Skipped);
    };
    if !messages.is_empty()
        && let Some(append) = append
    {
        append.await.map_err(internal)?;
    }
    // An empty attempt's record is queued already; its commit need not be awaited.
    Ok(Attempt::Received { messages, now })
}
