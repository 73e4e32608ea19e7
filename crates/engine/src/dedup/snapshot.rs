//! The dedup table's part of a queue image: live keys in expiry order, the
//! tombstone order with each entry marked current or stale, escape records
//! and recent suppressions. The hash indexes are rebuilt on restore. Public
//! because an SNS FIFO topic's window is a dedup table too, and the server's
//! image holds it.
//!
//! [`DedupTable::freeze`] takes what the image needs in time proportional to
//! the chunks of the live keys and of the tombstone order, not to the keys
//! ([`ChunkDeque`] clones share chunks); [`FrozenDedup::image`] builds the
//! image from it later, while the table goes on changing, and
//! [`FrozenDedup::encoded`] is what that image would encode to, serialized
//! from the shared entries in place.

use std::collections::VecDeque;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::chunk_deque::ChunkDeque;
use crate::clock::Timestamp;
use crate::hash::{FastMap, LargeMap};
use crate::seq_from_iter::SeqFromIter;

use super::{
    DedupTable, EscapeRecord, GROUP_SEPARATOR, Key, Limits, Live, Tomb, find_place, key_hash,
};

/// A dedup table's state, serde data (the hash index is not in it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DedupImage {
    by_group: bool,
    /// In insertion (and expiry) order.
    live: Vec<LiveImage>,
    /// The tombstone order, oldest first.
    tombstones: Vec<TombstoneImage>,
    escapes: Vec<EscapeImage>,
    escape_total: u64,
    /// (key, when), oldest first.
    suppressions: Vec<(String, u64)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct LiveImage {
    /// Shared with the table, not copied (as in a message's image).
    key: Arc<str>,
    message_id: Arc<str>,
    sequence: u64,
    group: Option<Arc<str>>,
    first_sent: u64,
    suppressed: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct TombstoneImage {
    key: Arc<str>,
    first_sent: u64,
    /// The key's tombstone; a stale entry only waits its turn to be dropped.
    current: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct EscapeImage {
    dedup_id: String,
    group_id: Option<String>,
    first_sent: u64,
    resent: u64,
    late_by_ms: u64,
}

/// [`LiveImage`] borrowed from the live entry: same fields, same order, same
/// encoding.
#[derive(Serialize)]
struct LiveImageRef<'a> {
    key: &'a str,
    message_id: &'a str,
    sequence: u64,
    group: Option<&'a str>,
    first_sent: u64,
    suppressed: u64,
}

/// [`TombstoneImage`], borrowed.
#[derive(Serialize)]
struct TombstoneImageRef<'a> {
    key: &'a str,
    first_sent: u64,
    current: bool,
}

impl DedupImage {
    pub(crate) fn len(&self) -> usize {
        self.live.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.live.is_empty() && self.tombstones.is_empty() && self.escape_total == 0
    }
}

/// A dedup table's state at one instant, sharing the table's chunks.
#[derive(Debug)]
pub(crate) struct FrozenDedup {
    by_group: bool,
    live: ChunkDeque<Live>,
    tombstone_order: ChunkDeque<Tomb>,
    /// At most the record cap.
    escapes: VecDeque<EscapeRecord>,
    escape_total: u64,
    /// At most [`super::SUPPRESSION_RECORD_CAP`].
    suppressions: VecDeque<(Key, Timestamp)>,
}

impl FrozenDedup {
    pub(crate) fn image(&self) -> DedupImage {
        // Sized up front: the chunks' iterators do not know their length, and
        // growing a vector of a million entries copies it again and again.
        let mut live = Vec::with_capacity(self.live.len());
        live.extend(self.live.iter().map(|l| LiveImage {
            key: Arc::clone(&l.key.0),
            message_id: Arc::clone(&l.message_id),
            sequence: l.sequence,
            group: l.group.clone(),
            first_sent: l.first_sent.as_millis(),
            suppressed: l.suppressed,
        }));
        let mut tombstones = Vec::with_capacity(self.tombstone_order.len());
        tombstones.extend(self.tombstone_order.iter().map(|t| TombstoneImage {
            key: Arc::clone(&t.key.0),
            first_sent: t.first_sent.as_millis(),
            current: t.current,
        }));
        DedupImage {
            by_group: self.by_group,
            live,
            tombstones,
            escapes: self.escape_images(),
            escape_total: self.escape_total,
            suppressions: self.suppression_images(),
        }
    }

