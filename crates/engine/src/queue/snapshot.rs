//! Queue snapshots: [`QueueImage`], a versioned image of everything a [`Queue`]
//! holds, taken with [`Queue::snapshot`] and turned back into a queue with
//! [`Queue::restore`], which rejects an image whose parts do not agree.
//!
//! The image keeps state, not indexes: messages with every field, live dedup
//! keys, tombstones (stale order entries included, so expiry proceeds exactly
//! as it would have), attempt ids, counters and retry lags. Timer heaps, age and
//! group-turn indexes, counts and hash indexes are rebuilt from it on restore;
//! a group's turn is its head's `visible_since` stamp, which the image keeps.
//! The only difference a restored queue can show is that it holds no timers
//! made stale by earlier changes, so `next_deadline` may come later (never late).
//!
//! [`Queue::freeze`] takes what an image needs without copying the messages
//! or dedup keys: the message store and the dedup table's orders are held in
//! shared chunks, and the frozen queue keeps its own references to them, so
//! the queue may change at once (its first change to a chunk copies that chunk)
//! while [`QueueImage::from`] builds the image of the frozen state elsewhere.
//! Durable snapshots freeze every queue under the lock that orders changes and
//! build the images after releasing it.
//!
//! Encoding: a varint version, then the image in postcard (serde's compact
//! binary form: varints, no field names, no schema), so a newer image is
//! refused by its version before its body is read. A frozen queue encodes to
//! the same bytes without building the image ([`FrozenQueue::encode`]), by
//! serializing borrowed twins of the image's large parts; the snapshot model
//! tests compare the two encodings of every state they reach.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::attributes::{DedupScope, QueueAttributes, RedrivePolicy};
use crate::clock::Timestamp;
use crate::dedup::{DedupImage, DedupTable, FrozenDedup};
use crate::ids::IdSource;
use crate::lags::{LagsImage, RetryLags};

use super::receive::{Attempts, AttemptsImage, FrozenAttempts};
use super::store::{FrozenStore, Store, StoreImage};
use super::{Queue, QueueKind, QueueSettings, QueueStats, dedup_limits, secs_to_ms};

/// The image version this build writes and reads.
pub const IMAGE_VERSION: u32 = 1;

/// Why an image could not become a queue.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("queue image version {found} is not supported (this build reads version {supported})")]
    Version { found: u32, supported: u32 },
    #[error("queue image cannot be decoded: {0}")]
    Decode(String),
    #[error("queue image of {queue:?} does not hold together: {problem}")]
    Inconsistent { queue: String, problem: String },
}

