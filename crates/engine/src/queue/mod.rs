//! `Queue`: one SQS queue's state machine. Every operation of the SQS API that
//! touches a single queue is a method here; cross-queue work (DLQ moves) is handed
//! back to the caller as data ([`DeadLetter`]).
//!
//! Submodules: `store` (messages, states, timers), `groups` (FIFO group order),
//! `receipt` (receipt handles), `send`, `receive` and `visibility` (the
//! operations), `types` (the request and response shapes), `snapshot` (the
//! queue image: `Queue::snapshot` and `Queue::restore`).

use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::sync::Arc;

use crate::attributes::{DedupScope, QueueAttributes, RenderContext};
use crate::clock::Timestamp;
use crate::dedup::{DedupEntryView, DedupTable, ExpiredDedupView, Limits};
use crate::error::EngineError;
use crate::hash::FastHasher;
use crate::ids::IdSource;
use crate::lags::RetryLags;

mod groups;
mod inspect;
mod moves;
mod permissions;
mod receipt;
mod receive;
mod send;
mod snapshot;
mod store;
mod types;
mod visibility;

pub use crate::dedup::EscapeRecord;
pub use inspect::{MessageState, MessageView, QueueStats};
pub use moves::MovedMessage;
pub use snapshot::{FrozenQueue, IMAGE_VERSION, QueueImage, SnapshotError};
pub use types::{
    BatchEntry, BatchResult, DeadLetter, QueueCounts, QueueKind, QueueSettings, ReceiveOutcome,
    ReceiveRequest, ReceivedMessage, SendOutcome, SendRequest,
};

use receive::Attempts;
use store::Store;

/// How long after a PurgeQueue another one is refused.
const PURGE_GUARD_MS: u64 = 60_000;

/// One queue.
pub struct Queue {
    settings: QueueSettings,
    ids: Box<dyn IdSource>,
    attrs: QueueAttributes,
    tags: BTreeMap<String, String>,
    created: Timestamp,
    last_modified: Timestamp,
    /// Distinguishes this queue's receipt handles from any other queue's,
    /// including an earlier queue of the same name.
    incarnation: u64,
    /// SequenceNumber = seed + per-message offset.
    sequence_seed: u128,
    next_sequence: u64,
    next_serial: u64,
    next_receive: u64,
    /// Message ids taken from `ids` (a restored queue's source continues after them).
    ids_drawn: u64,
    store: Store,
    /// FIFO only (standard queues never consult it).
    dedup: DedupTable,
    attempts: Attempts,
    last_purge: Option<Timestamp>,
    /// The latest SenderId, shared by its messages while it repeats.
    last_sender: Arc<str>,
    /// Counters for metrics (escapes are counted by the dedup table).
    stats: QueueStats,
    /// FIFO only: how long after their key's first send resends came.
    lags: RetryLags,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("name", &self.settings.name)
            .finish()
    }
}

