//! AddPermission and RemovePermission: edits of the queue's `Policy` attribute,
//! which the engine keeps, so Get/SetQueueAttributes see the same document.

use fifowin_engine::Timestamp;
use fifowin_wire::SqsError;
use fifowin_wire::model::*;

use super::convert::sqs_error;
use super::{RequestContext, Result, queue};
use crate::state::AppState;

pub(super) fn add(
    state: &AppState,
    ctx: &RequestContext,
    i: AddPermissionInput,
    now: Timestamp,
) -> Result<Empty> {
    let q = queue(state, ctx, i.queue_url)?;
    let label = i.label.ok_or_else(|| SqsError::missing("Label"))?;
    let accounts = i.aws_account_ids.unwrap_or_default();
    let actions = i.actions.unwrap_or_default();
    q.lock()
        .add_permission(&label, &accounts, &actions, now)
        .map_err(sqs_error)?;
    Ok(Empty {})
}

pub(super) fn remove(
    state: &AppState,
    ctx: &RequestContext,
    i: RemovePermissionInput,
    now: Timestamp,
) -> Result<Empty> {
    let q = queue(state, ctx, i.queue_url)?;
    let label = i.label.ok_or_else(|| SqsError::missing("Label"))?;
    q.lock().remove_permission(&label, now).map_err(sqs_error)?;
    Ok(Empty {})
}
