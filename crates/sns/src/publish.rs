//! Publish and PublishBatch: the FIFO checks, the topic window, filter policies,
//! and the delivery plan the server applies through the queue engine
//! (sns-spec.md §2.4, §3, §4, §3.5).

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fifowin_engine::checksum::content_dedup_id;
use fifowin_engine::validate;
use fifowin_engine::{EscapeRecord, IdSource, MessageAttributes, Timestamp};
use sha2::{Digest, Sha256};

use crate::arn;
use crate::envelope::{Envelope, SignatureFields};
use crate::error::{ErrorCode, SnsError};
use crate::filter::{FilterInput, FilterScope};
use crate::message::{self, Checked, MAX_MESSAGE_BYTES, PublishFields};
use crate::topic::{ThroughputScope, Topic};
use crate::window::WindowOutcome;

/// Most entries in one PublishBatch.
pub const MAX_BATCH_ENTRIES: usize = 10;
/// Longest batch entry Id.
pub const MAX_BATCH_ID_CHARS: usize = 80;
/// Most attributes a raw delivery can carry into SQS.
pub const MAX_RAW_ATTRIBUTES: usize = 10;

/// One PublishBatch entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchEntry {
    pub id: String,
    pub fields: PublishFields,
}

/// Why a planned delivery cannot reach its queue before the server tries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryRefusal {
    /// Raw delivery of more attributes than SQS takes.
    TooManyRawAttributes { count: usize },
}

/// One message for one subscribed queue: the server sends it through the queue
/// engine, or to `dead_letter_queue_arn` when that fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub subscription_arn: String,
    pub queue_arn: String,
    /// The envelope JSON, or the raw text with RawMessageDelivery.
    pub body: String,
    /// SQS message attributes (raw delivery only).
    pub message_attributes: MessageAttributes,
    /// Passed on to FIFO queues from FIFO topics, and to standard queues from standard topics.
    pub message_group_id: Option<String>,
    /// Passed on to FIFO queues: the publish's id, or the SHA-256 SNS computed.
    pub message_deduplication_id: Option<String>,
    pub dead_letter_queue_arn: Option<String>,
    pub refused: Option<DeliveryRefusal>,
}

/// The outcome of one publish (or one batch entry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Published {
    pub topic_arn: String,
    pub message_id: String,
    /// FIFO topics only.
    pub sequence_number: Option<String>,
    /// Inside the window of an earlier publish: nothing is delivered.
    pub duplicate: bool,
    /// Accepted after its id's window had closed.
    pub escape: Option<EscapeRecord>,
    pub deliveries: Vec<Delivery>,
    /// Subscriptions the filter policy kept the message from.
    pub filtered_out: Vec<String>,
}

/// A PublishBatch entry's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchPublished {
    pub id: String,
    pub published: Published,
}

/// What publishing needs besides the topic.
pub(crate) struct PublishContext<'a> {
    pub(crate) public_url: &'a str,
    pub(crate) ids: &'a mut dyn IdSource,
    pub(crate) now: Timestamp,
}

/// The FIFO rules that need the topic; returns the dedup id of a FIFO publish.
pub(crate) fn check_topic(checked: &Checked, topic: &Topic) -> Result<Option<String>, SnsError> {
    if !topic.fifo {
        if checked.dedup_id.is_some() {
            return Err(SnsError::invalid(
                "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
            ));
        }
        return Ok(None);
    }
    if checked.group_id.is_none() {
        return Err(SnsError::invalid(
            "The MessageGroupId parameter is required for FIFO topics",
        ));
    }
    match &checked.dedup_id {
        Some(id) => Ok(Some(id.clone())),
        None if topic.content_based_deduplication() => Ok(Some(content_dedup_id(&checked.message))),
        None => Err(SnsError::invalid(
            "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
        )),
    }
}

/// The batch-level rules, checked before any entry [V]: count, Ids, total size.
pub(crate) fn check_batch(entries: &[BatchEntry]) -> Result<(), SnsError> {
    if entries.is_empty() {
        return Err(SnsError::new(
            ErrorCode::EmptyBatchRequest,
            "The batch request doesn't contain any entries.",
        ));
    }
    if entries.len() > MAX_BATCH_ENTRIES {
        return Err(SnsError::new(
            ErrorCode::TooManyEntriesInBatchRequest,
            "The batch request contains more entries than permissible.",
        ));
    }
    let mut seen = BTreeSet::new();
    for entry in entries {
        let id = &entry.id;
        if !validate::is_valid_batch_entry_id(id) {
            let message = if id.len() > MAX_BATCH_ID_CHARS {
                format!("The Id of a batch entry in the batch request is too long: {id}")
            } else {
                format!(
                    "The Id of a batch entry in the batch request contains an impermissible character: {id}"
                )
            };
            return Err(SnsError::new(ErrorCode::InvalidBatchEntryId, message));
        }
        if !seen.insert(id.as_str()) {
            return Err(SnsError::new(
                ErrorCode::BatchEntryIdsNotDistinct,
                "Two or more batch entries in the request have the same Id.",
            ));
        }
    }
    let total: usize = entries
        .iter()
        .map(|e| message::unchecked_size(&e.fields))
        .sum();
    if total > MAX_MESSAGE_BYTES {
        return Err(SnsError::new(
            ErrorCode::BatchRequestTooLong,
            "The length of all the messages put together is more than the limit.",
        ));
    }
    Ok(())
}