/// Everything one queue holds, in a form that can be stored and read back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueImage {
    version: u32,
    settings: SettingsImage,
    attributes: AttributesImage,
    tags: BTreeMap<String, String>,
    created: u64,
    last_modified: u64,
    incarnation: u64,
    sequence_seed: u128,
    next_sequence: u64,
    next_serial: u64,
    next_receive: u64,
    ids_drawn: u64,
    store: StoreImage,
    dedup: DedupImage,
    attempts: AttemptsImage,
    last_purge: Option<u64>,
    last_sender: String,
    stats: StatsImage,
    lags: LagsImage,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct SettingsImage {
    name: String,
    arn: String,
    dedup_window_ms: u64,
    escape_horizon_ms: u64,
    escape_tombstone_cap: u64,
    escape_record_cap: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct AttributesImage {
    fifo: bool,
    delay_seconds: u32,
    maximum_message_size: u32,
    message_retention_period: u32,
    receive_message_wait_time_seconds: u32,
    visibility_timeout: u32,
    /// (deadLetterTargetArn, maxReceiveCount).
    redrive_policy: Option<(String, u32)>,
    redrive_allow_policy: Option<String>,
    policy: Option<String>,
    kms_master_key_id: Option<String>,
    kms_data_key_reuse_period_seconds: u32,
    sqs_managed_sse_enabled: bool,
    content_based_deduplication: bool,
    dedup_scope_message_group: bool,
    throughput_per_group: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct StatsImage {
    sent: u64,
    duplicates: u64,
    escapes: u64,
    received: u64,
    redelivered: u64,
    deleted: u64,
}

impl QueueImage {
    /// The queue's name.
    pub fn name(&self) -> &str {
        &self.settings.name
    }

    /// The queue's ARN.
    pub fn arn(&self) -> &str {
        &self.settings.arn
    }

    /// How many message ids the queue had drawn from its [`IdSource`]: the
    /// source given to [`Queue::restore`] must continue after that many.
    pub fn ids_drawn(&self) -> u64 {
        self.ids_drawn
    }

    /// Stored messages.
    pub fn message_count(&self) -> usize {
        self.store.len()
    }

    /// Live dedup keys.
    pub fn dedup_count(&self) -> usize {
        self.dedup.len()
    }

    /// The version, then the image in postcard.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Appends what [`Self::encode`] returns to `out`, so that a caller that
    /// sized `out` for a whole snapshot writes the image in place.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        append_versioned(self.version, self, out);
    }

    /// Reads what [`Self::encode`] wrote; refuses another version before
    /// reading further, and trailing bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, SnapshotError> {
        let decode = |e: postcard::Error| SnapshotError::Decode(e.to_string());
        let (found, body): (u32, &[u8]) = postcard::take_from_bytes(bytes).map_err(decode)?;
        if found != IMAGE_VERSION {
            return Err(SnapshotError::Version {
                found,
                supported: IMAGE_VERSION,
            });
        }
        let (image, rest): (QueueImage, &[u8]) = postcard::take_from_bytes(body).map_err(decode)?;
        if !rest.is_empty() {
            return Err(SnapshotError::Decode(format!(
                "{} bytes after the image",
                rest.len()
            )));
        }
        if image.version != found {
            return Err(SnapshotError::Decode(format!(
                "the image says version {} inside a version {found} frame",
                image.version
            )));
        }
        Ok(image)
    }
}

/// A queue's state at one instant: the image's small parts copied, the
/// messages and dedup keys shared with the queue ([`Queue::freeze`]).
#[derive(Debug)]
pub struct FrozenQueue {
    /// The image but for its store, dedup table and attempt records, left
    /// empty here.
    rest: QueueImage,
    store: FrozenStore,
    dedup: FrozenDedup,
    attempts: FrozenAttempts,
}

impl FrozenQueue {
    /// The queue's name.
    pub fn name(&self) -> &str {
        self.rest.name()
    }

    /// Stored messages.
    pub fn message_count(&self) -> usize {
        self.store.len()
    }

    /// What `QueueImage::from(frozen).encode()` returns, serialized from the
    /// frozen messages and dedup keys in place: no image is built, so no body
    /// or key is copied and nothing is allocated per message.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Appends what [`Self::encode`] returns to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        /// [`QueueImage`] with its store and dedup table borrowed: the same
        /// fields in the same order.
        #[derive(Serialize)]
        struct QueueImageRef<'a, S, D> {
            version: u32,
            settings: &'a SettingsImage,
            attributes: &'a AttributesImage,
            tags: &'a BTreeMap<String, String>,
            created: u64,
            last_modified: u64,
            incarnation: u64,
            sequence_seed: u128,
            next_sequence: u64,
            next_serial: u64,
            next_receive: u64,
            ids_drawn: u64,
            store: S,
            dedup: D,
            attempts: AttemptsImage,
            last_purge: Option<u64>,
            last_sender: &'a str,
            stats: &'a StatsImage,
            lags: &'a LagsImage,
        }
        let r = &self.rest;
        let image = QueueImageRef {
            version: r.version,
            settings: &r.settings,
            attributes: &r.attributes,
            tags: &r.tags,
            created: r.created,
            last_modified: r.last_modified,
            incarnation: r.incarnation,
            sequence_seed: r.sequence_seed,
            next_sequence: r.next_sequence,
            next_serial: r.next_serial,
            next_receive: r.next_receive,
            ids_drawn: r.ids_drawn,
            store: self.store.encoded(),
            dedup: self.dedup.encoded(),
            // Bounded by the receive attempts of the last five minutes.
            attempts: self.attempts.image(),
            last_purge: r.last_purge,
            last_sender: &r.last_sender,
            stats: &r.stats,
            lags: &r.lags,
        };
        append_versioned(r.version, &image, out);
    }
}

