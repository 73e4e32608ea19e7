//! Queue lifecycle and settings: CreateQueue (with the queue-count limit and the
//! optional deleted-name cooldown), GetQueueUrl, ListQueues (with paging),
//! DeleteQueue, Get/SetQueueAttributes and PurgeQueue.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fifowin_engine::{Queue, Timestamp};
use fifowin_wire::model::*;
use fifowin_wire::{ErrorCode, SqsError};

use super::convert::sqs_error;
use super::ids::MessageIds;
use super::{RequestContext, Result, queue};
use crate::state::AppState;
use crate::state::registry::Inserted;

pub(super) fn create_queue(
    state: &AppState,
    ctx: &RequestContext,
    i: CreateQueueInput,
    now: Timestamp,
    ids: MessageIds,
) -> Result<QueueUrlOutput> {
    let name = i.queue_name.ok_or_else(|| SqsError::missing("QueueName"))?;
    let region = ctx.region.as_str();
    let url = state.config.queue_url(ctx.host.as_deref(), &name);
    if let Some(existing) = state.registry.get(region, &name) {
        existing
            .lock()
            .check_same_attributes(&i.attributes)
            .map_err(sqs_error)?;
        return Ok(QueueUrlOutput { queue_url: url });
    }
    let settings = state.config.queue_settings(region, &name);
    if state.config.deleted_queue_cooldown {
        state.recently_deleted.check(&settings.arn, now)?;
    }
    check_queue_count(state)?;
    let resolve = |arn: &str| state.registry.kind_of_arn(region, arn);
    let other_region = (region != state.config.region).then_some(region);
    let queue = Queue::create(
        settings,
        &i.attributes,
        &i.tags,
        &resolve,
        ids.for_queue(&name, other_region, now),
        now,
    )
    .map_err(sqs_error)?;
    if let Inserted::Existing(existing) = state.registry.insert(region, queue) {
        // Lost a creation race: answer as if the other request had come first.
        existing
            .lock()
            .check_same_attributes(&i.attributes)
            .map_err(sqs_error)?;
    }
    Ok(QueueUrlOutput { queue_url: url })
}

/// CreateQueue of a new queue: refused once `max_queues` exist.
fn check_queue_count(state: &AppState) -> Result<()> {
    let max = state.config.limits.max_queues;
    if state.registry.len() >= max {
        return Err(SqsError::new(
            ErrorCode::OverLimit,
            format!(
                "This server already has its maximum of {max} queues (fifowin serve --max-queues). Delete a queue first."
            ),
        ));
    }
    Ok(())
}

pub(super) fn get_queue_url(
    state: &AppState,
    ctx: &RequestContext,
    i: GetQueueUrlInput,
) -> Result<QueueUrlOutput> {
    let name = i.queue_name.ok_or_else(|| SqsError::missing("QueueName"))?;
    let q = state
        .registry
        .get(&ctx.region, &name)
        .ok_or_else(SqsError::queue_does_not_exist)?;
    Ok(QueueUrlOutput {
        queue_url: state.config.queue_url(ctx.host.as_deref(), &q.name),
    })
}

pub(super) fn list_queues(
    state: &AppState,
    ctx: &RequestContext,
    i: ListQueuesInput,
) -> Result<ListQueuesOutput> {
    let prefix = i.queue_name_prefix.unwrap_or_default();
    let names: Vec<String> = state
        .registry
        .in_region(&ctx.region)
        .into_iter()
        .map(|q| q.name.clone())
        .filter(|n| n.starts_with(&prefix))
        .collect();
    let (page, next_token) = paginate(names, i.max_results, i.next_token)?;
    Ok(ListQueuesOutput {
        queue_urls: page
            .iter()
            .map(|n| state.config.queue_url(ctx.host.as_deref(), n))
            .collect(),
        next_token,
    })
}

