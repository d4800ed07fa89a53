//! The lecture's race: `counter += 1` from many workers at once.

use std::sync::atomic::Ordering;

use runner_sdk::{ParamSpec, Params, UnitContext, Workload, with_figures};

use crate::gate;
use crate::shared::{Cell, Memory};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A load, then a store: another worker's update in between is lost.
    Unlocked,
    /// The increment under a lock (test-and-set, works across processes).
    Locked,
    /// One atomic read-modify-write.
    Atomic,
}

/// What the scenario expects to see, so a demo of lost updates verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Every increment counted.
    Exact,
    /// Some increments lost to the race.
    Lost,
    /// The run process's counter untouched: every process counted its own copy.
    Untouched,
}

#[derive(Debug)]
pub struct Counter {
    mode: Mode,
    expect: Expect,
    increments: u64,
    units: u64,
    checkpoint_every: u64,
    cell: Memory,
    /// The process that prepared the instance: a unit elsewhere runs in a
    /// forked copy.
    prepared_in: u32,
}

impl Workload for Counter {
    const NAME: &'static str = "counter";
    const DESCRIPTION: &'static str = "every unit adds `increments` to one shared counter (the lecture's \
        `counter += 1`); `unlocked` loads and stores separately, so concurrent updates get lost; verifies the \
        total against `expect`";

    fn params() -> Vec<ParamSpec> {
        vec![
            ParamSpec::string(
                "mode",
                "unlocked",
                "unlocked (load, then store), locked (under a lock) or atomic (fetch_add)",
            ),
            ParamSpec::int("increments", 100_000, "increments per unit (the lecture: 100,000 per thread)"),
            ParamSpec::string(
                "memory",
                "private",
                "where the counter lives for `processes`: private (each process has its own copy) or shared \
                 (MAP_SHARED memory made before the fork)",
            ),
            ParamSpec::string(
                "expect",
                "exact",
                "exact (no update lost), lost (the race must show) or untouched (processes with private memory)",
            ),
            ParamSpec::int(
                "checkpoint_every",
                1000,
                "increments between switch points (a checkpoint and a yield), placed between the load and the store as an interpreter's thread switch would be",
            ),
        ]
    }

    fn prepare(params: &Params, units: u64) -> Result<Self, String> {
        let mode = match params.string("mode")? {
            "unlocked" => Mode::Unlocked,
            "locked" => Mode::Locked,
            "atomic" => Mode::Atomic,
            other => return Err(format!("`mode` is `{other}`; expected unlocked, locked or atomic")),
        };
        let expect = match params.string("expect")? {
            "exact" => Expect::Exact,
            "lost" => Expect::Lost,
            "untouched" => Expect::Untouched,
            other => return Err(format!("`expect` is `{other}`; expected exact, lost or untouched")),
        };
        let cell = match params.string("memory")? {
            "private" => Memory::private(),
            "shared" => Memory::shared()?,
            other => return Err(format!("`memory` is `{other}`; expected private or shared")),
        };
        let increments = u64::try_from(params.int("increments")?).map_err(|_| "`increments` must not be negative")?;
        let checkpoint_every = u64::try_from(params.int("checkpoint_every")?).unwrap_or(0).max(1);
        Ok(Counter { mode, expect, increments, units, checkpoint_every, cell, prepared_in: std::process::id() })
    }

    fn run_unit(&self, _unit: u64, cx: &UnitContext<'_>) -> Result<String, String> {
        let cell: &Cell = &self.cell;
        // As many units as there are workers start together, so they overlap;
        // except in a forked process with private memory, which cannot see the
        // others arrive.
        let forked_private = matches!(self.cell, Memory::Private(_)) && std::process::id() != self.prepared_in;
        if !forked_private {
            gate::wait(cell, cx.workers().clamp(1, self.units.min(u32::MAX as u64) as u32), cx);
        }
        for i in 1..=self.increments {
            let switch_here = i % self.checkpoint_every == 0;
            match self.mode {
                Mode::Unlocked => {
                    let seen = cell.value.load(Ordering::Relaxed);
                    if switch_here {
                        // A preemption between the load and the store, as an
                        // interpreter's thread switch inside `counter += 1`:
                        // the race shows even when the cores are busy elsewhere.
                        cx.checkpoint();
                        std::thread::yield_now();
                    }
                    cell.value.store(seen + 1, Ordering::Relaxed);
                }
                Mode::Locked => {
                    take(cell, cx);
                    let seen = cell.value.load(Ordering::Relaxed);
                    cell.value.store(seen + 1, Ordering::Relaxed);
                    cell.lock.store(false, Ordering::Release);
                    if switch_here {
                        cx.checkpoint();
                    }
                }
                Mode::Atomic => {
                    cell.value.fetch_add(1, Ordering::Relaxed);
                    if switch_here {
                        cx.checkpoint();
                    }
                }
            }
        }
        Ok(cell.value.load(Ordering::Relaxed).to_string())
    }

    fn verify(&self, results: &[Option<String>]) -> Result<String, String> {
        let expected = self.units * self.increments;
        let actual = self.cell.value.load(Ordering::Acquire);
        let seen_by_units = results.iter().flatten().filter_map(|r| r.parse::<u64>().ok()).max().unwrap_or(0);
        let (observed, message) = if actual == expected {
            (Expect::Exact, format!("counter = {actual} = expected: no update lost"))
        } else if actual == 0 && expected > 0 {
            (
                Expect::Untouched,
                format!(
                    "counter here = 0, expected {expected}: each process incremented its own private copy \
                     (the units saw at most {seen_by_units}); forked processes share no memory unless it is mapped shared"
                ),
            )
        } else {
            let lost = expected.saturating_sub(actual);
            (
                Expect::Lost,
                format!(
                    "counter = {actual}, expected {expected}: {lost} updates lost ({:.1} %), each one a load and a store \
                     with another worker's store in between",
                    lost as f64 * 100.0 / expected as f64
                ),
            )
        };
        let figures = [
            ("expected", expected as f64),
            ("counted", actual as f64),
            ("lost_updates", expected.saturating_sub(actual) as f64),
        ];
        if observed == self.expect {
            Ok(with_figures(message, &figures))
        } else {
            Err(with_figures(format!("{message} (expected the run to be {:?})", self.expect).to_lowercase(), &figures))
        }
    }
}

/// Takes the test-and-set lock; waiting releases the simulated interpreter
/// lock, as blocking on `threading.Lock` releases the GIL.
fn take(cell: &Cell, cx: &UnitContext<'_>) {
    if cell.lock.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_ok() {
        return;
    }
    cx.blocking(|| {
        while cell.lock.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
            std::thread::yield_now();
        }
    });
}
