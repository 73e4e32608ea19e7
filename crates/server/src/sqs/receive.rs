//! ReceiveMessage as the service runs it: a prepared request (queue found, wait
//! checked) and single attempts that never wait; the pipeline's long-poll stage
//! repeats attempts while a wait lasts.

use std::sync::Arc;

use fifowin_engine::{ReceiveRequest, ReceivedMessage, Timestamp};
use fifowin_wire::model::{ReceiveMessageInput, ReceiveMessageOutput};

use super::convert::{self, sqs_error};
use super::{RequestContext, Result, dead_letters, queue};
use crate::state::AppState;
use crate::state::registry::QueueHandle;

/// A ReceiveMessage with its queue found and its wait validated, ready for
/// one or more attempts.
pub(crate) struct PreparedReceive {
    pub queue: Arc<QueueHandle>,
    pub request: ReceiveRequest,
    /// How long the caller may wait for messages (the request's or the queue's).
    pub wait_secs: u64,
}

/// Finds the queue and checks the wait; the engine checks the rest at the first attempt.
pub(crate) fn prepare(
    state: &AppState,
    ctx: &RequestContext,
    i: ReceiveMessageInput,
) -> Result<PreparedReceive> {
    let queue = queue(state, ctx, i.queue_url)?;
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
pub(crate) fn attempt(
    state: &AppState,
    poll: &PreparedReceive,
    now: Timestamp,
) -> Result<Vec<ReceivedMessage>> {
    let outcome = poll
        .queue
        .lock()
        .receive(&poll.request, now)
        .map_err(sqs_error)?;
    dead_letters::deliver(state, &poll.queue.arn, outcome.dead_letters, now);
    Ok(outcome.messages)
}

/// The wire answer of a receive.
pub(crate) fn output(messages: Vec<ReceivedMessage>) -> ReceiveMessageOutput {
    ReceiveMessageOutput {
        messages: messages.into_iter().map(convert::message_out).collect(),
    }
}
