//! A FIFO queue stored in fixed-size chunks, so it never copies itself to grow.
//!
//! `VecDeque` doubles by moving every element into a new buffer inside one
//! `push_back`, a pause that grows with the queue, with the queue's lock held
//! (the send_stalls example measures it). [`ChunkDeque`]
//! allocates one chunk of [`CHUNK`] elements at a time and frees chunks as the
//! front empties, keeping one spare so a queue that hovers around a chunk
//! boundary does not allocate on every push.
//!
//! Chunks are shared (`Arc`), so a clone costs one pointer per chunk and
//! stays as it was taken: the first change to a chunk a clone shares copies
//! that chunk (`Arc::make_mut`). Durable snapshots take such clones while the
//! queue's lock is held and read them after it is released.

use std::collections::VecDeque;
use std::sync::Arc;

/// Elements per chunk: big enough that the deque of chunks stays small (a
/// thousand chunks at a million elements), small enough that a new chunk is a
/// cheap allocation.
const CHUNK: usize = 1024;

/// The operations the engine's order queues use, in `VecDeque`'s names.
#[derive(Clone, Debug)]
pub(crate) struct ChunkDeque<T> {
    /// Each holds at most `CHUNK` elements and is allocated with that capacity,
    /// so it never grows.
    chunks: VecDeque<Arc<VecDeque<T>>>,
    /// An emptied chunk kept for the next push that needs one.
    spare: Option<VecDeque<T>>,
}

impl<T> Default for ChunkDeque<T> {
    fn default() -> Self {
        Self {
            chunks: VecDeque::new(),
            spare: None,
        }
    }
}

/// The index of the element numbered `place` in a deque whose front element
/// is numbered `front`: users that number their elements in push order keep
/// such numbers in their indexes, since numbers never move when the front pops.
pub(crate) fn offset(place: u64, front: u64) -> usize {
    usize::try_from(place - front).unwrap_or(usize::MAX)
}

impl<T: Clone> ChunkDeque<T> {
    pub(crate) fn push_back(&mut self, value: T) {
        if self.chunks.back().is_none_or(|c| c.len() == CHUNK) {
            let chunk = self
                .spare
                .take()
                .unwrap_or_else(|| VecDeque::with_capacity(CHUNK));
            self.chunks.push_back(Arc::new(chunk));
        }
        if let Some(last) = self.chunks.back_mut() {
            Arc::make_mut(last).push_back(value);
        }
    }

    pub(crate) fn front(&self) -> Option<&T> {
        self.chunks.front().and_then(|c| c.front())
    }

    pub(crate) fn pop_front(&mut self) -> Option<T> {
        let first = Arc::make_mut(self.chunks.front_mut()?);
        let value = first.pop_front()?;
        if first.is_empty()
            && let Some(empty) = self.chunks.pop_front()
        {
            // A copy made by `make_mut` may have a smaller capacity: keep only
            // a chunk that cannot grow.
            self.spare = Arc::try_unwrap(empty)
                .ok()
                .filter(|c| c.capacity() >= CHUNK);
        }
        Some(value)
    }

    /// The element `index` places from the front. Every chunk but the first
    /// and the last is full, so this is two divisions, not a walk.
    pub(crate) fn get(&self, index: usize) -> Option<&T> {
        let (chunk, offset) = self.locate(index)?;
        self.chunks.get(chunk)?.get(offset)
    }

    pub(crate) fn get_mut(&mut self, index: usize) -> Option<&mut T> {
        let (chunk, offset) = self.locate(index)?;
        Arc::make_mut(self.chunks.get_mut(chunk)?).get_mut(offset)
    }

    fn locate(&self, index: usize) -> Option<(usize, usize)> {
        let first = self.chunks.front()?.len();
        if index < first {
            return Some((0, index));
        }
        let rest = index - first;
        Some((1 + rest / CHUNK, rest % CHUNK))
    }

    pub(crate) fn clear(&mut self) {
        self.chunks.clear();
    }

    /// The number of values (a walk over the chunks, not the values).
    pub(crate) fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.len()).sum()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// From the back to the front.
    pub(crate) fn iter_rev(&self) -> impl Iterator<Item = &T> {
        self.chunks
            .iter()
            .rev()
            .flat_map(|chunk| chunk.iter().rev())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_like_a_vec_deque_across_chunk_boundaries() {
        let mut deque = ChunkDeque::default();
        let mut model = VecDeque::new();
        let mut next = 0u32;
        // Grow past several chunks, shrink to empty, and go round again.
        for (pushes, pops) in [(3000, 1000), (10, 2010), (2500, 2500), (CHUNK, 1)] {
            for _ in 0..pushes {
                deque.push_back(next);
                model.push_back(next);
                next += 1;
            }
            for _ in 0..pops {
                assert_eq!(deque.pop_front(), model.pop_front());
            }
            assert_eq!(deque.len(), model.len());
            assert_eq!(deque.front(), model.front());
            assert!(deque.iter().eq(model.iter()));
            for i in [0, 1, 1023, 1024, 1025, 2047, 2048, model.len()] {
                assert_eq!(deque.get(i), model.get(i), "index {i}");
            }
        }
        if let Some(v) = deque.get_mut(3) {
            *v = 7;
        }
        assert_eq!(deque.get(3), Some(&7));
        assert_eq!(deque.pop_front(), Some(next - CHUNK as u32 + 1));
        deque.clear();
        assert_eq!((deque.len(), deque.front()), (0, None));
        assert_eq!(deque.pop_front(), None);
    }

    #[test]
    fn chunks_never_grow_past_their_first_allocation() {
        let mut deque = ChunkDeque::default();
        for i in 0..(5 * CHUNK as u64 + 7) {
            deque.push_back(i);
        }
        assert_eq!(deque.chunks.len(), 6);
        assert!(deque.chunks.iter().all(|c| c.capacity() < 2 * CHUNK));
    }

    #[test]
    fn a_clone_keeps_the_elements_it_was_taken_with() {
        let mut deque = ChunkDeque::default();
        for i in 0..(3 * CHUNK as u64) {
            deque.push_back(i);
        }
        let frozen = deque.clone();
        deque.pop_front();
        deque.push_back(7);
        if let Some(v) = deque.get_mut(CHUNK + 1) {
            *v = 0;
        }
        assert!(frozen.iter().copied().eq(0..(3 * CHUNK as u64)));
        assert_eq!(deque.front(), Some(&1));
        assert_eq!(deque.get(CHUNK + 1), Some(&0));
        assert_eq!(deque.len(), 3 * CHUNK);
    }
}
