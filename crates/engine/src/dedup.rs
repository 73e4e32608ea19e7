//! The deduplication window: live keys with insertion-ordered expiry, and escape tombstones.
//!
//! One boundary rule, shared with the analyzer: a send at `t` is a duplicate iff
//! `t < first_accepted + window`. The window is anchored at the first accepted
//! send; duplicates do not extend it. Because the window is the same for every
//! key of a queue, keys expire in the order they were inserted, so live keys are
//! kept in a deque in that order and expire from its front with no scans and no
//! timers. A hash index maps each key to its place in the deque: its slots are
//! 16 bytes (hash and place), so the one random memory access a new key costs
//! lands in a table a fifth the size of one holding the entries themselves.
//!
//! When a key expires it leaves a tombstone (key -> first accepted send) for a
//! horizon, so a later send with that key, accepted as new as AWS does, can be
//! recorded as an *escape* with its lateness.

use std::borrow::Borrow;
use std::collections::VecDeque;
use std::hash::{BuildHasher, BuildHasherDefault};
use std::sync::Arc;

use crate::chunk_deque::{ChunkDeque, offset};
use crate::clock::Timestamp;
use crate::hash::{FastHasher, LargeMap};

mod snapshot;

pub use snapshot::DedupImage;
pub(crate) use snapshot::FrozenDedup;

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

/// One live dedup key, as the inspection API shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DedupEntryView {
    /// The MessageDeduplicationId (explicit, or the content hash).
    pub dedup_id: String,
    /// The message group of the first accepted send.
    pub group_id: Option<String>,
    /// The MessageId every duplicate of this key is answered with.
    pub message_id: String,
    /// When the first accepted send happened (the window's anchor).
    pub first_sent: Timestamp,
    /// `first_sent + window`: the first instant a resend is accepted again.
    pub expires_at: Timestamp,
    /// How many sends this key has suppressed so far.
    pub suppressed: u64,
    /// When the most recent of them arrived (the queue keeps the last
    /// [`SUPPRESSION_RECORD_CAP`] suppressions), oldest first.
    pub suppressed_at: Vec<Timestamp>,
}

/// A dedup key whose window has closed and whose tombstone is still kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpiredDedupView {
    pub dedup_id: String,
    /// Known under messageGroup scope, where the group is part of the key.
    pub group_id: Option<String>,
    pub first_sent: Timestamp,
    /// `first_sent + window`.
    pub expired_at: Timestamp,
}

/// Suppressed sends remembered with their time, per queue, for the inspection
/// API's timeline: enough for a screenful of marks, a fixed cost on the
/// duplicate path only.
pub const SUPPRESSION_RECORD_CAP: usize = 1024;

/// The key as stored: the dedup id, or `group \n id` under messageGroup scope.
/// Ids are printable ASCII, so the separator cannot collide. One shared
/// allocation serves both the map and the expiry queue.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key(Arc<str>);

impl Borrow<str> for Key {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Separates the group from the id in a messageGroup-scope key.
pub const GROUP_SEPARATOR: char = '\n';

impl Key {
    fn dedup_id(&self) -> &str {
        id_of_key(&self.0)
    }
}

/// The MessageDeduplicationId in a stored key (which may carry its group).
pub(crate) fn id_of_key(key: &str) -> &str {
    key.split_once(GROUP_SEPARATOR).map_or(key, |(_, id)| id)
}

/// The group in a messageGroup-scope key.
fn group_of_key(key: &str) -> Option<&str> {
    key.split_once(GROUP_SEPARATOR).map(|(group, _)| group)
}

/// One live key, in insertion (and so expiry) order.
#[derive(Clone, Debug)]
struct Live {
    key: Key,
    expires_at: Timestamp,
    message_id: Arc<str>,
    /// The queue's sequence-number offset of the original message.
    sequence: u64,
    group: Option<Arc<str>>,
    first_sent: Timestamp,
    suppressed: u64,
}

/// One entry of the tombstone order.
#[derive(Clone, Debug)]
struct Tomb {
    first_sent: Timestamp,
    key: Key,
    /// The key's tombstone; false once the key was accepted again or buried
    /// anew (the entry then only waits its turn to be dropped). Kept here, not
    /// only in the map, so a clone of the order tells which entries count.
    current: bool,
}

/// The hash the live index files a key under.
fn key_hash(key: &str) -> u64 {
    BuildHasherDefault::<FastHasher>::default().hash_one(key)
}

/// The offset in `live` of the entry of `key` (the stored form, scope included).
fn find_place(
    live: &ChunkDeque<Live>,
    index: &LargeMap<u64, ()>,
    front: u64,
    key: &str,
) -> Option<usize> {
    let place = index.find_hashed(key_hash(key), |&p| {
        live.get(offset(p, front)).is_some_and(|e| &*e.key.0 == key)
    })?;
    Some(offset(*place, front))
}

/// Marks the tombstone-order entry at `place` stale (`order`'s front has
/// place `front`); returns its first accepted send.
fn mark_stale(order: &mut ChunkDeque<Tomb>, front: u64, place: u64) -> Option<Timestamp> {
    let entry = order.get_mut(offset(place, front))?;
    entry.current = false;
    Some(entry.first_sent)
}

/// What a send's key found in the table.
#[derive(Debug, PartialEq, Eq)]
pub enum Check<'a> {
    /// Inside the window: answer with the original message.
    Duplicate {
        message_id: &'a str,
        sequence: u64,
        /// The window's anchor, for the retry lag.
        first_sent: Timestamp,
    },
    /// Accepted as new; `Some` when the key's window had closed (an escape).
    New(Option<EscapeRecord>),
}

