//! The SQS service: one decoded request in, one response out, at the `now` and
//! with the message-id source its caller passes (as the engine takes `now`).
//! Queue-level work is delegated to the engine under the queue's lock; the
//! families of operations live in the files below; this module dispatches to
//! them, holds what they share (request context, queue lookup by URL), and the
//! other exhaustive matches over operations the pipeline asks about: which queue
//! a request addresses ([`queue_of`]) and whether it changes state
//! ([`changes_state`]). Engine errors become SQS errors here only (`convert.rs`).

pub(crate) mod address;
pub(crate) mod context;
pub(crate) mod convert;
mod dead_letters;
mod delete;
pub(crate) mod ids;
pub(crate) mod move_tasks;
mod permissions;
pub(crate) mod provision;
mod queues;
pub(crate) mod receive;
pub(crate) mod recently_deleted;
mod send;
mod tags;
mod visibility;

use std::sync::Arc;

use fifowin_engine::{BatchEntry, Timestamp};
use fifowin_wire::{Request, Response, SqsError};

use crate::state::AppState;
use crate::state::registry::QueueHandle;
pub(crate) use context::RequestContext;
use ids::MessageIds;

type Result<T> = std::result::Result<T, SqsError>;

/// Executes one request at `now`, giving a queue it creates message ids from
/// `ids`. A ReceiveMessage is one attempt that does not wait: the long-poll stage
/// of the pipeline repeats attempts ([`receive::attempt`]) while a wait lasts.
pub(crate) fn execute(
    state: &AppState,
    ctx: &RequestContext,
    request: Request,
    now: Timestamp,
    ids: MessageIds,
) -> Result<Response> {
    use Request as R;
    Ok(match request {
        R::CreateQueue(i) => Response::CreateQueue(queues::create_queue(state, ctx, i, now, ids)?),
        R::GetQueueUrl(i) => Response::GetQueueUrl(queues::get_queue_url(state, ctx, i)?),
        R::ListQueues(i) => Response::ListQueues(queues::list_queues(state, ctx, i)?),
        R::DeleteQueue(i) => Response::DeleteQueue(queues::delete_queue(state, ctx, i, now)?),
        R::GetQueueAttributes(i) => {
            Response::GetQueueAttributes(queues::get_attributes(state, ctx, i, now)?)
        }
        R::SetQueueAttributes(i) => {
            Response::SetQueueAttributes(queues::set_attributes(state, ctx, i, now)?)
        }
        R::PurgeQueue(i) => Response::PurgeQueue(queues::purge(state, ctx, i, now)?),
        R::SendMessage(i) => Response::SendMessage(send::one(state, ctx, i, now)?),
        R::SendMessageBatch(i) => Response::SendMessageBatch(send::batch(state, ctx, i, now)?),
        R::ReceiveMessage(i) => {
            let poll = receive::prepare(state, ctx, i)?;
            Response::ReceiveMessage(receive::output(receive::attempt(state, &poll, now)?))
        }
        R::DeleteMessage(i) => Response::DeleteMessage(delete::one(state, ctx, i, now)?),
        R::DeleteMessageBatch(i) => {
            Response::DeleteMessageBatch(delete::batch(state, ctx, i, now)?)
        }
        R::ChangeMessageVisibility(i) => {
            Response::ChangeMessageVisibility(visibility::change(state, ctx, i, now)?)
        }
        R::ChangeMessageVisibilityBatch(i) => {
            Response::ChangeMessageVisibilityBatch(visibility::change_batch(state, ctx, i, now)?)
        }
        R::TagQueue(i) => Response::TagQueue(tags::tag(state, ctx, i)?),
        R::UntagQueue(i) => Response::UntagQueue(tags::untag(state, ctx, i)?),
        R::ListQueueTags(i) => Response::ListQueueTags(tags::list(state, ctx, i)?),
        R::ListDeadLetterSourceQueues(i) => {
            Response::ListDeadLetterSourceQueues(dead_letters::list_sources(state, ctx, i)?)
        }
        R::AddPermission(i) => Response::AddPermission(permissions::add(state, ctx, i, now)?),
        R::RemovePermission(i) => {
            Response::RemovePermission(permissions::remove(state, ctx, i, now)?)
        }
        R::StartMessageMoveTask(i) => {
            Response::StartMessageMoveTask(move_tasks::start(state, i, now)?)
        }
        R::CancelMessageMoveTask(i) => {
            Response::CancelMessageMoveTask(move_tasks::cancel(state, i)?)
        }
        R::ListMessageMoveTasks(i) => Response::ListMessageMoveTasks(move_tasks::list(state, i)?),
    })
}

