//! `Queue`: one SQS queue's state machine. Every operation of the SQS API that
//! touches a single queue is a method here; cross-queue work (DLQ moves) is handed
//! back to the caller as data ([`DeadLetter`]).

use std::collections::BTreeMap;

use crate::clock::Timestamp;
use crate::error::EngineError;
use crate::ids::IdSource;
use crate::message::MessageAttributes;

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
    /// Deduplication window in ms (SQS: 300_000).
    pub dedup_window_ms: u64,
    /// How long an expired dedup key is remembered to detect escapes (default 1 h).
    pub escape_horizon_ms: u64,
    /// Most tombstones kept; the oldest are dropped beyond it.
    pub escape_tombstone_cap: usize,
    /// Most escape records kept for inspection; the oldest are dropped beyond it.
    pub escape_record_cap: usize,
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
    pub sender_id: String,
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
    pub escape: Option<EscapeRecord>,
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
/// The caller looks up `target_arn` and calls [`Queue::accept_dead_letter`] there.
#[derive(Clone, Debug)]
pub struct DeadLetter {
    pub target_arn: String,
    pub(crate) message: crate::message::AttributeValue,
}

/// What a receive produced.
#[derive(Clone, Debug, Default)]
pub struct ReceiveOutcome {
    pub messages: Vec<ReceivedMessage>,
    pub dead_letters: Vec<DeadLetter>,
}

/// A send whose dedup key had been seen before, but whose window had closed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscapeRecord {
    pub dedup_id: String,
    pub group_id: Option<String>,
    pub first_sent: Timestamp,
    pub resent: Timestamp,
    /// `resent - (first_sent + window)`, ms.
    pub late_by_ms: u64,
}

/// Approximate counts as GetQueueAttributes reports them.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub visible: u64,
    pub in_flight: u64,
    pub delayed: u64,
}

/// One queue.
pub struct Queue {
    settings: QueueSettings,
    _ids: Box<dyn IdSource>,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").field("name", &self.settings.name).finish()
    }
}

impl Queue {
    /// Validates the name, attributes and tags and builds the queue.
    /// `resolve` says whether an ARN names an existing queue, and of which kind
    /// (RedrivePolicy targets must exist and be of the same kind).
    pub fn create(
        settings: QueueSettings,
        attributes: &BTreeMap<String, String>,
        tags: &BTreeMap<String, String>,
        resolve: &dyn Fn(&str) -> Option<QueueKind>,
        ids: Box<dyn IdSource>,
        now: Timestamp,
    ) -> Result<Queue, EngineError> {
        let _ = (attributes, tags, resolve, now);
        todo!("engine helper: {}", settings.name)
    }

