//! `mix`: the counting loop in a form whose result cannot be returned without
//! doing the counting. `count` returns a number any submission can write down;
//! here every step is mixed into a 64-bit state through a non-linear round (a
//! xorshift and an odd multiply: neither GF(2)- nor Z/2^64-linear as a whole, so
//! there is no matrix-power jump-ahead), starting from the run's `seed` (a fresh
//! secret the host fills in for every run), so the state at the end depends on
//! every step and cannot be precomputed.
//!
//! Each unit records its state at the end of each of `trail` equal segments of
//! its share. `verify` sees only the results and the parameters (it runs in a
//! fresh instance, in another process, when a submission is graded), so it
//! recomputes one segment per unit, picked at random when it runs, from the
//! previous trail value: 1/`trail` of the work, and a submission that skipped
//! k of the segments passes with a chance of (trail − k)/trail per unit at
//! best.
//!
//! The exact definition (what a submission must implement) is in
//! [`Mix::DESCRIPTION`], the README's lab section and the functions below.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use runner_sdk::{ParamSpec, Params, UnitContext, Workload};

use crate::{DEFAULT_CHECKPOINT_EVERY, share};

/// The golden-ratio increment of splitmix64; also spreads unit numbers apart.
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;
/// The round's odd multiplier (splitmix64's first).
const MUL: u64 = 0xbf58_476d_1ce4_e5b9;
/// Independent chains per segment. One chain is bound by the latency of its
/// round (about 5.5 cycles: 2.3 ns per step on the 2.45 GHz development VM); four
/// interleaved chains let the core overlap the multiplies (0.7–0.8 ns per step),
/// and each step is still mixed into one state.
pub(crate) const LANES: usize = 4;
/// Most segments a unit may record: keeps a unit's result under ~20 KiB.
const MAX_TRAIL: i64 = 1024;

/// splitmix64's output function: seeds the chains from a single 64-bit value.
pub(crate) fn splitmix64(z: u64) -> u64 {
    let z = z.wrapping_add(GOLDEN);
    let z = (z ^ (z >> 30)).wrapping_mul(MUL);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One step: mixes step number `step` into the lane state `x`.
#[inline(always)]
pub(crate) fn round(x: u64, step: u64) -> u64 {
    (x ^ (x >> 29)).wrapping_mul(MUL) ^ step
}

/// A unit's state before its first step: depends on the run's secret and the unit.
pub(crate) fn start(seed: u64, unit: u64) -> u64 {
    splitmix64(seed ^ unit.wrapping_mul(GOLDEN))
}

/// One segment in progress: its lanes, seeded from the previous trail value (or
/// the unit's start), and how far it has got. Step `first + i` of the segment
/// goes to lane `i % LANES`, so the order of steps within a lane is fixed and a
/// segment can be run in pieces (between checkpoints) with the same result.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    lanes: [u64; LANES],
    /// Step number (within the unit) of the segment's first step.
    first: u64,
    /// Steps mixed in so far.
    done: u64,
}

impl Segment {
    pub(crate) fn new(prev: u64, first: u64) -> Self {
        Segment { lanes: std::array::from_fn(|k| splitmix64(prev ^ k as u64)), first, done: 0 }
    }

    /// Mixes in the next `n` steps.
    pub(crate) fn advance(&mut self, n: u64) {
        let mut lanes = self.lanes;
        let mut i = self.done;
        let end = self.done + n;
        // Up to the next full row of lanes (only after a piece that ended mid-row).
        while i < end && !i.is_multiple_of(LANES as u64) {
            lanes[i as usize % LANES] = round(lanes[i as usize % LANES], self.first + i);
            i += 1;
        }
        // The hot loop: LANES independent multiply chains the core runs side by
        // side. No black_box needed: no step can be skipped or merged, as every
        // round's output feeds the next one non-linearly.
        while end - i >= LANES as u64 {
            let step = self.first + i;
            for (k, lane) in lanes.iter_mut().enumerate() {
                *lane = round(*lane, step + k as u64);
            }
            i += LANES as u64;
        }
        while i < end {
            lanes[i as usize % LANES] = round(lanes[i as usize % LANES], self.first + i);
            i += 1;
        }
        self.lanes = lanes;
        self.done = end;
    }