impl From<FrozenQueue> for QueueImage {
    fn from(frozen: FrozenQueue) -> QueueImage {
        QueueImage {
            store: frozen.store.image(),
            dedup: frozen.dedup.image(),
            attempts: frozen.attempts.image(),
            ..frozen.rest
        }
    }
}

/// Appends `image` after its version varint (a tuple is its fields back to
/// back in postcard). Serializing into a Vec fails only on types serde cannot
/// express, which an image has none of, or on a frozen sequence that is not
/// as long as it says, which the chunks' own counts rule out.
fn append_versioned(version: u32, image: &impl Serialize, out: &mut Vec<u8>) {
    *out = postcard::to_extend(&(version, image), std::mem::take(out))
        .expect("a queue image serializes into a Vec");
}

fn to_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

impl Queue {
    /// An image of the whole queue. Does not apply anything due (it takes no
    /// `now`): the restored queue applies it on its first call, as this one would.
    pub fn snapshot(&self) -> QueueImage {
        QueueImage::from(self.freeze())
    }

    /// The queue as it is now, turned into the image [`Queue::snapshot`]
    /// would give by [`QueueImage::from`], later and elsewhere: its cost here
    /// follows the chunks of messages and dedup keys, not their number.
    pub fn freeze(&self) -> FrozenQueue {
        let a = &self.attrs;
        let rest = QueueImage {
            version: IMAGE_VERSION,
            settings: SettingsImage {
                name: self.settings.name.clone(),
                arn: self.settings.arn.clone(),
                dedup_window_ms: self.settings.dedup_window_ms,
                escape_horizon_ms: self.settings.escape_horizon_ms,
                escape_tombstone_cap: to_u64(self.settings.escape_tombstone_cap),
                escape_record_cap: to_u64(self.settings.escape_record_cap),
            },
            attributes: AttributesImage {
                fifo: a.kind == QueueKind::Fifo,
                delay_seconds: a.delay_seconds,
                maximum_message_size: a.maximum_message_size,
                message_retention_period: a.message_retention_period,
                receive_message_wait_time_seconds: a.receive_message_wait_time_seconds,
                visibility_timeout: a.visibility_timeout,
                redrive_policy: a
                    .redrive_policy
                    .as_ref()
                    .map(|p| (p.dead_letter_target_arn.clone(), p.max_receive_count)),
                redrive_allow_policy: a.redrive_allow_policy.clone(),
                policy: a.policy.clone(),
                kms_master_key_id: a.kms_master_key_id.clone(),
                kms_data_key_reuse_period_seconds: a.kms_data_key_reuse_period_seconds,
                sqs_managed_sse_enabled: a.sqs_managed_sse_enabled,
                content_based_deduplication: a.content_based_deduplication,
                dedup_scope_message_group: a.deduplication_scope == DedupScope::MessageGroup,
                throughput_per_group: a.throughput_per_group,
            },
            tags: self.tags.clone(),
            created: self.created.as_millis(),
            last_modified: self.last_modified.as_millis(),
            incarnation: self.incarnation,
            sequence_seed: self.sequence_seed,
            next_sequence: self.next_sequence,
            next_serial: self.next_serial,
            next_receive: self.next_receive,
            ids_drawn: self.ids_drawn,
            store: StoreImage::default(),
            dedup: DedupImage::default(),
            attempts: AttemptsImage::default(),
            last_purge: self.last_purge.map(Timestamp::as_millis),
            last_sender: self.last_sender.to_string(),
            stats: StatsImage {
                sent: self.stats.sent,
                duplicates: self.stats.duplicates,
                escapes: self.stats.escapes,
                received: self.stats.received,
                redelivered: self.stats.redelivered,
                deleted: self.stats.deleted,
            },
            lags: self.lags.image(),
        };
        FrozenQueue {
            rest,
            store: self.store.freeze(),
            dedup: self.dedup.freeze(),
            attempts: self.attempts.freeze(),
        }
    }