/// Per-table limits, copied from the queue (or topic) settings.
#[derive(Copy, Clone, Debug)]
pub struct Limits {
    pub window_ms: u64,
    pub horizon_ms: u64,
    pub tombstone_cap: usize,
    pub record_cap: usize,
}

/// The dedup window of one FIFO queue (or one SNS FIFO topic).
#[derive(Debug)]
pub struct DedupTable {
    limits: Limits,
    /// Key scope fixed at creation: `(group, id)` instead of `id`.
    by_group: bool,
    /// Live keys in insertion order; the front one has place `live_front`.
    live: ChunkDeque<Live>,
    live_front: u64,
    /// The place the next live key gets: places only grow, so a place in the
    /// index names one entry for as long as that entry lives.
    live_next: u64,
    /// Key hash -> place in `live`.
    live_index: LargeMap<u64, ()>,
    /// Expired key -> the place of its current entry in `tombstone_order`.
    tombstones: LargeMap<Key, u64>,
    /// Tombstones in expiry order; the front one has place `tombstone_front`.
    tombstone_order: ChunkDeque<Tomb>,
    tombstone_front: u64,
    /// The place the next tombstone gets.
    tombstone_next: u64,
    escapes: VecDeque<EscapeRecord>,
    escape_total: u64,
    /// The latest suppressed sends: (key, when), oldest first.
    suppressions: VecDeque<(Key, Timestamp)>,
    /// Reused to build messageGroup-scope lookup keys without allocating.
    scratch: String,
}

impl DedupTable {
    pub fn new(limits: Limits, by_group: bool) -> Self {
        Self {
            limits,
            by_group,
            live: ChunkDeque::default(),
            live_front: 0,
            live_next: 0,
            live_index: LargeMap::default(),
            tombstones: LargeMap::default(),
            tombstone_order: ChunkDeque::default(),
            tombstone_front: 0,
            tombstone_next: 0,
            escapes: VecDeque::new(),
            escape_total: 0,
            suppressions: VecDeque::new(),
            scratch: String::new(),
        }
    }

    /// Applies every expiry due at `now`: live keys become tombstones, old tombstones go.
    pub fn expire(&mut self, now: Timestamp) {
        while self.live.front().is_some_and(|e| e.expires_at <= now) {
            let Some(entry) = self.live.pop_front() else {
                break;
            };
            let place = self.live_front;
            self.live_front += 1;
            let hash = key_hash(&entry.key.0);
            self.live_index.remove_hashed(hash, |&p| p == place);
            // Expiry is applied lazily, so a key may already be past its horizon.
            if now < entry.expires_at.plus_ms(self.limits.horizon_ms) {
                self.bury(entry.key, entry.first_sent);
            }
        }
        let lifetime = self.limits.window_ms.saturating_add(self.limits.horizon_ms);
        while let Some(oldest) = self.tombstone_order.front() {
            if oldest.first_sent.plus_ms(lifetime) > now {
                break;
            }
            self.pop_tombstone();
        }
    }

    /// Pops the oldest tombstone-order entry, and its key's tombstone when the
    /// entry is current (a stale one must not take a newer tombstone with it);
    /// says whether it was current.
    fn pop_tombstone(&mut self) -> Option<bool> {
        let oldest = self.tombstone_order.pop_front()?;
        self.tombstone_front += 1;
        if oldest.current {
            self.tombstones.remove(&oldest.key);
        }
        Some(oldest.current)
    }

    fn bury(&mut self, key: Key, first_sent: Timestamp) {
        if self.limits.tombstone_cap == 0 {
            return;
        }
        while self.tombstones.len() >= self.limits.tombstone_cap {
            if !self.drop_oldest_tombstone() {
                break;
            }
        }
        let place = self.tombstone_next;
        self.tombstone_next += 1;
        if let Some(older) = self.tombstones.insert(key.clone(), place) {
            mark_stale(&mut self.tombstone_order, self.tombstone_front, older);
        }
        self.tombstone_order.push_back(Tomb {
            first_sent,
            key,
            current: true,
        });
    }

    /// Drops the oldest current tombstone (stale entries before it go too);
    /// false when there was none.
    fn drop_oldest_tombstone(&mut self) -> bool {
        while let Some(current) = self.pop_tombstone() {
            if current {
                return true;
            }
        }
        false
    }

