//! A fast, non-cryptographic hasher for the engine's internal maps.
//!
//! Every hot-path operation does one or two map lookups keyed by message serials
//! (their chunks) or dedup ids; SipHash's flooding resistance buys nothing for a local emulator
//! and costs a large share of a send at ten million live keys.

use std::collections::HashMap;
#[cfg(test)]
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

use crate::grow_map::GrowMap;

/// `HashMap` with [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
/// `HashSet` with [`FastHasher`].
#[cfg(test)]
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;
/// [`FastMap`] for maps that may hold millions of entries (dedup ids): grows
/// without stalls ([`GrowMap`]).
pub(crate) type LargeMap<K, V> = GrowMap<K, V, BuildHasherDefault<FastHasher>>;

/// Rotate-xor-multiply over 8-byte words (the FxHash scheme), with a final
/// avalanche so the high bits the table uses for its control bytes are mixed too.
#[derive(Default, Clone, Copy, Debug)]
pub(crate) struct FastHasher(u64);

const K: u64 = 0x517c_c1b7_2722_0a95;

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, BuildHasherDefault};

    fn hash_of(s: &str) -> u64 {
        BuildHasherDefault::<FastHasher>::default().hash_one(s)
    }

    #[test]
    fn distinguishes_short_and_padded_strings() {
        assert_ne!(hash_of("a"), hash_of("a\0"));
        assert_ne!(hash_of("ab"), hash_of("ba"));
        assert_eq!(hash_of("same"), hash_of("same"));
    }

    #[test]
    fn sequential_serials_spread_over_high_bits() {
        let b = BuildHasherDefault::<FastHasher>::default();
        let tops: FastSet<u64> = (0u64..256).map(|i| b.hash_one(i) >> 57).collect();
        assert!(
            tops.len() > 64,
            "only {} distinct top-7-bit values",
            tops.len()
        );
    }
}
