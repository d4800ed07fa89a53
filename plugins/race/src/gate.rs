//! A start gate: units wait until as many have arrived as can run at once, so
//! that they really overlap. Without it, one thread may finish its 100,000
//! increments before the next has started, and a race may not show.
//!
//! The gate waits at most `PATIENCE`: with memory private to each process, the
//! others' arrivals are never seen, and the gate must not hang the run.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use runner_sdk::UnitContext;

use crate::shared::Cell;

const PATIENCE: Duration = Duration::from_millis(200);

/// Waits until `parties` units have arrived at `cell`'s gate (or the patience
/// runs out), with the simulated interpreter lock released meanwhile.
pub fn wait(cell: &Cell, parties: u32, cx: &UnitContext<'_>) {
    let arrived = cell.arrived.fetch_add(1, Ordering::AcqRel) + 1;
    if arrived >= parties {
        return;
    }
    let until = Instant::now() + PATIENCE;
    cx.blocking(|| {
        while cell.arrived.load(Ordering::Acquire) < parties && Instant::now() < until {
            std::thread::yield_now();
        }
    });
}
