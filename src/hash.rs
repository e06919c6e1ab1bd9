//! A fast hash for the caches keyed by words (shaping, hyphenation, word plans).

use std::hash::{BuildHasherDefault, Hasher};

/// A map keyed by words, hashed with [`FxHasher`]: the shape of every word cache.
pub(crate) type WordMap<V> = std::collections::HashMap<Box<str>, V, BuildHasherDefault<FxHasher>>;

/// The hash of rustc's `FxHasher` (a multiply and rotate per word). The shaping
/// and hyphenation caches are keyed by short words from our own documents, where
/// SipHash's resistance to chosen collisions buys nothing and costs a third of a
/// lookup.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl FxHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(tail));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
