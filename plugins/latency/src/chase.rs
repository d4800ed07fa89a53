//! L1 and main-memory references: dependent loads along a random cycle
//! through cache-line slots, in a buffer that fits L1 and in one far larger
//! than the last-level cache.

use std::hint::black_box;
use std::time::Instant;

use crate::measure::{self, Budget};
use crate::{Outcome, Row, sys};

/// Bytes of a cache line on x86-64 and most ARM cores.
const LINE: usize = 64;

/// One cache line, holding the address of the next line of the walk.
#[repr(C, align(64))]
#[derive(Debug)]
struct Line {
    next: usize,
}

/// A random cyclic walk through `lines`: every `next` is the address of an
/// element of `lines`, and following them visits every line once per lap.
#[derive(Debug)]
struct Cycle {
    lines: Vec<Line>,
}

impl Cycle {
    /// A walk through a buffer of `bytes` (a whole number of lines).
    fn new(bytes: usize, seed: u64) -> Self {
        let order = sattolo(bytes / LINE, seed);
        let mut lines: Vec<Line> = sys::huge_capacity(order.len());
        let base = lines.as_ptr() as usize;
        lines.extend(order.iter().map(|&next| Line { next: base + next as usize * LINE }));
        Cycle { lines }
    }

    /// The address of the first line, where a walk may start.
    fn start(&self) -> usize {
        self.lines.as_ptr() as usize
    }

    /// Follows `steps` links from `from` (the address of one of the lines)
    /// and returns where it ended. Each load's address is the previous load's
    /// value, so no two loads overlap and the prefetcher cannot guess the
    /// next line: the time per step is the latency of one load.
    #[inline(never)]
    fn walk(&self, from: usize, steps: u64) -> usize {
        let range = self.start()..self.start() + self.lines.len() * LINE;
        assert!(range.contains(&from) && (from - range.start).is_multiple_of(LINE), "walk from outside the cycle");
        let mut at = from as *const Line;
        for _ in 0..steps {
            // SAFETY: `at` is the address of an element of `self.lines`: the
            // first is checked above, and every `next` is one by construction
            // (`new`), never changed since; `&self` keeps the lines alive.
            at = unsafe { (*at).next } as *const Line;
        }
        at as usize
    }

    /// Times the walk: nanoseconds per dependent load.
    fn measure(&self, budget: Budget) -> Result<measure::Trials, String> {
        let mut at = self.start();
        measure::trials(budget, |steps| {
            let start = Instant::now();
            at = black_box(self.walk(black_box(at), steps));
            Ok(start.elapsed())
        })
    }
}

/// A uniformly random cyclic permutation of `0..n` (Sattolo's algorithm):
/// following `i → order[i]` from any `i` visits all `n` before coming back.
fn sattolo(n: usize, seed: u64) -> Vec<u32> {
    let mut rng = SplitMix64(seed);
    let mut order: Vec<u32> = (0..n as u32).collect();
    for i in (1..n).rev() {
        order.swap(i, rng.below(i));
    }
    order
}

/// A small, fast generator: good enough to shuffle, no dependency.
#[derive(Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (bound > 0), by multiply-shift: bias below 2⁻³².
    fn below(&mut self, bound: usize) -> usize {
        ((u128::from(self.next()) * bound as u128) >> 64) as usize
    }
}

/// 16 KiB: half of a typical 32 KiB L1 data cache, so the walk never leaves it.
const L1_BYTES: usize = 16 << 10;

/// 256 MiB: eight times a 32 MiB last-level cache (this VM's), so nearly
/// every load of the walk goes to DRAM.
const MEMORY_BYTES: usize = 256 << 20;

#[derive(Debug)]
pub struct L1(Cycle);

impl Row for L1 {
    const NAME: &'static str = "l1";
    const DESCRIPTION: &'static str = "L1 cache reference: dependent loads along a random cycle through the 256 \
        cache lines of a 16 KiB buffer (fits L1); each load's address is the previous load's value, so loads cannot \
        overlap; the lecture: 0.5 ns";
    const LECTURE_NS: Option<f64> = Some(0.5);

    fn prepare() -> Result<Self, String> {
        Ok(L1(Cycle::new(L1_BYTES, 1)))
    }

    fn measure(&self, budget: Budget) -> Result<Outcome, String> {
        Ok(Outcome::measured(self.0.measure(budget)?, "per dependent load in a 16 KiB buffer"))
    }
}

#[derive(Debug)]
pub struct Memory(Cycle);

impl Row for Memory {
    const NAME: &'static str = "memory";
    const DESCRIPTION: &'static str = "main memory reference: dependent loads along a random cyclic permutation \
        (Sattolo) of the 4 Mi cache lines of a 256 MiB buffer on 2 MiB pages; the random order defeats the \
        prefetcher, each load waits for the previous one, and the buffer is 8× the last-level cache; the lecture: 100 ns";
    const LECTURE_NS: Option<f64> = Some(100.0);

    fn prepare() -> Result<Self, String> {
        Ok(Memory(Cycle::new(MEMORY_BYTES, 2)))
    }

    fn measure(&self, budget: Budget) -> Result<Outcome, String> {
        let trials = self.0.measure(budget)?;
        Ok(Outcome::measured(trials, format!("per dependent load in a 256 MiB buffer{}", sys::huge_pages_note())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sattolo_makes_one_cycle_through_every_slot() {
        for n in [1, 2, 3, 10, 1000] {
            let order = sattolo(n, 7);
            let (mut at, mut steps) = (0usize, 0);
            loop {
                at = order[at] as usize;
                steps += 1;
                if at == 0 {
                    break;
                }
            }
            assert_eq!(steps, n, "n = {n}");
        }
    }

    #[test]
    fn a_walk_of_one_lap_comes_back() {
        let cycle = Cycle::new(L1_BYTES, 3);
        let lap = (L1_BYTES / LINE) as u64;
        assert_eq!(cycle.walk(cycle.start(), lap), cycle.start());
        assert_ne!(cycle.walk(cycle.start(), lap - 1), cycle.start());
    }
}