    /// The queue `image` was taken of. `ids` must hand out the ids the
    /// snapshotted queue's source would have handed out next (after
    /// [`QueueImage::ids_drawn`] of them). Every index is rebuilt, and an
    /// image whose parts contradict each other is refused.
    pub fn restore(image: QueueImage, ids: Box<dyn IdSource>) -> Result<Queue, SnapshotError> {
        let queue = image.settings.name.clone();
        restore(image, ids).map_err(|problem| SnapshotError::Inconsistent { queue, problem })
    }
}

fn restore(image: QueueImage, ids: Box<dyn IdSource>) -> Result<Queue, String> {
    if image.version != IMAGE_VERSION {
        return Err(format!(
            "version {} (this build reads {IMAGE_VERSION})",
            image.version
        ));
    }
    let s = image.settings;
    let a = image.attributes;
    if a.fifo != s.name.ends_with(".fifo") {
        return Err(format!(
            "FifoQueue is {} for a queue named {:?}",
            a.fifo, s.name
        ));
    }
    let settings = QueueSettings {
        name: s.name,
        arn: s.arn,
        dedup_window_ms: s.dedup_window_ms,
        escape_horizon_ms: s.escape_horizon_ms,
        escape_tombstone_cap: to_usize(s.escape_tombstone_cap),
        escape_record_cap: to_usize(s.escape_record_cap),
    };
    let kind = if a.fifo {
        QueueKind::Fifo
    } else {
        QueueKind::Standard
    };
    let attrs = QueueAttributes {
        kind,
        delay_seconds: a.delay_seconds,
        maximum_message_size: a.maximum_message_size,
        message_retention_period: a.message_retention_period,
        receive_message_wait_time_seconds: a.receive_message_wait_time_seconds,
        visibility_timeout: a.visibility_timeout,
        redrive_policy: a
            .redrive_policy
            .map(
                |(dead_letter_target_arn, max_receive_count)| RedrivePolicy {
                    dead_letter_target_arn,
                    max_receive_count,
                },
            ),
        redrive_allow_policy: a.redrive_allow_policy,
        policy: a.policy,
        kms_master_key_id: a.kms_master_key_id,
        kms_data_key_reuse_period_seconds: a.kms_data_key_reuse_period_seconds,
        sqs_managed_sse_enabled: a.sqs_managed_sse_enabled,
        content_based_deduplication: a.content_based_deduplication,
        deduplication_scope: if a.dedup_scope_message_group {
            DedupScope::MessageGroup
        } else {
            DedupScope::Queue
        },
        throughput_per_group: a.throughput_per_group,
    };
    let fifo = kind == QueueKind::Fifo;
    if !fifo && !image.dedup.is_empty() {
        return Err("a standard queue with dedup keys".into());
    }
    let dedup = DedupTable::restore(image.dedup, dedup_limits(&settings), image.next_sequence)?;
    let mut last_sender: Arc<str> = Arc::from(image.last_sender);
    let store = Store::restore(
        image.store,
        fifo,
        secs_to_ms(attrs.message_retention_period),
        super::store::Counters {
            next_serial: image.next_serial,
            next_sequence: image.next_sequence,
            next_receive: image.next_receive,
        },
        &dedup,
        &mut last_sender,
    )?;
    let attempts = Attempts::restore(image.attempts, image.next_serial, image.next_receive)?;
    let lags = RetryLags::restore(image.lags)?;
    if lags.window_ms() != settings.dedup_window_ms {
        return Err(format!(
            "retry lags for a {} ms window in a queue with a {} ms window",
            lags.window_ms(),
            settings.dedup_window_ms
        ));
    }
    let st = image.stats;
    Ok(Queue {
        settings,
        ids,
        attrs,
        tags: image.tags,
        created: Timestamp(image.created),
        last_modified: Timestamp(image.last_modified),
        incarnation: image.incarnation,
        sequence_seed: image.sequence_seed,
        next_sequence: image.next_sequence,
        next_serial: image.next_serial,
        next_receive: image.next_receive,
        ids_drawn: image.ids_drawn,
        store,
        dedup,
        attempts,
        last_purge: image.last_purge.map(Timestamp),
        last_sender,
        stats: QueueStats {
            sent: st.sent,
            duplicates: st.duplicates,
            escapes: st.escapes,
            received: st.received,
            redelivered: st.redelivered,
            deleted: st.deleted,
        },
        lags,
    })
}