fn secs_to_ms(secs: u32) -> u64 {
    u64::from(secs) * 1000
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
        let attrs = QueueAttributes::for_create(&settings.name, attributes, resolve)?;
        validate_tags(&settings.name, tags, &BTreeMap::new())?;
        let fifo = attrs.kind == QueueKind::Fifo;
        let by_group = attrs.deduplication_scope == DedupScope::MessageGroup;
        let limits = dedup_limits(&settings);
        let incarnation = receipt::mix(
            std::hash::BuildHasherDefault::<FastHasher>::default()
                .hash_one((&settings.arn, now.as_millis())),
        );
        Ok(Queue {
            store: Store::new(fifo, secs_to_ms(attrs.message_retention_period)),
            dedup: DedupTable::new(limits, by_group),
            attempts: Attempts::default(),
            tags: tags.clone(),
            created: now,
            last_modified: now,
            incarnation,
            sequence_seed: u128::from(now.as_secs()) << 33,
            next_sequence: 1,
            next_serial: 1,
            next_receive: 1,
            ids_drawn: 0,
            last_purge: None,
            last_sender: Arc::from(""),
            stats: QueueStats::default(),
            lags: RetryLags::new(settings.dedup_window_ms, settings.escape_horizon_ms, now),
            attrs,
            settings,
            ids,
        })
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
        self.attrs.kind
    }
    fn is_fifo(&self) -> bool {
        self.attrs.kind == QueueKind::Fifo
    }
    /// Dedup window in ms.
    pub fn dedup_window_ms(&self) -> u64 {
        self.settings.dedup_window_ms
    }
    /// When the queue was created.
    pub fn created(&self) -> Timestamp {
        self.created
    }
    /// Whether dedup keys are (group, id) pairs: DeduplicationScope as it was at
    /// creation, which is what deduplication follows (sqs-spec.md §3.3).
    pub fn dedup_scope_is_message_group(&self) -> bool {
        // The table keeps the creation-time scope; the attribute may since report another.
        self.is_fifo() && self.dedup.by_group()
    }

    fn dedup_limits(&self) -> Limits {
        dedup_limits(&self.settings)
    }

    fn render_context(&self) -> RenderContext<'_> {
        RenderContext {
            arn: &self.settings.arn,
            created: self.created,
            last_modified: self.last_modified,
            counts: self.store.counts,
        }
    }

    /// Applies everything due at `now`: dedup expiry, attempt-id expiry, delays
    /// ending, visibility expiring and retention.
    fn advance(&mut self, now: Timestamp) {
        self.dedup.expire(now);
        self.attempts.expire(now, self.settings.dedup_window_ms);
        self.store.apply_due(now);
    }

    /// CreateQueue on an existing name: `Ok` when every given attribute equals
    /// the current value, else `QueueNameExists(first differing name)`.
    pub fn check_same_attributes(
        &self,
        attributes: &BTreeMap<String, String>,
    ) -> Result<(), EngineError> {
        match self
            .attrs
            .first_difference(attributes, &self.render_context())?
        {
            Some(name) => Err(EngineError::QueueNameExists(name)),
            None => Ok(()),
        }
    }
    /// GetQueueAttributes: `names` may hold `All`; unknown names are `InvalidAttributeName`.
    /// Returns (name, value) pairs in a stable order; empty `names` gives an empty list.
    pub fn get_attributes(
        &mut self,
        names: &[String],
        now: Timestamp,
    ) -> Result<Vec<(String, String)>, EngineError> {
        self.advance(now);
        self.attrs.get(names, &self.render_context())
    }
    /// SetQueueAttributes (validation as for CreateQueue, plus read-only and
    /// immutable-attribute rules).
    pub fn set_attributes(
        &mut self,
        attributes: &BTreeMap<String, String>,
        resolve: &dyn Fn(&str) -> Option<QueueKind>,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        QueueAttributes::check_settable(attributes)?;
        let next = self.attrs.with_changes(attributes, resolve)?;
        self.advance(now);
        let old = std::mem::replace(&mut self.attrs, next);
        self.store
            .set_retention(secs_to_ms(self.attrs.message_retention_period));
        if self.is_fifo() && old.delay_seconds != self.attrs.delay_seconds {
            self.store
                .retime_delays(secs_to_ms(self.attrs.delay_seconds), now);
        }
        self.last_modified = now;
        Ok(())
    }
    /// The ARN this queue dead-letters into, if a RedrivePolicy is set.
    pub fn dead_letter_target_arn(&self) -> Option<&str> {
        self.attrs
            .redrive_policy
            .as_ref()
            .map(|p| p.dead_letter_target_arn.as_str())
    }
    /// TagQueue: validates keys/values (an empty map is missing), overwrites existing keys.
    pub fn tag(&mut self, tags: &BTreeMap<String, String>) -> Result<(), EngineError> {
        // An empty map is a missing one, as for every required member AWS checks.
        if tags.is_empty() {
            return Err(EngineError::MissingParameter("Tags".into()));
        }
        validate_tags(&self.settings.name, tags, &self.tags)?;
        self.tags
            .extend(tags.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ok(())
    }
    /// UntagQueue: unknown keys are ignored; an empty list or key is refused.
    pub fn untag(&mut self, keys: &[String]) -> Result<(), EngineError> {
        if keys.is_empty() || keys.iter().any(|k| !(1..=128).contains(&k.chars().count())) {
            return Err(EngineError::InvalidParameterValue(
                "Tag keys must be between 1 and 128 characters in length.".into(),
            ));
        }
        for key in keys {
            self.tags.remove(key);
        }
        Ok(())
    }
    /// ListQueueTags.
    pub fn tags(&self) -> &BTreeMap<String, String> {
        &self.tags
    }
    /// Validates a WaitTimeSeconds value (0..=20) and returns the effective seconds
    /// (the queue's ReceiveMessageWaitTimeSeconds when absent).
    pub fn wait_time_seconds(&self, requested: Option<i64>) -> Result<u64, EngineError> {
        match requested {
            None => Ok(u64::from(self.attrs.receive_message_wait_time_seconds)),
            Some(v @ 0..=20) => Ok(v.unsigned_abs()),
            Some(v) => Err(EngineError::InvalidParameterValue(format!(
                "Value {v} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."
            ))),
        }
    }
    /// PurgeQueue: drops every message and (FIFO) the dedup table; 60 s guard.
    /// Counters and retry lags stay: they say what producers did, not what is stored.
    pub fn purge(&mut self, now: Timestamp) -> Result<(), EngineError> {
        if self
            .last_purge
            .is_some_and(|last| now < last.plus_ms(PURGE_GUARD_MS))
        {
            return Err(EngineError::PurgeQueueInProgress(
                self.settings.name.clone(),
            ));
        }
        self.advance(now);
        self.store.clear();
        self.dedup.clear();
        self.attempts.clear();
        self.last_purge = Some(now);
        Ok(())
    }
    /// The earliest instant at which something changes by itself (a delay ends,
    /// a visibility timeout expires, a message or dedup key expires). It may be
    /// early (a timer made moot by a later change), never late.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        [
            self.store.next_timer(),
            self.store.next_retention(),
            self.dedup.next_expiry(),
        ]
        .into_iter()
        .flatten()
        .min()
    }
    /// The earliest instant at which a message may become receivable by itself
    /// (a delay ends or a visibility timeout expires): all a long poll needs to
    /// wait for, without waking for every dedup key that expires. Early, never late.
    pub fn next_receivable_deadline(&self) -> Option<Timestamp> {
        self.store.next_timer()
    }
    /// Approximate counts after applying everything due at `now`.
    pub fn counts(&mut self, now: Timestamp) -> QueueCounts {
        self.advance(now);
        self.store.counts
    }
    /// Escapes recorded so far, oldest first.
    pub fn escapes(&self) -> Vec<EscapeRecord> {
        self.dedup.escapes()
    }
    /// How many escapes happened since creation (records are capped; this is not).
    pub fn escape_count(&self) -> u64 {
        self.dedup.escape_total()
    }
    /// Retry lags since creation or the last [`Queue::reset`] (never any on standard queues).
    pub fn retry_lags(&self) -> &RetryLags {
        &self.lags
    }
    /// Live dedup keys.
    pub fn dedup_len(&self) -> usize {
        self.dedup.len()
    }
    /// Expired dedup keys still remembered for escape detection.
    pub fn tombstone_len(&self) -> usize {
        self.dedup.tombstone_len()
    }
    /// Live dedup keys at `now`, oldest first.
    pub fn dedup_entries(&mut self, now: Timestamp) -> Vec<DedupEntryView> {
        self.advance(now);
        self.dedup.entries()
    }
    /// Up to `limit` dedup keys whose window had closed by `now` and that are
    /// still remembered for escape detection, the latest to expire first.
    pub fn expired_dedup_ids(&mut self, now: Timestamp, limit: usize) -> Vec<ExpiredDedupView> {
        self.advance(now);
        self.dedup.expired(limit)
    }
}

fn dedup_limits(settings: &QueueSettings) -> Limits {
    Limits {
        window_ms: settings.dedup_window_ms,
        horizon_ms: settings.escape_horizon_ms,
        tombstone_cap: settings.escape_tombstone_cap,
        record_cap: settings.escape_record_cap,
    }
}

/// Tag rules: key 1–128 characters, value up to 256, at most 50 per queue.
fn validate_tags(
    queue: &str,
    tags: &BTreeMap<String, String>,
    existing: &BTreeMap<String, String>,
) -> Result<(), EngineError> {
    for (key, value) in tags {
        if !(1..=128).contains(&key.chars().count()) {
            return Err(EngineError::InvalidParameterValue(
                "Tag keys must be between 1 and 128 characters in length.".into(),
            ));
        }
        if value.chars().count() > 256 {
            return Err(EngineError::InvalidParameterValue(
                "Tag values may only be up to 256 characters in length.".into(),
            ));
        }
    }
    let total = existing.len() + tags.keys().filter(|k| !existing.contains_key(*k)).count();
    if total > 50 {
        return Err(EngineError::InvalidParameterValue(format!(
            "Too many tags added for queue {queue}."
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