    /// The trail value: the lanes folded into one state.
    pub(crate) fn finish(&self) -> u64 {
        self.lanes.iter().fold(0, |h, &lane| splitmix64(h ^ lane))
    }
}

/// A whole segment at once (what `verify` recomputes).
pub(crate) fn segment(prev: u64, first: u64, len: u64) -> u64 {
    let mut segment = Segment::new(prev, first);
    segment.advance(len);
    segment.finish()
}

/// `count`'s loop, mixing every step into a state seeded from the run's secret.
#[derive(Debug)]
pub(crate) struct Mix {
    steps: u64,
    units: u64,
    checkpoint_every: u64,
    seed: u64,
    trail: u64,
}

impl Mix {
    fn share(&self, unit: u64) -> u64 {
        share(self.steps, self.units, unit)
    }

    /// Segment `j` of unit `unit`: its first step (within the unit) and length,
    /// by the share rule again, so the segments of a unit add up to its share.
    fn bounds(&self, unit: u64, j: u64) -> (u64, u64) {
        let share = self.share(unit);
        let (base, extra) = (share / self.trail, share % self.trail);
        (j * base + j.min(extra), base + u64::from(j < extra))
    }

    /// Recomputes segment `j` of a unit's trail from the value before it.
    fn check_segment(&self, unit: u64, trail: &[u64], j: usize) -> Result<(), String> {
        let prev = if j == 0 { start(self.seed, unit) } else { trail[j - 1] };
        let (first, len) = self.bounds(unit, j as u64);
        let expected = segment(prev, first, len);
        if trail[j] == expected {
            Ok(())
        } else {
            Err(format!(
                "unit {unit}, segment {j} of {} (steps {first}..{}): returned {:016x}, recomputed {expected:016x}",
                self.trail,
                first + len,
                trail[j]
            ))
        }
    }

    /// A unit's result: its step count and trail, or why it is not one.
    fn parse(&self, unit: u64, text: &str) -> Result<(u64, Vec<u64>), String> {
        let bad = |why: &str| {
            let shown: String = text.chars().take(80).collect();
            let more = if shown.len() < text.len() { "…" } else { "" };
            format!("unit {unit} returned {shown:?}{more}, not a mix result: {why}")
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(&e.to_string()))?;
        let steps = value["steps"].as_u64().ok_or_else(|| bad("no whole number `steps`"))?;
        let trail = value["trail"].as_array().ok_or_else(|| bad("no array `trail`"))?;
        let trail = trail
            .iter()
            .map(|v| v.as_str().and_then(|s| u64::from_str_radix(s, 16).ok()))
            .collect::<Option<Vec<u64>>>()
            .ok_or_else(|| bad("`trail` holds something other than 64-bit hex strings"))?;
        Ok((steps, trail))
    }

    /// A unit's result text; `checkpoint` is called every `checkpoint_every`
    /// steps (the host's checkpoint in a run, nothing in the tests).
    fn compute(&self, unit: u64, mut checkpoint: impl FnMut()) -> String {
        let mut state = start(self.seed, unit);
        let mut trail = Vec::with_capacity(self.trail as usize);
        // Steps until the next checkpoint, counted across segment boundaries.
        let mut until_checkpoint = self.checkpoint_every;
        for j in 0..self.trail {
            let (first, len) = self.bounds(unit, j);
            let mut segment = Segment::new(state, first);
            let mut left = len;
            while left > 0 {
                let piece = left.min(until_checkpoint);
                segment.advance(piece);
                left -= piece;
                until_checkpoint -= piece;
                if until_checkpoint == 0 {
                    checkpoint();
                    until_checkpoint = self.checkpoint_every;
                }
            }
            state = segment.finish();
            trail.push(format!("\"{state:016x}\""));
        }
        format!("{{\"steps\":{},\"trail\":[{}]}}", self.share(unit), trail.join(","))
    }
}

