//! A hash map that grows a few buckets at a time instead of all at once.
//!
//! `std`'s `HashMap` doubles by moving every entry into a new table inside the
//! one insert that finds it full, a pause that grows with the map, during which
//! the queue's lock is held and every request to the queue waits (BENCHMARKS.md
//! has the figures). [`GrowMap`] instead starts a second, larger
//! table when the first is full, inserts only into the new one, and moves
//! [`MOVE_BUCKETS`] buckets of the old table on every insert and remove until the
//! old table is empty. Lookups check both tables while a move is under way.
//! Tombstones left by removals are cleared the same way, since a table full of
//! them starts a move into a table sized for the live entries. Each entry keeps
//! its full hash, so moving it never reads the key (for a dedup id, a cache miss
//! on the string) and a lookup compares keys only when the hashes match.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;

/// Buckets of the old table examined per insert or remove while a move is under
/// way. The new table is sized to take at least as many inserts as the old one
/// has entries, and the old one has at most 8/7 buckets per entry, so any step
/// of two or more finishes the move before the new table fills; 16 bounds the
/// extra work per call to 16 moved entries.
pub(crate) const MOVE_BUCKETS: usize = 16;

/// The smallest table a move starts.
const MIN_CAPACITY: usize = 16;

/// A map with `HashMap`'s interface (the parts the engine uses) and no
/// all-at-once growth.
pub(crate) struct GrowMap<K, V, S> {
    hasher: S,
    /// Takes every insert.
    table: HashTable<Slot<K, V>>,
    /// The table being emptied into `table`; empty when no move is under way.
    old: HashTable<Slot<K, V>>,
    /// The next bucket of `old` to move.
    cursor: usize,
}

struct Slot<K, V> {
    hash: u64,
    key: K,
    value: V,
}

fn slot_hash<K, V>(slot: &Slot<K, V>) -> u64 {
    slot.hash
}

impl<K, V, S: Default> Default for GrowMap<K, V, S> {
    fn default() -> Self {
        Self {
            hasher: S::default(),
            table: HashTable::new(),
            old: HashTable::new(),
            cursor: 0,
        }
    }
}

impl<K: fmt::Debug, V: fmt::Debug, S> fmt::Debug for GrowMap<K, V, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slots = self.table.iter().chain(self.old.iter());
        f.debug_map()
            .entries(slots.map(|s| (&s.key, &s.value)))
            .finish()
    }
}

/// Matches the slot of `key`, whose hash is `hash`.
fn matches<'a, K, V, Q>(hash: u64, key: &'a Q) -> impl Fn(&Slot<K, V>) -> bool + 'a
where
    K: Borrow<Q>,
    Q: Eq + ?Sized,
{
    move |slot| slot.hash == hash && slot.key.borrow() == key
}

impl<K: Hash + Eq, V, S: BuildHasher> GrowMap<K, V, S> {
    pub(crate) fn len(&self) -> usize {
        self.table.len() + self.old.len()
    }

    /// Whether a move from an old table is under way (for tests).
    #[cfg(test)]
    pub(crate) fn moving(&self) -> bool {
        !self.old.is_empty()
    }

    #[cfg(test)]
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        let slot = match self.table.find(hash, matches(hash, key)) {
            Some(slot) => Some(slot),
            None if !self.old.is_empty() => self.old.find(hash, matches(hash, key)),
            None => None,
        };
        slot.map(|s| &s.value)
    }

    #[cfg(test)]
    pub(crate) fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get(key).is_some()
    }

    /// Inserts or replaces; returns the value replaced.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.step();
        let hash = self.hasher.hash_one(&key);
        if let Some(slot) = self.table.find_mut(hash, matches(hash, &key)) {
            return Some(std::mem::replace(&mut slot.value, value));
        }
        let previous = match self.old.find_entry(hash, matches(hash, &key)) {
            Ok(entry) => Some(entry.remove().0.value),
            Err(_) => None,
        };
        self.add(Slot { hash, key, value });
        previous
    }

    fn add(&mut self, slot: Slot<K, V>) {
        if self.table.len() == self.table.capacity() {
            self.start_move();
        }
        self.table.insert_unique(slot.hash, slot, slot_hash);
    }

    /// The key among those stored under `hash` that `eq` accepts. With the
    /// `_hashed` methods a map can index entries that live elsewhere: the
    /// caller hashes what identifies an entry, and the key says where it is.
    pub(crate) fn find_hashed(&self, hash: u64, mut eq: impl FnMut(&K) -> bool) -> Option<&K> {
        let mut accepts = |slot: &Slot<K, V>| slot.hash == hash && eq(&slot.key);
        match self.table.find(hash, &mut accepts) {
            Some(slot) => Some(&slot.key),
            None if !self.old.is_empty() => self.old.find(hash, accepts).map(|s| &s.key),
            None => None,
        }
    }

    /// Stores `key` under `hash`; the caller knows no stored key is equal.
    pub(crate) fn insert_hashed(&mut self, hash: u64, key: K, value: V) {
        self.step();
        self.add(Slot { hash, key, value });
    }

    /// Removes the entry under `hash` that `eq` accepts.
    pub(crate) fn remove_hashed(&mut self, hash: u64, mut eq: impl FnMut(&K) -> bool) -> Option<V> {
        self.step();
        let mut accepts = |slot: &Slot<K, V>| slot.hash == hash && eq(&slot.key);
        if let Ok(entry) = self.table.find_entry(hash, &mut accepts) {
            return Some(entry.remove().0.value);
        }
        match self.old.find_entry(hash, accepts) {
            Ok(entry) => Some(entry.remove().0.value),
            Err(_) => None,
        }
    }

    pub(crate) fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        self.remove_hashed(hash, |k| k.borrow() == key)
    }

    pub(crate) fn clear(&mut self) {
        self.table.clear();
        self.old = HashTable::new();
        self.cursor = 0;
    }

    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.table
            .iter()
            .chain(self.old.iter())
            .map(|s| (&s.key, &s.value))
    }

    /// The current table is full: it becomes the old table, and a table with
    /// room for twice its live entries takes the inserts from now on.
    fn start_move(&mut self) {
        // Only if a move could not finish in time (it always can, see MOVE_BUCKETS).
        while !self.old.is_empty() {
            self.step();
        }
        let capacity = (2 * self.table.len()).max(MIN_CAPACITY);
        self.old = std::mem::replace(&mut self.table, HashTable::with_capacity(capacity));
        self.cursor = 0;
    }

    /// Moves the next [`MOVE_BUCKETS`] buckets of the old table, if a move is under way.
    fn step(&mut self) {
        if self.old.is_empty() {
            if self.old.capacity() > 0 {
                // Emptied by removals: release its memory.
                self.old = HashTable::new();
            }
            return;
        }
        let end = (self.cursor + MOVE_BUCKETS).min(self.old.num_buckets());
        for index in self.cursor..end {
            if let Ok(entry) = self.old.get_bucket_entry(index) {
                let (slot, _) = entry.remove();
                self.table.insert_unique(slot.hash, slot, slot_hash);
            }
        }
        self.cursor = end;
        if self.cursor >= self.old.num_buckets() {
            debug_assert!(self.old.is_empty(), "every bucket was moved");
            self.old = HashTable::new();
            self.cursor = 0;
        }
    }
}

#[cfg(test)]
mod tests;
