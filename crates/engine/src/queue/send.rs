//! SendMessage and SendMessageBatch: validation in AWS's order (sqs-spec.md §3.2,
//! §4.3, §4.4), deduplication through the window, and storage.

use std::num::NonZeroU64;
use std::sync::Arc;

use crate::checksum::{content_dedup_id, hex, md5_of_attributes, md5_raw};
use crate::clock::Timestamp;
use crate::dedup::Check;
use crate::error::EngineError;
use crate::message::MessageAttributes;
use crate::validate;

use super::store::{DedupId, Extras, Message, State};
use super::{BatchEntry, BatchResult, Queue, SendOutcome, SendRequest, secs_to_ms};

const CBD_TEXT: &str = "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly";

/// A send that passed validation, with its checksums.
struct Prepared {
    body: String,
    attributes: MessageAttributes,
    trace_header: Option<String>,
    group: Option<String>,
    /// Explicit or content-based; always set on FIFO queues.
    dedup_id: Option<String>,
    content_dedup: bool,
    delay_ms: u64,
    sender_id: Arc<str>,
    md5_of_body: [u8; 16],
    md5_of_message_attributes: Option<String>,
    md5_of_message_system_attributes: Option<String>,
}

fn not_for_this_queue_type(value: &str, parameter: &str) -> EngineError {
    EngineError::InvalidParameterValue(format!(
        "Value {value} for parameter {parameter} is invalid. Reason: The request include parameter that is not valid for this queue type."
    ))
}

impl Queue {
    /// SendMessage.
    pub fn send(&mut self, req: SendRequest, now: Timestamp) -> Result<SendOutcome, EngineError> {
        let prepared = self.prepare(req, false)?;
        self.advance(now);
        Ok(self.accept(prepared, now))
    }

    /// SendMessageBatch: whole-request errors as `Err`, per-entry errors in the results.
    pub fn send_batch(
        &mut self,
        entries: Vec<BatchEntry<SendRequest>>,
        now: Timestamp,
    ) -> Result<Vec<BatchResult<SendOutcome>>, EngineError> {
        validate::batch_shape(
            "SendMessageBatchRequestEntry",
            entries.iter().map(|e| e.id.as_str()),
        )?;
        let total: usize = entries
            .iter()
            .map(|e| validate::message_size(&e.item.body, &e.item.message_attributes))
            .sum();
        if total > validate::MAX_BATCH_BYTES {
            return Err(EngineError::BatchRequestTooLong(total));
        }
        if self.is_fifo() {
            if entries.iter().any(|e| e.item.group_id.is_none()) {
                return Err(EngineError::InvalidParameterValue(
                    "The request must contain the parameter MessageGroupId.".into(),
                ));
            }
            if !self.attrs.content_based_deduplication
                && entries.iter().any(|e| e.item.dedup_id.is_none())
            {
                return Err(EngineError::InvalidParameterValue(CBD_TEXT.into()));
            }
        }
        self.advance(now);
        // Entries are processed in order, so dedup applies among entries of one batch too.
        Ok(entries
            .into_iter()
            .map(|BatchEntry { id, item }| BatchResult {
                id,
                result: self.prepare(item, true).map(|p| self.accept(p, now)),
            })
            .collect())
    }

    /// Validates one send; `batch` picks the batch-entry wording of the size error.
    fn prepare(&self, req: SendRequest, batch: bool) -> Result<Prepared, EngineError> {
        let fifo = self.is_fifo();
        let delay_ms = if fifo {
            self.check_fifo_send(&req)?;
            secs_to_ms(self.attrs.delay_seconds)
        } else {
            if let Some(dedup) = &req.dedup_id {
                return Err(not_for_this_queue_type(dedup, "MessageDeduplicationId"));
            }
            if let Some(group) = &req.group_id {
                validate::token("MessageGroupId", group)?;
            }
            if req.body.is_empty() {
                return Err(EngineError::MissingParameter("MessageBody".into()));
            }
            let secs = match req.delay_seconds {
                Some(v) => validate::delay_seconds(v)?,
                None => self.attrs.delay_seconds,
            };
            secs_to_ms(secs)
        };
        validate::message_attributes(&req.message_attributes)?;
        let trace_header = validate::system_attributes(&req.system_attributes)?;
        validate::body_chars(&req.body)?;
        validate::size(
            validate::message_size(&req.body, &req.message_attributes),
            self.attrs.maximum_message_size,
            batch,
        )?;
        let content_dedup = fifo && req.dedup_id.is_none();
        let dedup_id = match req.dedup_id {
            Some(id) => Some(id),
            None if fifo => Some(content_dedup_id(&req.body)),
            None => None,
        };
        Ok(Prepared {
            md5_of_body: md5_raw(req.body.as_bytes()),
            content_dedup,
            md5_of_message_attributes: md5_of_attributes(&req.message_attributes),
            md5_of_message_system_attributes: md5_of_attributes(&req.system_attributes),
            body: req.body,
            attributes: req.message_attributes,
            trace_header,
            group: req.group_id,
            dedup_id,
            delay_ms,
            sender_id: req.sender_id,
        })
    }