/// A queue by region and name, as fault rules and logs name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct QueueRef {
    pub region: String,
    pub name: String,
}

/// The queue a request addresses, for fault rules and logs: in the region its
/// queue URL names, or the request's.
pub(crate) fn queue_of(ctx: &RequestContext, request: &Request) -> Option<QueueRef> {
    use Request as R;
    let in_request_region = |name: &Option<String>| {
        name.as_ref().map(|name| QueueRef {
            region: ctx.region.clone(),
            name: name.clone(),
        })
    };
    let url = match request {
        R::CreateQueue(i) => return in_request_region(&i.queue_name),
        R::GetQueueUrl(i) => return in_request_region(&i.queue_name),
        R::DeleteQueue(i) | R::PurgeQueue(i) | R::ListQueueTags(i) => &i.queue_url,
        R::GetQueueAttributes(i) => &i.queue_url,
        R::SetQueueAttributes(i) => &i.queue_url,
        R::SendMessage(i) => &i.queue_url,
        R::SendMessageBatch(i) => &i.queue_url,
        R::ReceiveMessage(i) => &i.queue_url,
        R::DeleteMessage(i) => &i.queue_url,
        R::DeleteMessageBatch(i) => &i.queue_url,
        R::ChangeMessageVisibility(i) => &i.queue_url,
        R::ChangeMessageVisibilityBatch(i) => &i.queue_url,
        R::TagQueue(i) => &i.queue_url,
        R::UntagQueue(i) => &i.queue_url,
        R::ListDeadLetterSourceQueues(i) => &i.queue_url,
        R::AddPermission(i) => &i.queue_url,
        R::RemovePermission(i) => &i.queue_url,
        // Not addressed to one queue by URL: a listing, and move tasks, which
        // name their queues by ARN or by task handle.
        R::ListQueues(_)
        | R::StartMessageMoveTask(_)
        | R::CancelMessageMoveTask(_)
        | R::ListMessageMoveTasks(_) => return None,
    };
    url.as_deref().map(|u| {
        let address = address::parse(u);
        QueueRef {
            region: address.region.unwrap_or(&ctx.region).to_string(),
            name: address.name.to_string(),
        }
    })
}

/// Whether a request can change queue state (durable mode logs those). An
/// exhaustive match: a new operation must say.
pub(crate) fn changes_state(request: &Request) -> bool {
    use Request as R;
    match request {
        R::GetQueueUrl(_)
        | R::ListQueues(_)
        | R::GetQueueAttributes(_)
        | R::ListQueueTags(_)
        | R::ListDeadLetterSourceQueues(_)
        | R::ListMessageMoveTasks(_) => false,
        R::CreateQueue(_)
        | R::DeleteQueue(_)
        | R::SetQueueAttributes(_)
        | R::PurgeQueue(_)
        | R::SendMessage(_)
        | R::SendMessageBatch(_)
        | R::ReceiveMessage(_)
        | R::DeleteMessage(_)
        | R::DeleteMessageBatch(_)
        | R::ChangeMessageVisibility(_)
        | R::ChangeMessageVisibilityBatch(_)
        | R::TagQueue(_)
        | R::UntagQueue(_)
        | R::AddPermission(_)
        | R::RemovePermission(_)
        | R::StartMessageMoveTask(_)
        | R::CancelMessageMoveTask(_) => true,
    }
}

/// The queue a `QueueUrl` names, in the region the URL names or else the
/// request's: missing and unknown URLs are SQS's errors.
fn queue(state: &AppState, ctx: &RequestContext, url: Option<String>) -> Result<Arc<QueueHandle>> {
    let url = url.ok_or_else(|| SqsError::missing("QueueUrl"))?;
    let address = address::parse(&url);
    state
        .registry
        .get(address.region.unwrap_or(&ctx.region), address.name)
        .ok_or_else(SqsError::queue_does_not_exist)
}

/// Whole-request checks shared by the three batch operations happen in the engine;
/// here a missing entry list or entry id is reported the way AWS does.
fn batch_entries<E, T>(
    entries: Option<Vec<E>>,
    mut convert: impl FnMut(E) -> Result<(Option<String>, T)>,
) -> Result<Vec<BatchEntry<T>>> {
    let entries = entries.ok_or_else(|| SqsError::missing("Entries"))?;
    entries
        .into_iter()
        .map(|e| {
            let (id, item) = convert(e)?;
            let id = id.ok_or_else(|| SqsError::missing("Id"))?;
            Ok(BatchEntry { id, item })
        })
        .collect()
}