pub(super) fn delete_queue(
    state: &AppState,
    ctx: &RequestContext,
    i: QueueUrlInput,
    now: Timestamp,
) -> Result<Empty> {
    let q = queue(state, ctx, i.queue_url)?;
    state.registry.remove(&q.region, &q.name);
    if state.config.deleted_queue_cooldown {
        state.recently_deleted.record(&q.arn, now);
    }
    Ok(Empty {})
}

pub(super) fn get_attributes(
    state: &AppState,
    ctx: &RequestContext,
    i: GetQueueAttributesInput,
    now: Timestamp,
) -> Result<GetQueueAttributesOutput> {
    let q = queue(state, ctx, i.queue_url)?;
    let attributes = q
        .lock()
        .get_attributes(&i.attribute_names, now)
        .map_err(sqs_error)?;
    Ok(GetQueueAttributesOutput {
        attributes: attributes.into_iter().collect(),
    })
}

pub(super) fn set_attributes(
    state: &AppState,
    ctx: &RequestContext,
    i: SetQueueAttributesInput,
    now: Timestamp,
) -> Result<Empty> {
    let q = queue(state, ctx, i.queue_url)?;
    let attributes = i
        .attributes
        .ok_or_else(|| SqsError::missing("Attributes"))?;
    let resolve = |arn: &str| state.registry.kind_of_arn(&q.region, arn);
    q.lock()
        .set_attributes(&attributes, &resolve, now)
        .map_err(sqs_error)?;
    q.arrivals.notify_waiters();
    Ok(Empty {})
}

pub(super) fn purge(
    state: &AppState,
    ctx: &RequestContext,
    i: QueueUrlInput,
    now: Timestamp,
) -> Result<Empty> {
    let q = queue(state, ctx, i.queue_url)?;
    q.lock().purge(now).map_err(sqs_error)?;
    Ok(Empty {})
}

fn max_results(value: Option<i64>) -> Result<Option<usize>> {
    match value {
        None => Ok(None),
        Some(v @ 1..=1000) => Ok(Some(v as usize)),
        Some(v) => Err(SqsError::new(
            ErrorCode::InvalidParameterValue,
            format!(
                "Value {v} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000."
            ),
        )),
    }
}

/// Pages a sorted list of names: `NextToken` encodes the first name not yet returned.
pub(super) fn paginate(
    names: Vec<String>,
    max: Option<i64>,
    token: Option<String>,
) -> Result<(Vec<String>, Option<String>)> {
    let max = max_results(max)?;
    let start = match token {
        None => 0,
        Some(t) => {
            let bad =
                || SqsError::new(ErrorCode::InvalidParameterValue, "Invalid NextToken value.");
            let decoded = URL_SAFE_NO_PAD.decode(t.as_bytes()).map_err(|_| bad())?;
            let from = String::from_utf8(decoded).map_err(|_| bad())?;
            names.partition_point(|n| *n < from)
        }
    };
    let limit = max.unwrap_or(1000);
    let rest = &names[start.min(names.len())..];
    let page: Vec<String> = rest.iter().take(limit).cloned().collect();
    let next = match (max, rest.get(limit)) {
        (Some(_), Some(next)) => Some(URL_SAFE_NO_PAD.encode(next.as_bytes())),
        _ => None,
    };
    Ok((page, next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fifowin_wire::ErrorCode;

    #[test]
    fn pagination_hands_out_tokens_only_with_max_results() {
        let names: Vec<String> = (0..5).map(|i| format!("q{i}")).collect();
        let (page, next) = paginate(names.clone(), Some(2), None).unwrap();
        assert_eq!(page, ["q0", "q1"]);
        let (page, next) = paginate(names.clone(), Some(2), next).unwrap();
        assert_eq!(page, ["q2", "q3"]);
        let (page, next) = paginate(names.clone(), Some(2), next).unwrap();
        assert_eq!((page, next), (vec!["q4".to_string()], None));
        let (page, next) = paginate(names.clone(), None, None).unwrap();
        assert_eq!((page.len(), next), (5, None));
        assert_eq!(
            paginate(names, Some(0), None).unwrap_err().code,
            ErrorCode::InvalidParameterValue
        );
    }
}