    /// The FIFO-only rules, in the order AWS applies them.
    fn check_fifo_send(&self, req: &SendRequest) -> Result<(), EngineError> {
        let Some(group) = &req.group_id else {
            return Err(EngineError::MissingParameter("MessageGroupId".into()));
        };
        if req.dedup_id.is_none() && !self.attrs.content_based_deduplication {
            return Err(EngineError::InvalidParameterValue(CBD_TEXT.into()));
        }
        if let Some(delay) = req.delay_seconds.filter(|d| *d != 0) {
            return Err(not_for_this_queue_type(&delay.to_string(), "DelaySeconds"));
        }
        if let Some(dedup) = &req.dedup_id {
            validate::token("MessageDeduplicationId", dedup)?;
        }
        validate::token("MessageGroupId", group)?;
        if req.body.is_empty() {
            return Err(EngineError::MissingParameter("MessageBody".into()));
        }
        Ok(())
    }

    pub(super) fn sequence_number(&self, offset: u64) -> String {
        let sequence = self.sequence_seed + u128::from(offset);
        // Seeds fit in a u64 until 2038, and u64 formats several times faster.
        match u64::try_from(sequence) {
            Ok(small) => small.to_string(),
            Err(_) => sequence.to_string(),
        }
    }

    fn take_sequence(&mut self) -> u64 {
        let s = self.next_sequence;
        self.next_sequence += 1;
        s
    }

    pub(super) fn take_serial(&mut self) -> u64 {
        let s = self.next_serial;
        self.next_serial += 1;
        s
    }

    /// Stores a validated send, or answers it from the dedup window.
    fn accept(&mut self, p: Prepared, now: Timestamp) -> SendOutcome {
        let fifo = self.is_fifo();
        let escape = match (&p.group, &p.dedup_id) {
            (Some(group), Some(dedup_id)) if fifo => match self.dedup.check(group, dedup_id, now) {
                Check::Duplicate {
                    message_id,
                    sequence,
                    first_sent,
                } => {
                    let message_id = message_id.to_string();
                    self.stats.duplicates += 1;
                    self.lags
                        .record(now.as_millis().saturating_sub(first_sent.as_millis()));
                    return SendOutcome {
                        message_id,
                        sequence_number: Some(self.sequence_number(sequence)),
                        md5_of_body: hex(&p.md5_of_body),
                        md5_of_message_attributes: p.md5_of_message_attributes,
                        md5_of_message_system_attributes: p.md5_of_message_system_attributes,
                        duplicate: true,
                        escape: None,
                    };
                }
                Check::New(escape) => {
                    if let Some(e) = &escape {
                        self.lags
                            .record(now.as_millis().saturating_sub(e.first_sent.as_millis()));
                    }
                    escape
                }
            },
            _ => None,
        };
        self.stats.sent += 1;
        let serial = self.take_serial();
        let message_id = self.ids.message_id();
        self.ids_drawn += 1;
        let sequence = fifo.then(|| self.take_sequence());
        let group: Option<Arc<str>> = p.group.as_deref().map(|g| {
            if fifo {
                self.store.groups.intern(g)
            } else {
                Arc::from(g)
            }
        });
        let dedup_key = match (&group, &p.dedup_id, sequence) {
            (Some(group), Some(dedup_id), Some(sequence)) => {
                Some(
                    self.dedup
                        .insert(group, dedup_id, &message_id, sequence, now),
                )
            }
            _ => None,
        };
        let state = if p.delay_ms == 0 {
            State::Visible
        } else {
            State::Delayed(now.plus_ms(p.delay_ms))
        };
        let outcome = SendOutcome {
            message_id: message_id.to_string(),
            sequence_number: sequence.map(|s| self.sequence_number(s)),
            md5_of_body: hex(&p.md5_of_body),
            md5_of_message_attributes: p.md5_of_message_attributes,
            md5_of_message_system_attributes: p.md5_of_message_system_attributes,
            duplicate: false,
            escape,
        };
        if *self.last_sender != *p.sender_id {
            self.last_sender = p.sender_id;
        }
        let extras = p.trace_header.map(|trace| {
            Box::new(Extras {
                trace_header: Some(trace),
                dlq_source_arn: None,
            })
        });
        let dedup_id = match (p.dedup_id, dedup_key) {
            (Some(_), _) if p.content_dedup => DedupId::Content,
            (Some(_), Some(key)) => DedupId::Explicit(key),
            (Some(id), None) => DedupId::Explicit(Arc::from(id)),
            (None, _) => DedupId::None,
        };
        self.store.insert(
            serial,
            Box::new(Message {
                message_id,
                body: p.body.into_boxed_str(),
                md5_of_body: p.md5_of_body,
                attributes: p.attributes,
                sender_id: Arc::clone(&self.last_sender),
                group,
                dedup_id,
                sequence: sequence.and_then(NonZeroU64::new),
                sent_at: now,
                enqueued_at: now,
                receive_count: 0,
                first_receive: None,
                extras,
                state,
                receipt: 0,
                received_at: now,
                visibility_changed: false,
                // Stamped by the store when it becomes visible.
                visible_since: 0,
            }),
        );
        outcome
    }
}