    /// Queue name.
    pub fn name(&self) -> &str {
        &self.settings.name
    }
    /// Queue ARN.
    pub fn arn(&self) -> &str {
        &self.settings.arn
    }
    /// Standard or FIFO.
    pub fn kind(&self) -> QueueKind {
        todo!()
    }
    /// Dedup window in ms.
    pub fn dedup_window_ms(&self) -> u64 {
        self.settings.dedup_window_ms
    }
    /// CreateQueue on an existing name: `Ok` when every given attribute equals
    /// the current value, else `QueueNameExists(first differing name)`.
    pub fn check_same_attributes(
        &self,
        attributes: &BTreeMap<String, String>,
    ) -> Result<(), EngineError> {
        let _ = attributes;
        todo!()
    }
    /// GetQueueAttributes: `names` may hold `All`; unknown names are `InvalidAttributeName`.
    /// Returns (name, value) pairs in a stable order; empty `names` gives an empty list.
    pub fn get_attributes(
        &mut self,
        names: &[String],
        now: Timestamp,
    ) -> Result<Vec<(String, String)>, EngineError> {
        let _ = (names, now);
        todo!()
    }
    /// SetQueueAttributes (validation as for CreateQueue, plus read-only and
    /// immutable-attribute rules).
    pub fn set_attributes(
        &mut self,
        attributes: &BTreeMap<String, String>,
        resolve: &dyn Fn(&str) -> Option<QueueKind>,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let _ = (attributes, resolve, now);
        todo!()
    }
    /// The ARN this queue dead-letters into, if a RedrivePolicy is set.
    pub fn dead_letter_target_arn(&self) -> Option<&str> {
        todo!()
    }
    /// TagQueue: validates keys/values, overwrites existing keys.
    pub fn tag(&mut self, tags: &BTreeMap<String, String>) -> Result<(), EngineError> {
        let _ = tags;
        todo!()
    }
    /// UntagQueue: unknown keys are ignored.
    pub fn untag(&mut self, keys: &[String]) -> Result<(), EngineError> {
        let _ = keys;
        todo!()
    }
    /// ListQueueTags.
    pub fn tags(&self) -> &BTreeMap<String, String> {
        todo!()
    }
    /// SendMessage.
    pub fn send(&mut self, req: SendRequest, now: Timestamp) -> Result<SendOutcome, EngineError> {
        let _ = (req, now);
        todo!()
    }
    /// SendMessageBatch: whole-request errors as `Err`, per-entry errors in the results.
    pub fn send_batch(
        &mut self,
        entries: Vec<BatchEntry<SendRequest>>,
        now: Timestamp,
    ) -> Result<Vec<BatchResult<SendOutcome>>, EngineError> {
        let _ = (entries, now);
        todo!()
    }
    /// ReceiveMessage (one short poll; the server loops for long polling).
    pub fn receive(
        &mut self,
        req: &ReceiveRequest,
        now: Timestamp,
    ) -> Result<ReceiveOutcome, EngineError> {
        let _ = (req, now);
        todo!()
    }
    /// Validates a WaitTimeSeconds value (0..=20) and returns the effective seconds
    /// (the queue's ReceiveMessageWaitTimeSeconds when absent).
    pub fn wait_time_seconds(&self, requested: Option<i64>) -> Result<u64, EngineError> {
        let _ = requested;
        todo!()
    }
    /// Receives a message moved here from a source queue's redrive.
    pub fn accept_dead_letter(&mut self, letter: DeadLetter, source_arn: &str, now: Timestamp) {
        let _ = (letter, source_arn, now);
        todo!()
    }
    /// DeleteMessage.
    pub fn delete(&mut self, receipt_handle: &str, now: Timestamp) -> Result<(), EngineError> {
        let _ = (receipt_handle, now);
        todo!()
    }
    /// DeleteMessageBatch: whole-request errors as `Err`, per-entry in the results.
    pub fn delete_batch(
        &mut self,
        entries: Vec<BatchEntry<String>>,
        now: Timestamp,
    ) -> Result<Vec<BatchResult<()>>, EngineError> {
        let _ = (entries, now);
        todo!()
    }
    /// ChangeMessageVisibility: `timeout` seconds from `now` (raw value, validated).
    pub fn change_visibility(
        &mut self,
        receipt_handle: &str,
        timeout: i64,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let _ = (receipt_handle, timeout, now);
        todo!()
    }
    /// ChangeMessageVisibilityBatch; item = (receipt handle, timeout).
    pub fn change_visibility_batch(
        &mut self,
        entries: Vec<BatchEntry<(String, i64)>>,
        now: Timestamp,
    ) -> Result<Vec<BatchResult<()>>, EngineError> {
        let _ = (entries, now);
        todo!()
    }
    /// PurgeQueue: drops every message and (FIFO) the dedup table; 60 s guard.
    pub fn purge(&mut self, now: Timestamp) -> Result<(), EngineError> {
        let _ = now;
        todo!()
    }
    /// The earliest instant at which something changes by itself (a delay ends,
    /// a visibility timeout expires, a message or dedup key expires).
    pub fn next_deadline(&self) -> Option<Timestamp> {
        todo!()
    }
    /// Approximate counts after applying everything due at `now`.
    pub fn counts(&mut self, now: Timestamp) -> QueueCounts {
        let _ = now;
        todo!()
    }
    /// Escapes recorded so far, oldest first.
    pub fn escapes(&self) -> Vec<EscapeRecord> {
        todo!()
    }
    /// Live dedup keys.
    pub fn dedup_len(&self) -> usize {
        todo!()
    }
}
