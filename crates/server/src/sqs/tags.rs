//! TagQueue, UntagQueue and ListQueueTags.

use fifowin_wire::SqsError;
use fifowin_wire::model::*;

use super::convert::sqs_error;
use super::{RequestContext, Result, queue};
use crate::state::AppState;

pub(super) fn tag(state: &AppState, ctx: &RequestContext, i: TagQueueInput) -> Result<Empty> {
    let q = queue(state, ctx, i.queue_url)?;
    let tags = i.tags.ok_or_else(|| SqsError::missing("Tags"))?;
    q.lock().tag(&tags).map_err(sqs_error)?;
    Ok(Empty {})
}

pub(super) fn untag(state: &AppState, ctx: &RequestContext, i: UntagQueueInput) -> Result<Empty> {
    let q = queue(state, ctx, i.queue_url)?;
    let keys = i.tag_keys.ok_or_else(|| SqsError::missing("TagKeys"))?;
    q.lock().untag(&keys).map_err(sqs_error)?;
    Ok(Empty {})
}

pub(super) fn list(
    state: &AppState,
    ctx: &RequestContext,
    i: QueueUrlInput,
) -> Result<ListQueueTagsOutput> {
    let q = queue(state, ctx, i.queue_url)?;
    let tags = q.lock().tags().clone();
    Ok(ListQueueTagsOutput { tags })
}