    /// Looks `(group, dedup_id)` up at `now` (after [`Self::expire`]). A duplicate
    /// is counted as suppressed; a new key is *not* inserted (see [`Self::insert`]).
    pub fn check(&mut self, group: &str, dedup_id: &str, now: Timestamp) -> Check<'_> {
        let key: &str = if self.by_group {
            self.scratch.clear();
            self.scratch.push_str(group);
            self.scratch.push(GROUP_SEPARATOR);
            self.scratch.push_str(dedup_id);
            &self.scratch
        } else {
            dedup_id
        };
        let found = find_place(&self.live, &self.live_index, self.live_front, key);
        if let Some(live) = found.and_then(|place| self.live.get_mut(place)) {
            live.suppressed += 1;
            if self.suppressions.len() >= SUPPRESSION_RECORD_CAP {
                self.suppressions.pop_front();
            }
            self.suppressions.push_back((live.key.clone(), now));
            return Check::Duplicate {
                message_id: &live.message_id,
                sequence: live.sequence,
                first_sent: live.first_sent,
            };
        }
        let Some(first_sent) = self
            .tombstones
            .remove(key)
            .and_then(|place| mark_stale(&mut self.tombstone_order, self.tombstone_front, place))
        else {
            return Check::New(None);
        };
        let record = EscapeRecord {
            dedup_id: dedup_id.to_string(),
            group_id: Some(group.to_string()),
            first_sent,
            resent: now,
            late_by_ms: now
                .as_millis()
                .saturating_sub(first_sent.plus_ms(self.limits.window_ms).as_millis()),
        };
        self.escape_total += 1;
        if self.limits.record_cap > 0 {
            if self.escapes.len() >= self.limits.record_cap {
                self.escapes.pop_front();
            }
            self.escapes.push_back(record.clone());
        }
        Check::New(Some(record))
    }

    /// Records an accepted send under its key; call after `check` returned `New`.
    /// Returns the stored key, for the message to share.
    pub fn insert(
        &mut self,
        group: &Arc<str>,
        dedup_id: &str,
        message_id: &Arc<str>,
        sequence: u64,
        now: Timestamp,
    ) -> Arc<str> {
        let key = if self.by_group {
            let mut s = String::with_capacity(group.len() + 1 + dedup_id.len());
            s.push_str(group);
            s.push(GROUP_SEPARATOR);
            s.push_str(dedup_id);
            Key(Arc::from(s))
        } else {
            Key(Arc::from(dedup_id))
        };
        // `check` just found the key absent.
        let place = self.live_next;
        self.live_next += 1;
        self.live_index.insert_hashed(key_hash(&key.0), place, ());
        let shared = Arc::clone(&key.0);
        self.live.push_back(Live {
            key,
            expires_at: now.plus_ms(self.limits.window_ms),
            message_id: Arc::clone(message_id),
            sequence,
            group: Some(Arc::clone(group)),
            first_sent: now,
            suppressed: 0,
        });
        shared
    }

    /// PurgeQueue: forgets every live key. Tombstones stay, so escapes of keys that
    /// had expired before the purge are still detected.
    pub fn clear(&mut self) {
        self.suppressions.clear();
        self.live.clear();
        self.live_index.clear();
        self.live_front = self.live_next;
    }

    /// The earliest live-key expiry.
    pub fn next_expiry(&self) -> Option<Timestamp> {
        self.live.front().map(|e| e.expires_at)
    }

    pub(crate) fn by_group(&self) -> bool {
        self.by_group
    }

    pub(crate) fn len(&self) -> usize {
        self.live_index.len()
    }

    pub(crate) fn tombstone_len(&self) -> usize {
        self.tombstones.len()
    }

    pub fn escape_total(&self) -> u64 {
        self.escape_total
    }

    pub fn escapes(&self) -> Vec<EscapeRecord> {
        self.escapes.iter().cloned().collect()
    }

    /// Live keys in insertion order.
    pub fn entries(&self) -> Vec<DedupEntryView> {
        let mut times: std::collections::HashMap<&str, Vec<Timestamp>> =
            std::collections::HashMap::new();
        for (key, at) in &self.suppressions {
            times.entry(&key.0).or_default().push(*at);
        }
        self.live
            .iter()
            .map(|live| DedupEntryView {
                dedup_id: live.key.dedup_id().to_string(),
                group_id: live.group.as_deref().map(str::to_string),
                message_id: live.message_id.to_string(),
                first_sent: live.first_sent,
                expires_at: live.expires_at,
                suppressed: live.suppressed,
                // A key accepted again after it expired starts a new bar.
                suppressed_at: times.get(&*live.key.0).map_or_else(Vec::new, |at| {
                    at.iter()
                        .copied()
                        .filter(|t| *t >= live.first_sent)
                        .collect()
                }),
            })
            .collect()
    }

    /// Up to `limit` expired keys still remembered, the latest to expire first.
    pub fn expired(&self, limit: usize) -> Vec<ExpiredDedupView> {
        self.tombstone_order
            .iter_rev()
            // Entries of keys accepted again since are stale.
            .filter(|t| t.current)
            .take(limit)
            .map(|t| ExpiredDedupView {
                dedup_id: t.key.dedup_id().to_string(),
                group_id: group_of_key(&t.key.0).map(str::to_string),
                first_sent: t.first_sent,
                expired_at: t.first_sent.plus_ms(self.limits.window_ms),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
