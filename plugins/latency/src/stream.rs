//! Reading 1 MiB sequentially from memory: a different MiB each time, so it
//! comes from DRAM and not from a cache that still holds the last one.

use std::hint::black_box;
use std::time::Instant;

use crate::measure::{self, Budget};
use crate::{Outcome, Row, sys};

/// Words (u64) in one MiB.
const MIB_WORDS: usize = (1 << 20) / 8;

/// 128 MiB: four times a 32 MiB last-level cache; each MiB is read again only
/// after the other 127, long after it was evicted.
const BUFFER_MIB: usize = 128;

#[derive(Debug)]
pub struct ReadMemory {
    words: Vec<u64>,
}

impl ReadMemory {
    /// The sum of MiB number `mib`, read front to back.
    fn sum(&self, mib: usize) -> u64 {
        self.words[mib * MIB_WORDS..(mib + 1) * MIB_WORDS].iter().fold(0, |sum, &word| sum.wrapping_add(word))
    }
}

impl Row for ReadMemory {
    const NAME: &'static str = "read_memory_1mb";
    const DESCRIPTION: &'static str = "read 1 MiB sequentially from memory: sums the u64 words of the next MiB of \
        a 128 MiB buffer (4× the last-level cache), so each MiB comes from DRAM, with the prefetchers' help as in \
        any sequential read; the sum is kept, so the reads cannot be optimised away; the lecture: 250 µs";
    const LECTURE_NS: Option<f64> = Some(250_000.0);

    fn prepare() -> Result<Self, String> {
        let mut words: Vec<u64> = sys::huge_capacity(BUFFER_MIB * MIB_WORDS);
        // Written, not just allocated: untouched pages all map the one zero
        // page, which would stay in cache.
        words.extend((0..BUFFER_MIB * MIB_WORDS).map(|i| i as u64));
        Ok(ReadMemory { words })
    }

    fn measure(&self, budget: Budget) -> Result<Outcome, String> {
        let mut next = 0;
        let trials = measure::trials(budget, |n| {
            let start = Instant::now();
            let mut sum = 0u64;
            for _ in 0..n {
                sum = sum.wrapping_add(self.sum(next));
                next = (next + 1) % BUFFER_MIB;
            }
            let took = start.elapsed();
            black_box(sum);
            Ok(took)
        })?;
        let what = format!(
            "per MiB read sequentially from a 128 MiB buffer (a different MiB each time{})",
            sys::huge_pages_note()
        );
        Ok(Outcome::measured(trials, what))
    }
}
