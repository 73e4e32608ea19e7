//! The shapes queue operations take and return: settings, requests, outcomes.

use std::sync::Arc;

use crate::error::EngineError;
use crate::message::MessageAttributes;

use super::store::Message;

/// Standard or FIFO; fixed at creation.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum QueueKind {
    /// At-least-once, best-effort order (fair queues when sent with group ids).
    Standard,
    /// Ordered per message group, deduplicated within the window.
    Fifo,
}

/// What the server decides about a queue, outside the SQS attributes.
#[derive(Clone, Debug)]
pub struct QueueSettings {
    /// Queue name (validated by `Queue::create`).
    pub name: String,
    /// `arn:aws:sqs:<region>:<account>:<name>`.
    pub arn: String,
    /// Deduplication window in ms (default [`Self::DEFAULT_DEDUP_WINDOW_MS`]).
    pub dedup_window_ms: u64,
    /// How long an expired dedup key is remembered to detect escapes (default 1 h).
    pub escape_horizon_ms: u64,
    /// Most tombstones kept; the oldest are dropped beyond it.
    pub escape_tombstone_cap: usize,
    /// Most escape records kept for inspection; the oldest are dropped beyond it.
    pub escape_record_cap: usize,
}

impl QueueSettings {
    /// The SQS deduplication interval: 5 minutes.
    pub const DEFAULT_DEDUP_WINDOW_MS: u64 = 300_000;
    /// How long expired keys are remembered for escape detection: 1 hour.
    pub const DEFAULT_ESCAPE_HORIZON_MS: u64 = 3_600_000;
    /// Tombstones kept per queue.
    pub const DEFAULT_ESCAPE_TOMBSTONE_CAP: usize = 1_000_000;
    /// Escape records kept per queue.
    pub const DEFAULT_ESCAPE_RECORD_CAP: usize = 10_000;

    /// Settings with the defaults above.
    pub fn new(name: impl Into<String>, arn: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            arn: arn.into(),
            dedup_window_ms: Self::DEFAULT_DEDUP_WINDOW_MS,
            escape_horizon_ms: Self::DEFAULT_ESCAPE_HORIZON_MS,
            escape_tombstone_cap: Self::DEFAULT_ESCAPE_TOMBSTONE_CAP,
            escape_record_cap: Self::DEFAULT_ESCAPE_RECORD_CAP,
        }
    }
}

/// One SendMessage (or one batch entry), as decoded from the wire.
#[derive(Clone, Debug, Default)]
pub struct SendRequest {
    pub body: String,
    /// Raw value as sent; validated against 0..=900 and the queue type.
    pub delay_seconds: Option<i64>,
    pub message_attributes: MessageAttributes,
    /// Only `AWSTraceHeader` is allowed.
    pub system_attributes: MessageAttributes,
    pub dedup_id: Option<String>,
    pub group_id: Option<String>,
    /// Reported as the `SenderId` system attribute.
    pub sender_id: Arc<str>,
}

/// The answer to a send. For a duplicate inside the window: the original
/// message id and sequence number, with MD5s of *this* request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendOutcome {
    pub message_id: String,
    /// FIFO only: a decimal u128, strictly increasing per queue.
    pub sequence_number: Option<String>,
    pub md5_of_body: String,
    pub md5_of_message_attributes: Option<String>,
    pub md5_of_message_system_attributes: Option<String>,
    /// True when the send was suppressed by the dedup window.
    pub duplicate: bool,
    /// Set when this send reused a key whose window had closed (an escape).
    pub escape: Option<super::EscapeRecord>,
}

/// A batch entry: its caller-chosen id and the operation's input.
#[derive(Clone, Debug)]
pub struct BatchEntry<T> {
    pub id: String,
    pub item: T,
}

/// A batch entry's result, keyed by the entry id.
#[derive(Clone, Debug)]
pub struct BatchResult<T> {
    pub id: String,
    pub result: Result<T, EngineError>,
}

/// One ReceiveMessage, as decoded from the wire.
#[derive(Clone, Debug, Default)]
pub struct ReceiveRequest {
    /// Raw value; 1..=10, default 1.
    pub max_number_of_messages: Option<i64>,
    /// Raw value; 0..=43200, default the queue's.
    pub visibility_timeout: Option<i64>,
    /// FIFO retry token; ignored on standard queues.
    pub attempt_id: Option<String>,
    /// Union of `AttributeNames` and `MessageSystemAttributeNames` (`All` or names).
    pub system_attribute_names: Vec<String>,
    /// `All`, `.*`, exact names or `prefix.*`.
    pub message_attribute_names: Vec<String>,
}

/// A delivered message, with attributes filtered as requested.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedMessage {
    pub message_id: String,
    pub receipt_handle: String,
    pub body: String,
    pub md5_of_body: String,
    /// System attributes (name, value), in name order.
    pub attributes: Vec<(String, String)>,
    /// The requested subset of user attributes.
    pub message_attributes: MessageAttributes,
    /// MD5 over `message_attributes`; `None` when it is empty.
    pub md5_of_message_attributes: Option<String>,
}

/// A message that exceeded `maxReceiveCount` and must go to its dead-letter queue.
/// The caller looks up `target_arn` and calls [`super::Queue::accept_dead_letter`] there.
#[derive(Clone, Debug)]
pub struct DeadLetter {
    pub target_arn: String,
    pub(crate) message: Box<Message>,
}

impl DeadLetter {
    /// The MessageId, which the move keeps.
    pub fn message_id(&self) -> &str {
        &self.message.message_id
    }
}

/// What a receive produced.
#[derive(Clone, Debug, Default)]
pub struct ReceiveOutcome {
    pub messages: Vec<ReceivedMessage>,
    pub dead_letters: Vec<DeadLetter>,
}

/// Approximate counts as GetQueueAttributes reports them.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueCounts {
    /// Receivable now, including messages of a FIFO group locked by an in-flight one.
    pub visible: u64,
    pub in_flight: u64,
    pub delayed: u64,
}