/// Checks every field of a publish against the topic; nothing changes.
pub(crate) fn check_all(
    fields: &PublishFields,
    topic: &Topic,
) -> Result<(Checked, Option<String>), SnsError> {
    let checked = message::check(fields)?;
    let dedup = check_topic(&checked, topic)?;
    Ok((checked, dedup))
}

/// Runs one checked publish through the window and builds its delivery plan.
pub(crate) fn publish(
    topic: &mut Topic,
    checked: &Checked,
    dedup_id: Option<String>,
    cx: &mut PublishContext<'_>,
) -> Published {
    let by_group = topic.throughput_scope() == ThroughputScope::MessageGroup;
    let (message_id, sequence_number, escape) = match (&mut topic.window, &dedup_id) {
        (Some(window), Some(id)) => {
            let group = checked.group_id.as_deref().unwrap_or("");
            match window.publish(by_group, group, id, cx.ids, cx.now) {
                WindowOutcome::Duplicate {
                    message_id,
                    sequence_number,
                    ..
                } => {
                    topic.counters.suppressed += 1;
                    for sub in topic.subscriptions.values_mut() {
                        sub.counters.suppressed += 1;
                    }
                    return Published {
                        topic_arn: topic.arn.clone(),
                        message_id,
                        sequence_number: Some(sequence_number),
                        duplicate: true,
                        escape: None,
                        deliveries: Vec::new(),
                        filtered_out: Vec::new(),
                    };
                }
                WindowOutcome::Accepted {
                    message_id,
                    sequence_number,
                    escape,
                } => (message_id, Some(sequence_number), escape),
            }
        }
        _ => (cx.ids.message_id().to_string(), None, None),
    };
    topic.counters.published += 1;
    let attribute_input = FilterInput::from_attributes(&checked.attributes);
    let body_input = FilterInput::from_body(&checked.sqs_text);
    let passed_attributes = if checked.structured {
        MessageAttributes::new()
    } else {
        checked.attributes.clone()
    };
    let signature = (!topic.fifo).then(|| SignatureFields {
        version: topic.signature_version().to_string(),
        signature: placeholder_signature(checked, &message_id, &topic.arn, cx.now),
        signing_cert_url: format!(
            "{}/SimpleNotificationService-{}.pem",
            cx.public_url, PLACEHOLDER_CERT_ID
        ),
    });
    let mut deliveries = Vec::new();
    let mut filtered_out = Vec::new();
    for sub in topic.subscriptions.values_mut() {
        sub.counters.published += 1;
        if let Some((policy, scope)) = sub.filter() {
            let input = match scope {
                FilterScope::MessageAttributes => &attribute_input,
                FilterScope::MessageBody => &body_input,
            };
            if !policy.matches(input) {
                sub.counters.filtered_out += 1;
                filtered_out.push(sub.arn.clone());
                continue;
            }
        }
        let queue_fifo = arn::queue_arn(&sub.endpoint).is_some_and(|q| q.is_fifo());
        let (message_group_id, message_deduplication_id) = match (topic.fifo, queue_fifo) {
            (true, true) => (checked.group_id.clone(), dedup_id.clone()),
            (true, false) => (None, None),
            (false, _) => (checked.group_id.clone(), None),
        };
        let (body, message_attributes, refused) = if sub.raw {
            let count = passed_attributes.len();
            let refused = (count > MAX_RAW_ATTRIBUTES)
                .then_some(DeliveryRefusal::TooManyRawAttributes { count });
            (checked.sqs_text.clone(), passed_attributes.clone(), refused)
        } else {
            let unsubscribe_url = format!(
                "{}/?Action=Unsubscribe&SubscriptionArn={}",
                cx.public_url, sub.arn
            );
            let body = Envelope {
                message_id: &message_id,
                sequence_number: sequence_number.as_deref(),
                topic_arn: &topic.arn,
                subject: checked.subject.as_deref(),
                message: &checked.sqs_text,
                timestamp: cx.now,
                signature: signature.clone(),
                unsubscribe_url: &unsubscribe_url,
                attributes: &passed_attributes,
            }
            .render();
            (body, MessageAttributes::new(), None)
        };
        deliveries.push(Delivery {
            subscription_arn: sub.arn.clone(),
            queue_arn: sub.endpoint.clone(),
            body,
            message_attributes,
            message_group_id,
            message_deduplication_id,
            dead_letter_queue_arn: sub.dead_letter_target().map(str::to_string),
            refused,
        });
    }
    Published {
        topic_arn: topic.arn.clone(),
        message_id,
        sequence_number,
        duplicate: false,
        escape,
        deliveries,
        filtered_out,
    }
}

/// The certificate name in `SigningCertURL`: fifowin does not sign with an AWS
/// key, so the name says so instead of imitating AWS's 32 hex digits.
const PLACEHOLDER_CERT_ID: &str = "fifowin-unsigned";

/// Standard-topic envelopes carry a `Signature`. fifowin has no AWS key to sign
/// with, so it puts the base64 SHA-256 of AWS's string to sign there: the field
/// is present and stable, and a client that verifies signatures fails on it, as
/// it would on any signature not made by AWS.
fn placeholder_signature(
    checked: &Checked,
    message_id: &str,
    topic_arn: &str,
    now: Timestamp,
) -> String {
    let mut text = format!("Message\n{}\nMessageId\n{message_id}\n", checked.sqs_text);
    if let Some(subject) = &checked.subject {
        text.push_str(&format!("Subject\n{subject}\n"));
    }
    text.push_str(&format!(
        "Timestamp\n{}\nTopicArn\n{topic_arn}\nType\nNotification\n",
        crate::envelope::iso8601(now)
    ));
    STANDARD.encode(Sha256::digest(text.as_bytes()))
}
