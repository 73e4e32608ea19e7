//! The SQS service: one decoded request in, one response out. Queue-level work is
//! delegated to the engine under the queue's lock; this module handles what spans
//! queues (creation, listing, dead-letter moves) and request context.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fifowin_engine::{
    AttributeValue, BatchEntry, DeadLetter, Queue, ReceiveRequest, ReceivedMessage, SendRequest,
    Timestamp,
};
use fifowin_wire::model::*;
use fifowin_wire::{ErrorCode, Request, Response, SqsError};

use crate::AppState;
use crate::convert::{self, sqs_error};
use crate::ids::MessageIds;
use crate::registry::{Inserted, QueueHandle};

/// What the service needs from the HTTP request besides its body.
#[derive(Clone, Debug, Default)]
pub struct RequestContext {
    /// The `Host` header, for queue URLs.
    pub host: Option<String>,
    /// Reported as the `SenderId` system attribute; shared by the request's messages.
    pub sender_id: Arc<str>,
    /// The `X-Amzn-Trace-Id` header, which SendMessage turns into `AWSTraceHeader`.
    pub trace_header: Option<String>,
}

type Result<T> = std::result::Result<T, SqsError>;

/// Executes one request at `now`, giving a queue it creates message ids from
/// `ids`. A ReceiveMessage is one attempt that does not wait: the long-poll stage
/// of the pipeline repeats attempts ([`receive_attempt`]) while a wait lasts.
pub fn execute(
    state: &AppState,
    ctx: &RequestContext,
    request: Request,
    now: Timestamp,
    ids: MessageIds,
) -> Result<Response> {
    use Request as R;
    Ok(match request {
        R::CreateQueue(i) => Response::CreateQueue(create_queue(state, ctx, i, now, ids)?),
        R::GetQueueUrl(i) => Response::GetQueueUrl(get_queue_url(state, ctx, i)?),
        R::ListQueues(i) => Response::ListQueues(list_queues(state, ctx, i)?),
        R::DeleteQueue(i) => {
            let q = queue(state, i.queue_url)?;
            state.registry.remove(&q.name);
            if state.config.deleted_queue_cooldown {
                state.recently_deleted.record(&q.name, now);
            }
            Response::DeleteQueue(Empty {})
        }
        R::GetQueueAttributes(i) => {
            let q = queue(state, i.queue_url)?;
            let attributes = q
                .lock()
                .get_attributes(&i.attribute_names, now)
                .map_err(sqs_error)?;
            Response::GetQueueAttributes(GetQueueAttributesOutput {
                attributes: attributes.into_iter().collect(),
            })
        }
        R::SetQueueAttributes(i) => {
            let q = queue(state, i.queue_url)?;
            let attributes = i
                .attributes
                .ok_or_else(|| SqsError::missing("Attributes"))?;
            let resolve = |arn: &str| state.registry.kind_of_arn(arn);
            q.lock()
                .set_attributes(&attributes, &resolve, now)
                .map_err(sqs_error)?;
            q.arrivals.notify_waiters();
            Response::SetQueueAttributes(Empty {})
        }
        R::PurgeQueue(i) => {
            let q = queue(state, i.queue_url)?;
            q.lock().purge(now).map_err(sqs_error)?;
            Response::PurgeQueue(Empty {})
        }
        R::SendMessage(i) => Response::SendMessage(send_message(state, ctx, i, now)?),
        R::SendMessageBatch(i) => Response::SendMessageBatch(send_batch(state, ctx, i, now)?),
        R::ReceiveMessage(i) => {
            let poll = prepare_receive(state, i)?;
            Response::ReceiveMessage(receive_output(receive_attempt(state, &poll, now)?))
        }
        R::DeleteMessage(i) => {
            let q = queue(state, i.queue_url)?;
            let handle = i
                .receipt_handle
                .ok_or_else(|| SqsError::missing("ReceiptHandle"))?;
            q.lock().delete(&handle, now).map_err(sqs_error)?;
            // Deleting a FIFO group's head unblocks the rest of the group.
            q.arrivals.notify_waiters();
            Response::DeleteMessage(Empty {})
        }
        R::DeleteMessageBatch(i) => {
            let q = queue(state, i.queue_url)?;
            let entries = batch_entries(i.entries, |e| {
                let handle = e
                    .receipt_handle
                    .ok_or_else(|| SqsError::missing("ReceiptHandle"))?;
                Ok((e.id, handle))
            })?;
            let results = q.lock().delete_batch(entries, now).map_err(sqs_error)?;
            q.arrivals.notify_waiters();
            Response::DeleteMessageBatch(convert::batch_ids(results))
        }
        R::ChangeMessageVisibility(i) => {
            let q = queue(state, i.queue_url)?;
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
            Response::ChangeMessageVisibility(Empty {})
        }
        R::ChangeMessageVisibilityBatch(i) => {
            let q = queue(state, i.queue_url)?;
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
            Response::ChangeMessageVisibilityBatch(convert::batch_ids(results))
        }
        R::TagQueue(i) => {
            let q = queue(state, i.queue_url)?;
            let tags = i.tags.ok_or_else(|| SqsError::missing("Tags"))?;
            q.lock().tag(&tags).map_err(sqs_error)?;
            Response::TagQueue(Empty {})
        }
        R::UntagQueue(i) => {
            let q = queue(state, i.queue_url)?;
            let keys = i.tag_keys.ok_or_else(|| SqsError::missing("TagKeys"))?;
            q.lock().untag(&keys).map_err(sqs_error)?;
            Response::UntagQueue(Empty {})
        }
        R::ListQueueTags(i) => {
            let q = queue(state, i.queue_url)?;
            let tags = q.lock().tags().clone();
            Response::ListQueueTags(ListQueueTagsOutput { tags })
        }
        R::ListDeadLetterSourceQueues(i) => {
            Response::ListDeadLetterSourceQueues(dead_letter_sources(state, ctx, i)?)
        }
        R::AddPermission(i) => {
            let q = queue(state, i.queue_url)?;
            let label = i.label.ok_or_else(|| SqsError::missing("Label"))?;
            let accounts = i.aws_account_ids.unwrap_or_default();
            let actions = i.actions.unwrap_or_default();
            q.lock()
                .add_permission(&label, &accounts, &actions, now)
                .map_err(sqs_error)?;
            Response::AddPermission(Empty {})
        }
        R::RemovePermission(i) => {
            let q = queue(state, i.queue_url)?;
            let label = i.label.ok_or_else(|| SqsError::missing("Label"))?;
            q.lock().remove_permission(&label, now).map_err(sqs_error)?;
            Response::RemovePermission(Empty {})
        }
        R::StartMessageMoveTask(i) => {
            Response::StartMessageMoveTask(crate::move_tasks::start(state, i, now)?)
        }
        R::CancelMessageMoveTask(i) => {
            Response::CancelMessageMoveTask(crate::move_tasks::cancel(state, i)?)
        }
        R::ListMessageMoveTasks(i) => {
            Response::ListMessageMoveTasks(crate::move_tasks::list(state, i)?)
        }
    })
}

