//! DeleteMessage and DeleteMessageBatch. Deleting a FIFO group's head unblocks
//! the rest of the group, so long polls are woken.

use fifowin_engine::Timestamp;
use fifowin_wire::SqsError;
use fifowin_wire::model::*;

use super::convert::{self, sqs_error};
use super::{RequestContext, Result, batch_entries, queue};
use crate::state::AppState;

pub(super) fn one(
    state: &AppState,
    ctx: &RequestContext,
    i: DeleteMessageInput,
    now: Timestamp,
) -> Result<Empty> {
    let q = queue(state, ctx, i.queue_url)?;
    let handle = i
        .receipt_handle
        .ok_or_else(|| SqsError::missing("ReceiptHandle"))?;
    q.lock().delete(&handle, now).map_err(sqs_error)?;
    q.arrivals.notify_waiters();
    Ok(Empty {})
}

pub(super) fn batch(
    state: &AppState,
    ctx: &RequestContext,
    i: DeleteMessageBatchInput,
    now: Timestamp,
) -> Result<BatchIdsOutput> {
    let q = queue(state, ctx, i.queue_url)?;
    let entries = batch_entries(i.entries, |e| {
        let handle = e
            .receipt_handle
            .ok_or_else(|| SqsError::missing("ReceiptHandle"))?;
        Ok((e.id, handle))
    })?;
    let results = q.lock().delete_batch(entries, now).map_err(sqs_error)?;
    q.arrivals.notify_waiters();
    Ok(convert::batch_ids(results))
}
