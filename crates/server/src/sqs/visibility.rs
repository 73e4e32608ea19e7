//! ChangeMessageVisibility and its batch form. A message made visible again can
//! be received at once, so long polls are woken.

use fifowin_engine::Timestamp;
use fifowin_wire::SqsError;
use fifowin_wire::model::*;

use super::convert::{self, sqs_error};
use super::{RequestContext, Result, batch_entries, queue};
use crate::state::AppState;

pub(super) fn change(
    state: &AppState,
    ctx: &RequestContext,
    i: ChangeMessageVisibilityInput,
    now: Timestamp,
) -> Result<Empty> {
    let q = queue(state, ctx, i.queue_url)?;
    let handle = i
        .receipt_handle
        .ok_or_else(|| SqsError::missing("ReceiptHandle"))?;
    let timeout = i
        .visibility_timeout
        .ok_or_else(|| SqsError::missing("VisibilityTimeout"))?;
    q.lock()
        .change_visibility(&handle, timeout, now)
        .map_err(sqs_error)?;
    q.arrivals.notify_waiters();
    Ok(Empty {})
}

pub(super) fn change_batch(
    state: &AppState,
    ctx: &RequestContext,
    i: ChangeMessageVisibilityBatchInput,
    now: Timestamp,
) -> Result<BatchIdsOutput> {
    let q = queue(state, ctx, i.queue_url)?;
    let entries = batch_entries(i.entries, |e| {
        let handle = e
            .receipt_handle
            .ok_or_else(|| SqsError::missing("ReceiptHandle"))?;
        let timeout = e
            .visibility_timeout
            .ok_or_else(|| SqsError::missing("VisibilityTimeout"))?;
        Ok((e.id, (handle, timeout)))
    })?;
    let results = q
        .lock()
        .change_visibility_batch(entries, now)
        .map_err(sqs_error)?;
    q.arrivals.notify_waiters();
    Ok(convert::batch_ids(results))
}