/// A segment index unpredictable to whoever produced the results: the
/// standard library's per-process random hash keys, and the clock.
fn random_segment(unit: u64, trail: u64) -> usize {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(unit);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    hasher.write_u128(now.as_nanos());
    (hasher.finish() % trail) as usize
}

impl Workload for Mix {
    const NAME: &'static str = "mix";
    const DESCRIPTION: &'static str = "counts like `count`, but every step mixes the step into a 64-bit state seeded \
        from `seed` and the unit, so the result depends on every step and on the run's secret. Unit u counts its \
        share of `steps` (as `count`) in `trail` equal segments (the same share rule); the start state is \
        splitmix64(seed ^ u*0x9e3779b97f4a7c15); a segment starting after state p seeds 4 lanes \
        L[k] = splitmix64(p ^ k), its i-th step (step number s within the unit) does \
        L[i%4] = (L[i%4] ^ (L[i%4] >> 29)) * 0xbf58476d1ce4e5b9 ^ s (wrapping), and it ends in state \
        h = splitmix64(h ^ L[k]) folded over k = 0..4 from h = 0. Result: {\"steps\":share,\"trail\":[16-digit hex of \
        each segment's end state]}. Verifies the shares and, per unit, one segment picked at random";

    fn params() -> Vec<ParamSpec> {
        vec![
            ParamSpec::int("steps", 10_000_000, "total steps over all units"),
            ParamSpec::int(
                "checkpoint_every",
                DEFAULT_CHECKPOINT_EVERY,
                "steps between two checkpoints (where the simulated interpreter lock may switch)",
            ),
            ParamSpec::int(
                "seed",
                0,
                "the run's secret: filled by the host with a fresh random value per run; \
                 0 (by hand) works too, it is just predictable",
            ),
            ParamSpec::int("trail", 16, "segments per unit, each ending in a recorded state (1 to 1024)"),
        ]
    }

    fn prepare(params: &Params, units: u64) -> Result<Self, String> {
        let steps = u64::try_from(params.int("steps")?).map_err(|_| "`steps` must not be negative".to_owned())?;
        let checkpoint_every = u64::try_from(params.int("checkpoint_every")?)
            .ok()
            .filter(|&n| n > 0)
            .ok_or("`checkpoint_every` must be at least 1")?;
        let trail = params.int("trail")?;
        if !(1..=MAX_TRAIL).contains(&trail) {
            return Err(format!("`trail` must be between 1 and {MAX_TRAIL}, not {trail}"));
        }
        // The bits as given: the host's seeds are positive, and a negative one by
        // hand is as good a secret as any.
        let seed = params.int("seed")? as u64;
        Ok(Mix { steps, units: units.max(1), checkpoint_every, seed, trail: trail as u64 })
    }

    fn run_unit(&self, unit: u64, cx: &UnitContext<'_>) -> Result<String, String> {
        Ok(self.compute(unit, || cx.checkpoint()))
    }

    fn verify(&self, results: &[Option<String>]) -> Result<String, String> {
        if results.len() as u64 != self.units {
            return Err(format!("{} results for {} units", results.len(), self.units));
        }
        let mut total = 0u64;
        for (unit, result) in results.iter().enumerate() {
            let unit = unit as u64;
            let text = result.as_deref().ok_or_else(|| format!("unit {unit} produced no result"))?;
            let (steps, trail) = self.parse(unit, text)?;
            if steps != self.share(unit) {
                return Err(format!("unit {unit} counted {steps} steps, expected its share {}", self.share(unit)));
            }
            if trail.len() as u64 != self.trail {
                return Err(format!("unit {unit} returned {} trail values, expected {}", trail.len(), self.trail));
            }
            self.check_segment(unit, &trail, random_segment(unit, self.trail))?;
            total += steps;
        }
        if total == self.steps {
            Ok(format!("count = {total} = steps, trails checked (1 of {} segments per unit)", self.trail))
        } else {
            Err(format!("counted {total} in all, expected {}", self.steps))
        }
    }
}

#[cfg(test)]
mod tests;