    /// What [`Self::image`] encodes to, serialized from the live entries and
    /// the tombstone order in place (the escape records and suppressions,
    /// bounded by their caps, are copied).
    pub(crate) fn encoded(&self) -> impl Serialize + '_ {
        #[derive(Serialize)]
        struct DedupImageRef<L, T> {
            by_group: bool,
            live: L,
            tombstones: T,
            escapes: Vec<EscapeImage>,
            escape_total: u64,
            suppressions: Vec<(String, u64)>,
        }
        DedupImageRef {
            by_group: self.by_group,
            live: SeqFromIter::new(self.live.len(), || {
                self.live.iter().map(|l| LiveImageRef {
                    key: &l.key.0,
                    message_id: &l.message_id,
                    sequence: l.sequence,
                    group: l.group.as_deref(),
                    first_sent: l.first_sent.as_millis(),
                    suppressed: l.suppressed,
                })
            }),
            tombstones: SeqFromIter::new(self.tombstone_order.len(), || {
                self.tombstone_order.iter().map(|t| TombstoneImageRef {
                    key: &t.key.0,
                    first_sent: t.first_sent.as_millis(),
                    current: t.current,
                })
            }),
            escapes: self.escape_images(),
            escape_total: self.escape_total,
            suppressions: self.suppression_images(),
        }
    }

    fn escape_images(&self) -> Vec<EscapeImage> {
        self.escapes
            .iter()
            .map(|e| EscapeImage {
                dedup_id: e.dedup_id.clone(),
                group_id: e.group_id.clone(),
                first_sent: e.first_sent.as_millis(),
                resent: e.resent.as_millis(),
                late_by_ms: e.late_by_ms,
            })
            .collect()
    }

    fn suppression_images(&self) -> Vec<(String, u64)> {
        self.suppressions
            .iter()
            .map(|(key, at)| (key.0.to_string(), at.as_millis()))
            .collect()
    }
}

impl DedupTable {
    /// The table's state now.
    pub fn image(&self) -> DedupImage {
        self.freeze().image()
    }

    /// The table as it is now, for [`FrozenDedup::image`].
    pub(crate) fn freeze(&self) -> FrozenDedup {
        FrozenDedup {
            by_group: self.by_group,
            live: self.live.clone(),
            tombstone_order: self.tombstone_order.clone(),
            escapes: self.escapes.clone(),
            escape_total: self.escape_total,
            suppressions: self.suppressions.clone(),
        }
    }

    /// The table `image` describes, with `limits` from the queue's settings;
    /// every live key's sequence must be below `next_sequence`.
    pub fn restore(
        image: DedupImage,
        limits: Limits,
        next_sequence: u64,
    ) -> Result<DedupTable, String> {
        let mut table = DedupTable::new(limits, image.by_group);
        let check_key = |key: &str| {
            if key.contains(GROUP_SEPARATOR) == image.by_group {
                Ok(())
            } else {
                Err(format!("dedup key {key:?} does not fit the table's scope"))
            }
        };
        let mut previous = 0;
        // Entries of one group share its name, as they do when sent.
        let mut groups: FastMap<String, Arc<str>> = FastMap::default();
        for live in image.live {
            check_key(&live.key)?;
            if live.sequence <= previous || live.sequence >= next_sequence {
                return Err(format!(
                    "dedup key {:?}: sequence {} out of order or not below the next sequence",
                    live.key, live.sequence
                ));
            }
            previous = live.sequence;
            if find_place(&table.live, &table.live_index, 0, &live.key).is_some() {
                return Err(format!("dedup key {:?} is live twice", live.key));
            }
            let key = Key(live.key);
            let place = table.live_next;
            table.live_next += 1;
            table.live_index.insert_hashed(key_hash(&key.0), place, ());
            let first_sent = Timestamp(live.first_sent);
            table.live.push_back(Live {
                key,
                expires_at: first_sent.plus_ms(limits.window_ms),
                message_id: live.message_id,
                sequence: live.sequence,
                group: live.group.map(|g| match groups.get(&*g) {
                    Some(shared) => Arc::clone(shared),
                    None => {
                        groups.insert(g.to_string(), Arc::clone(&g));
                        g
                    }
                }),
                first_sent,
                suppressed: live.suppressed,
            });
        }
        let mut order = ChunkDeque::default();
        let mut tombstones = LargeMap::default();
        for (place, t) in (0..).zip(image.tombstones) {
            check_key(&t.key)?;
            let key = Key(t.key);
            if t.current {
                let live = find_place(&table.live, &table.live_index, 0, &key.0).is_some();
                if live || tombstones.insert(key.clone(), place).is_some() {
                    return Err(format!(
                        "dedup key {:?} has two current entries (live or tombstone)",
                        key.0
                    ));
                }
            }
            order.push_back(Tomb {
                first_sent: Timestamp(t.first_sent),
                key,
                current: t.current,
            });
            table.tombstone_next = place + 1;
        }
        table.tombstones = tombstones;
        table.tombstone_order = order;
        table.escapes = image
            .escapes
            .into_iter()
            .map(|e| EscapeRecord {
                dedup_id: e.dedup_id,
                group_id: e.group_id,
                first_sent: Timestamp(e.first_sent),
                resent: Timestamp(e.resent),
                late_by_ms: e.late_by_ms,
            })
            .collect();
        table.escape_total = image.escape_total;
        table.suppressions = image
            .suppressions
            .into_iter()
            .map(|(key, at)| {
                // Share the live key's text when there is one, as `check` does.
                let key = match find_place(&table.live, &table.live_index, 0, &key) {
                    Some(place) => table.live.get(place).map(|l| l.key.clone()),
                    None => None,
                }
                .unwrap_or_else(|| Key(Arc::from(key)));
                (key, Timestamp(at))
            })
            .collect::<VecDeque<_>>();
        Ok(table)
    }

    /// Live entries in sequence order (which is their order): sequence,
    /// stored key, message id.
    pub(crate) fn live_by_sequence(&self) -> impl Iterator<Item = (u64, &Arc<str>, &Arc<str>)> {
        self.live
            .iter()
            .map(|entry| (entry.sequence, &entry.key.0, &entry.message_id))
    }
}