/// The queue named by a `QueueUrl` value: its last path segment, so any host,
/// scheme or path layout (and a bare name) resolves.
pub fn queue_name_from_url(url: &str) -> &str {
    // Byte searches (memchr, short loops): this runs on every request, twice, and
    // the generic `&str`-pattern searchers cost more than the rest of the lookup.
    let bytes = url.as_bytes();
    let path = match bytes.windows(3).position(|w| w == b"://") {
        Some(i) => memchr_from(bytes, i + 3, b'/').map_or("", |j| &url[j..]),
        None => url,
    };
    let end = path
        .bytes()
        .position(|b| b == b'?' || b == b'#')
        .unwrap_or(path.len());
    let path = path[..end].trim_end_matches('/');
    path.rfind('/').map_or(path, |i| &path[i + 1..])
}

/// The index of the first `byte` at or after `from`.
fn memchr_from(bytes: &[u8], from: usize, byte: u8) -> Option<usize> {
    bytes[from..]
        .iter()
        .position(|&b| b == byte)
        .map(|i| from + i)
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

fn queue(state: &AppState, url: Option<String>) -> Result<Arc<QueueHandle>> {
    let url = url.ok_or_else(|| SqsError::missing("QueueUrl"))?;
    state
        .registry
        .get(queue_name_from_url(&url))
        .ok_or_else(SqsError::queue_does_not_exist)
}

fn create_queue(
    state: &AppState,
    ctx: &RequestContext,
    i: CreateQueueInput,
    now: Timestamp,
    ids: MessageIds,
) -> Result<QueueUrlOutput> {
    let name = i.queue_name.ok_or_else(|| SqsError::missing("QueueName"))?;
    let url = state.config.queue_url(ctx.host.as_deref(), &name);
    if let Some(existing) = state.registry.get(&name) {
        existing
            .lock()
            .check_same_attributes(&i.attributes)
            .map_err(sqs_error)?;
        return Ok(QueueUrlOutput { queue_url: url });
    }
    if state.config.deleted_queue_cooldown {
        state.recently_deleted.check(&name, now)?;
    }
    check_queue_count(state)?;
    let settings = state.config.queue_settings(&name);
    let resolve = |arn: &str| state.registry.kind_of_arn(arn);
    let queue = Queue::create(
        settings,
        &i.attributes,
        &i.tags,
        &resolve,
        ids.for_queue(&name, now),
        now,
    )
    .map_err(sqs_error)?;
    if let Inserted::Existing(existing) = state.registry.insert(queue) {
        // Lost a creation race: answer as if the other request had come first.
        existing
            .lock()
            .check_same_attributes(&i.attributes)
            .map_err(sqs_error)?;
    }
    Ok(QueueUrlOutput { queue_url: url })
}

fn get_queue_url(
    state: &AppState,
    ctx: &RequestContext,
    i: GetQueueUrlInput,
) -> Result<QueueUrlOutput> {
    let name = i.queue_name.ok_or_else(|| SqsError::missing("QueueName"))?;
    let q = state
        .registry
        .get(&name)
        .ok_or_else(SqsError::queue_does_not_exist)?;
    Ok(QueueUrlOutput {
        queue_url: state.config.queue_url(ctx.host.as_deref(), &q.name),
    })
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
fn paginate(
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

fn list_queues(
    state: &AppState,
    ctx: &RequestContext,
    i: ListQueuesInput,
) -> Result<ListQueuesOutput> {
    let prefix = i.queue_name_prefix.unwrap_or_default();
    let names: Vec<String> = state
        .registry
        .all()
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

fn dead_letter_sources(
    state: &AppState,
    ctx: &RequestContext,
    i: ListDeadLetterSourceQueuesInput,
) -> Result<ListDeadLetterSourceQueuesOutput> {
    let dlq = queue(state, i.queue_url)?;
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

/// Builds a SendRequest, adding the trace header as `AWSTraceHeader` when the
/// request carried `X-Amzn-Trace-Id` and no explicit system attribute.
fn send_request(
    ctx: &RequestContext,
    body: Option<String>,
    delay_seconds: Option<i64>,
    attributes: MessageAttributeMap,
    system_attributes: MessageAttributeMap,
    dedup_id: Option<String>,
    group_id: Option<String>,
) -> SendRequest {
    let mut system_attributes = convert::attributes_in(system_attributes);
    if let Some(trace) = &ctx.trace_header {
        system_attributes
            .entry("AWSTraceHeader".to_string())
            .or_insert_with(|| AttributeValue {
                data_type: "String".into(),
                string_value: Some(trace.clone()),
                ..Default::default()
            });
    }
    SendRequest {
        body: body.unwrap_or_default(),
        delay_seconds,
        message_attributes: convert::attributes_in(attributes),
        system_attributes,
        dedup_id,
        group_id,
        sender_id: ctx.sender_id.clone(),
    }
}

fn send_message(
    state: &AppState,
    ctx: &RequestContext,
    i: SendMessageInput,
    now: Timestamp,
) -> Result<SendMessageOutput> {
    let q = queue(state, i.queue_url)?;
    if i.message_body.is_none() {
        return Err(SqsError::missing("MessageBody"));
    }
    let req = send_request(
        ctx,
        i.message_body,
        i.delay_seconds,
        i.message_attributes,
        i.message_system_attributes,
        i.message_deduplication_id,
        i.message_group_id,
    );
    let out = q.lock().send(req, now).map_err(sqs_error)?;
    if !out.duplicate {
        q.arrivals.notify_waiters();
    }
    Ok(convert::send_output(out))
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

fn send_batch(
    state: &AppState,
    ctx: &RequestContext,
    i: SendMessageBatchInput,
    now: Timestamp,
) -> Result<SendMessageBatchOutput> {
    let q = queue(state, i.queue_url)?;
    let entries = batch_entries(i.entries, |e| {
        let req = send_request(
            ctx,
            e.message_body,
            e.delay_seconds,
            e.message_attributes,
            e.message_system_attributes,
            e.message_deduplication_id,
            e.message_group_id,
        );
        Ok((e.id, req))
    })?;
    let results = q.lock().send_batch(entries, now).map_err(sqs_error)?;
    let mut out = SendMessageBatchOutput::default();
    for r in results {
        match r.result {
            Ok(sent) => out.successful.push(SendMessageBatchResultEntry {
                id: r.id,
                result: convert::send_output(sent),
            }),
            Err(err) => out.failed.push(convert::batch_error(r.id, err)),
        }
    }
    q.arrivals.notify_waiters();
    Ok(out)
}

/// A ReceiveMessage with its queue found and its wait validated, ready for
/// one or more attempts.
pub(crate) struct PreparedReceive {
    pub queue: Arc<QueueHandle>,
    pub request: ReceiveRequest,
    /// How long the caller may wait for messages (the request's or the queue's).
    pub wait_secs: u64,
}

/// Finds the queue and checks the wait; the engine checks the rest at the first attempt.
pub(crate) fn prepare_receive(state: &AppState, i: ReceiveMessageInput) -> Result<PreparedReceive> {
    let queue = queue(state, i.queue_url)?;
    let mut system_attribute_names = i.attribute_names;
    system_attribute_names.extend(i.message_system_attribute_names);
    let request = ReceiveRequest {
        max_number_of_messages: i.max_number_of_messages,
        visibility_timeout: i.visibility_timeout,
        attempt_id: i.receive_request_attempt_id,
        system_attribute_names,
        message_attribute_names: i.message_attribute_names,
    };
    let wait_secs = queue
        .lock()
        .wait_time_seconds(i.wait_time_seconds)
        .map_err(sqs_error)?;
    Ok(PreparedReceive {
        queue,
        request,
        wait_secs,
    })
}

/// One receive at `now`, without waiting; dead letters it produced are moved
/// into their queues.
pub(crate) fn receive_attempt(
    state: &AppState,
    poll: &PreparedReceive,
    now: Timestamp,
) -> Result<Vec<ReceivedMessage>> {
    let outcome = poll
        .queue
        .lock()
        .receive(&poll.request, now)
        .map_err(sqs_error)?;
    deliver_dead_letters(state, &poll.queue.arn, outcome.dead_letters, now);
    Ok(outcome.messages)
}

/// The wire answer of a receive.
pub(crate) fn receive_output(messages: Vec<ReceivedMessage>) -> ReceiveMessageOutput {
    ReceiveMessageOutput {
        messages: messages.into_iter().map(convert::message_out).collect(),
    }
}

/// Moves dead letters into their queues, one lock at a time. A letter whose DLQ no
/// longer exists is dropped, as SQS drops it.
fn deliver_dead_letters(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_names_resolve_from_any_url_shape() {
        assert_eq!(
            queue_name_from_url("http://localhost:9324/000000000000/q1"),
            "q1"
        );
        assert_eq!(
            queue_name_from_url("https://sqs.us-east-1.amazonaws.com/1/q.fifo"),
            "q.fifo"
        );
        assert_eq!(
            queue_name_from_url("http://h:1/queue/us-east-1/000000000000/q"),
            "q"
        );
        assert_eq!(queue_name_from_url("bare-name"), "bare-name");
        assert_eq!(queue_name_from_url("http://localhost:9324"), "");
    }

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
