//! A map from sequential serials to values, stored in shared fixed-size chunks
//! so that a copy of the whole map costs one pointer per chunk.
//!
//! A durable snapshot must see a queue exactly as it stood at one log
//! position while requests go on changing it. [`ChunkMap::clone`] copies only
//! the table of chunks (each an `Arc`); the first change to a chunk after
//! that copies that chunk alone (`Arc::make_mut`), so the copy keeps the old
//! values and the map the new ones. A map that is never copied pays one
//! uniqueness check per change.
//!
//! Chunks are found through a hash table keyed by serial / [`SLOTS`], not a
//! dense array, so one message kept long after millions of later ones were
//! deleted costs one chunk, not a pointer per chunk in between; a chunk whose
//! last value goes is freed. That table holds one entry per chunk, so its
//! growth (all at once, unlike [`crate::grow_map`]) moves little.

use std::sync::Arc;

use crate::hash::FastMap;

/// Values per chunk: large enough that a copy of a map of a million values
/// touches a few thousand chunks, small enough that the first change to a
/// shared chunk copies little and that a lone survivor keeps little memory.
const SLOTS: usize = 128;

#[derive(Clone, Debug)]
struct Chunk<T> {
    /// Occupied slots.
    live: usize,
    slots: [Option<T>; SLOTS],
}

/// Chunk number and slot of `serial`.
fn place(serial: u64) -> (u64, usize) {
    let slots = SLOTS as u64;
    // The remainder is below SLOTS, so it fits.
    (serial / slots, (serial % slots) as usize)
}

/// Serials to values; `clone` shares every chunk (see the module comment).
#[derive(Clone, Debug)]
pub(crate) struct ChunkMap<T> {
    chunks: FastMap<u64, Arc<Chunk<T>>>,
    len: usize,
}

impl<T> Default for ChunkMap<T> {
    fn default() -> Self {
        Self {
            chunks: FastMap::default(),
            len: 0,
        }
    }
}

impl<T: Clone> ChunkMap<T> {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn get(&self, serial: &u64) -> Option<&T> {
        let (chunk, slot) = place(*serial);
        self.chunks.get(&chunk)?.slots[slot].as_ref()
    }

    /// The value of `serial`, copying its chunk first if a clone shares it.
    pub(crate) fn get_mut(&mut self, serial: &u64) -> Option<&mut T> {
        let (chunk, slot) = place(*serial);
        let chunk = self.chunks.get_mut(&chunk)?;
        // Not there: no reason to copy a shared chunk.
        chunk.slots[slot].as_ref()?;
        Arc::make_mut(chunk).slots[slot].as_mut()
    }

    pub(crate) fn contains_key(&self, serial: &u64) -> bool {
        self.get(serial).is_some()
    }

    /// Stores `value` under a serial the caller knows is free.
    pub(crate) fn insert_absent(&mut self, serial: u64, value: T) {
        let (chunk, slot) = place(serial);
        let chunk = self.chunks.entry(chunk).or_insert_with(|| {
            Arc::new(Chunk {
                live: 0,
                slots: std::array::from_fn(|_| None),
            })
        });
        let chunk = Arc::make_mut(chunk);
        debug_assert!(
            chunk.slots[slot].is_none(),
            "insert_absent of a present serial"
        );
        if chunk.slots[slot].replace(value).is_none() {
            chunk.live += 1;
            self.len += 1;
        }
    }

    pub(crate) fn remove(&mut self, serial: &u64) -> Option<T> {
        let (number, slot) = place(*serial);
        let chunk = self.chunks.get_mut(&number)?;
        chunk.slots[slot].as_ref()?;
        if chunk.live == 1 {
            // The chunk goes with its last value: take it whole rather than
            // copy it when shared.
            let chunk = self.chunks.remove(&number)?;
            self.len -= 1;
            return match Arc::try_unwrap(chunk) {
                Ok(mut chunk) => chunk.slots[slot].take(),
                Err(shared) => shared.slots[slot].clone(),
            };
        }
        let chunk = Arc::make_mut(chunk);
        let value = chunk.slots[slot].take()?;
        chunk.live -= 1;
        self.len -= 1;
        Some(value)
    }

    pub(crate) fn clear(&mut self) {
        self.chunks.clear();
        self.len = 0;
    }

    /// Every (serial, value), in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, &T)> {
        self.chunks
            .iter()
            .flat_map(|(number, chunk)| slots_of(*number, chunk))
    }

    /// Every (serial, value) in serial order.
    pub(crate) fn iter_ordered(&self) -> impl Iterator<Item = (u64, &T)> {
        let mut numbers: Vec<u64> = self.chunks.keys().copied().collect();
        numbers.sort_unstable();
        numbers.into_iter().flat_map(|number| {
            self.chunks
                .get(&number)
                .into_iter()
                .flat_map(move |chunk| slots_of(number, chunk))
        })
    }
}

fn slots_of<T>(number: u64, chunk: &Chunk<T>) -> impl Iterator<Item = (u64, &T)> {
    let first = number * SLOTS as u64;
    (first..)
        .zip(&chunk.slots)
        .filter_map(|(serial, slot)| Some((serial, slot.as_ref()?)))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn behaves_like_a_btree_map_across_chunks() {
        let mut map = ChunkMap::default();
        let mut model = BTreeMap::new();
        for serial in 1..2000u64 {
            map.insert_absent(serial, serial * 10);
            model.insert(serial, serial * 10);
        }
        // Remove most, leaving lone survivors in some chunks and whole chunks empty.
        for serial in 1..2000u64 {
            if serial % 7 != 0 || (300..700).contains(&serial) {
                assert_eq!(map.remove(&serial), model.remove(&serial));
            }
        }
        assert_eq!(map.remove(&5), None);
        if let Some(v) = map.get_mut(&14) {
            *v = 1;
        }
        model.insert(14, 1);
        assert_eq!(map.len(), model.len());
        assert!(map.iter_ordered().eq(model.iter().map(|(k, v)| (*k, v))));
        assert!(map.contains_key(&21) && !map.contains_key(&22));
        // Chunks 3 and 4 (serials 384..640) held only removed serials.
        assert_eq!(map.chunks.len(), 16 - 2, "emptied chunks are freed");
        map.clear();
        assert_eq!((map.len(), map.iter().count()), (0, 0));
    }

    #[test]
    fn a_clone_keeps_the_values_it_was_taken_with() {
        let mut map = ChunkMap::default();
        for serial in 0..1000u64 {
            map.insert_absent(serial, vec![serial]);
        }
        let frozen = map.clone();
        map.insert_absent(1000, vec![0]);
        if let Some(v) = map.get_mut(&3) {
            v.push(7);
        }
        for serial in 0..SLOTS as u64 {
            map.remove(&serial);
        }
        map.remove(&500);
        assert_eq!(frozen.len(), 1000);
        assert!(
            frozen.iter_ordered().eq((0..1000u64)
                .map(|s| (s, vec![s]))
                .collect::<Vec<_>>()
                .iter()
                .map(|(s, v)| (*s, v)))
        );
        assert_eq!(map.get(&3), None);
        assert_eq!(map.get(&1000), Some(&vec![0]));
        assert_eq!(map.len(), 1000 - SLOTS);
    }
}
