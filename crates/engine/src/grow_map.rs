//! A hash map that grows a few buckets at a time instead of all at once.
//!
//! `std`'s `HashMap` doubles by moving every entry into a new table inside the
//! one insert that finds it full: about 0.2 µs per entry, so 170 ms at a million
//! dedup ids, during which the queue's lock is held and every request to the
//! queue waits (BENCHMARKS.md). [`GrowMap`] instead starts a second, larger
//! table when the first is full, inserts only into the new one, and moves
//! [`MOVE_BUCKETS`] buckets of the old table on every insert and remove until the
//! old table is empty. Lookups check both tables while a move is under way.
//! Tombstones left by removals are cleared the same way, since a table full of
//! them starts a move into a table sized for the live entries.

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
    table: HashTable<(K, V)>,
    /// The table being emptied into `table`; empty when no move is under way.
    old: HashTable<(K, V)>,
    /// The next bucket of `old` to move.
    cursor: usize,
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
        f.debug_map()
            .entries(
                self.table
                    .iter()
                    .chain(self.old.iter())
                    .map(|(k, v)| (k, v)),
            )
            .finish()
    }
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

    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        let eq = |(k, _): &(K, V)| k.borrow() == key;
        match self.table.find(hash, eq) {
            Some((_, v)) => Some(v),
            None if !self.old.is_empty() => self.old.find(hash, eq).map(|(_, v)| v),
            None => None,
        }
    }

    pub(crate) fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let hash = self.hasher.hash_one(key);
        let eq = |(k, _): &(K, V)| k.borrow() == key;
        if let Some((_, v)) = self.table.find_mut(hash, eq) {
            return Some(v);
        }
        self.old.find_mut(hash, eq).map(|(_, v)| v)
    }

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
        if let Some((_, v)) = self.table.find_mut(hash, |(k, _)| *k == key) {
            return Some(std::mem::replace(v, value));
        }
        let previous = match self.old.find_entry(hash, |(k, _)| *k == key) {
            Ok(entry) => Some(entry.remove().0.1),
            Err(_) => None,
        };
        if self.table.len() == self.table.capacity() {
            self.start_move();
        }
        let hasher = &self.hasher;
        self.table
            .insert_unique(hash, (key, value), |(k, _)| hasher.hash_one(k));
        previous
    }

    pub(crate) fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.step();
        let hash = self.hasher.hash_one(key);
        let eq = |(k, _): &(K, V)| k.borrow() == key;
        if let Ok(entry) = self.table.find_entry(hash, eq) {
            return Some(entry.remove().0.1);
        }
        match self.old.find_entry(hash, eq) {
            Ok(entry) => Some(entry.remove().0.1),
            Err(_) => None,
        }
    }

    pub(crate) fn clear(&mut self) {
        self.table.clear();
        self.old = HashTable::new();
        self.cursor = 0;
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.table
            .iter()
            .chain(self.old.iter())
            .map(|(k, v)| (k, v))
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = &K> {
        self.iter().map(|(k, _)| k)
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
        let hasher = &self.hasher;
        for index in self.cursor..end {
            if let Ok(entry) = self.old.get_bucket_entry(index) {
                let (entry, _) = entry.remove();
                let hash = hasher.hash_one(&entry.0);
                self.table
                    .insert_unique(hash, entry, |(k, _)| hasher.hash_one(k));
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
