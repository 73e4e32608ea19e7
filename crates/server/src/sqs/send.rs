//! SendMessage and SendMessageBatch: wire inputs to the engine's `SendRequest`
//! (with the trace header as `AWSTraceHeader`), and a wake-up for long polls.

use fifowin_engine::{AttributeValue, SendRequest, Timestamp};
use fifowin_wire::SqsError;
use fifowin_wire::model::*;

use super::convert::{self, sqs_error};
use super::{RequestContext, Result, batch_entries, queue};
use crate::state::AppState;

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

pub(super) fn one(
    state: &AppState,
    ctx: &RequestContext,
    i: SendMessageInput,
    now: Timestamp,
) -> Result<SendMessageOutput> {
    let q = queue(state, ctx, i.queue_url)?;
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

pub(super) fn batch(
    state: &AppState,
    ctx: &RequestContext,
    i: SendMessageBatchInput,
    now: Timestamp,
) -> Result<SendMessageBatchOutput> {
    let q = queue(state, ctx, i.queue_url)?;
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
