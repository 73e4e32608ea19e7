//! Dead-letter queues from the service's side: moving the letters a receive
//! produced into their queues, and ListDeadLetterSourceQueues. (RedrivePolicy
//! validation is the engine's; redrive back out is `move_tasks`.)

use fifowin_engine::{DeadLetter, Timestamp};
use fifowin_wire::model::*;

use super::queues::paginate;
use super::{RequestContext, Result, queue};
use crate::state::AppState;

/// Moves dead letters into their queues, one lock at a time. A letter whose DLQ no
/// longer exists is dropped, as SQS drops it.
pub(super) fn deliver(
    state: &AppState,
    source_arn: &str,
    letters: Vec<DeadLetter>,
    now: Timestamp,
) {
    for letter in letters {
        if let Some(dlq) = state.registry.get_by_arn(&letter.target_arn) {
            dlq.lock().accept_dead_letter(letter, source_arn, now);
            dlq.arrivals.notify_waiters();
        } else {
            tracing::warn!(target_arn = %letter.target_arn, "dead-letter queue is gone; message dropped");
        }
    }
}

pub(super) fn list_sources(
    state: &AppState,
    ctx: &RequestContext,
    i: ListDeadLetterSourceQueuesInput,
) -> Result<ListDeadLetterSourceQueuesOutput> {
    let dlq = queue(state, ctx, i.queue_url)?;
    let names: Vec<String> = state
        .registry
        .all()
        .into_iter()
        .filter(|q| q.lock().dead_letter_target_arn() == Some(dlq.arn.as_str()))
        .map(|q| q.name.clone())
        .collect();
    let (page, next_token) = paginate(names, i.max_results, i.next_token)?;
    Ok(ListDeadLetterSourceQueuesOutput {
        queue_urls: page
            .iter()
            .map(|n| state.config.queue_url(ctx.host.as_deref(), n))
            .collect(),
        next_token,
    })
}
