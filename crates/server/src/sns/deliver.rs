//! One planned delivery of a publish sent through the queue engine, so the
//! subscribed queue's own rules (its dedup window, its size limit) apply; a
//! delivery the queue cannot take (missing queue, refused message, too many raw
//! attributes) goes to the subscription's redrive DLQ when it has one, with the
//! same body, attributes and ids (sns-spec.md §6).

use std::sync::Arc;

use fifowin_engine::{SendRequest, Timestamp};
use fifowin_sns::Delivery;

use crate::state::AppState;

/// The `SenderId` SQS reports for messages SNS delivered: an AWS SNS principal,
/// not the publisher (sns-spec.md §4.3).
pub(crate) const SNS_SENDER_ID: &str = "AIDAYRRVD2ENU4DSO2WBX";

/// Sends `delivery` at `now`; true when its queue took it (a duplicate inside
/// the queue's window counts: SQS answers it with success, so SNS does too).
pub(super) fn one(state: &AppState, delivery: &Delivery, now: Timestamp) -> bool {
    let failure = match &delivery.refused {
        Some(refusal) => format!("{refusal:?}"),
        None => match send(state, &delivery.queue_arn, delivery, now) {
            Ok(()) => return true,
            Err(problem) => problem,
        },
    };
    let redriven = delivery
        .dead_letter_queue_arn
        .as_deref()
        .map(|dlq| send(state, dlq, delivery, now));
    tracing::warn!(
        subscription = %delivery.subscription_arn,
        queue = %delivery.queue_arn,
        problem = %failure,
        redriven = ?redriven,
        "SNS delivery failed"
    );
    false
}

/// Sends the delivery's message to the queue `queue_arn`.
fn send(
    state: &AppState,
    queue_arn: &str,
    delivery: &Delivery,
    now: Timestamp,
) -> Result<(), String> {
    let queue = state
        .registry
        .get_by_arn(queue_arn)
        .ok_or_else(|| format!("no queue {queue_arn}"))?;
    let request = SendRequest {
        body: delivery.body.clone(),
        delay_seconds: None,
        message_attributes: delivery.message_attributes.clone(),
        system_attributes: Default::default(),
        dedup_id: delivery.message_deduplication_id.clone(),
        group_id: delivery.message_group_id.clone(),
        sender_id: Arc::from(SNS_SENDER_ID),
    };
    let outcome = queue
        .lock()
        .send(request, now)
        .map_err(|err| err.to_string())?;
    if !outcome.duplicate {
        queue.arrivals.notify_waiters();
    }
    Ok(())
}
