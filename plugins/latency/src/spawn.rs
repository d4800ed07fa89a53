//! Starting work: a thread spawned and joined, a process forked and reaped,
//! a tokio task spawned and awaited.

use std::hint::black_box;
use std::time::Instant;

use crate::measure::{self, Budget};
use crate::{Outcome, Row, sys};

#[derive(Debug)]
pub struct ThreadSpawn;

impl Row for ThreadSpawn {
    const NAME: &'static str = "thread_spawn";
    const DESCRIPTION: &'static str = "thread spawn: std::thread spawned and joined, one at a time, doing nothing; \
        pinned to one CPU (the new thread inherits it) so it runs as soon as join waits, with no cross-core wake-up";

    fn prepare() -> Result<Self, String> {
        Ok(ThreadSpawn)
    }

    fn measure(&self, budget: Budget) -> Result<Outcome, String> {
        let (cpu, pinned) = sys::pin_here();
        let trials = measure::trials(budget, |n| {
            let start = Instant::now();
            for _ in 0..n {
                let thread = std::thread::Builder::new()
                    .spawn(|| black_box(0u8))
                    .map_err(|e| format!("spawning a thread: {e}"))?;
                thread.join().map_err(|_| "the spawned thread panicked")?;
            }
            Ok(start.elapsed())
        });
        drop(pinned);
        Ok(Outcome::measured(trials?, format!("per thread spawned and joined{}", on_cpu(cpu))))
    }
}

#[derive(Debug)]
pub struct Fork;

impl Row for Fork {
    const NAME: &'static str = "fork";
    const DESCRIPTION: &'static str = "process fork: fork, the child _exits at once, the parent waitpids it, one at a \
        time, pinned to one CPU as thread_spawn; the cost grows with the parent's memory map (here the run process)";

    fn prepare() -> Result<Self, String> {
        Ok(Fork)
    }

    fn measure(&self, budget: Budget) -> Result<Outcome, String> {
        let (cpu, pinned) = sys::pin_here();
        let trials = measure::trials(budget, |n| {
            let start = Instant::now();
            for _ in 0..n {
                sys::fork(|| 0)?.wait()?;
            }
            Ok(start.elapsed())
        });
        drop(pinned);
        let what = match resident_mib() {
            Some(mib) => format!("per fork + _exit + waitpid of a {mib:.0} MiB process{}", on_cpu(cpu)),
            None => format!("per fork + _exit + waitpid{}", on_cpu(cpu)),
        };
        Ok(Outcome::measured(trials?, what))
    }
}

/// Where both ends ran: the child inherits the parent's pinning, so it runs
/// on the same CPU as soon as the parent waits.
fn on_cpu(cpu: Option<usize>) -> String {
    cpu.map(|cpu| format!(", both on CPU {cpu}")).unwrap_or_default()
}

/// The calling process's resident memory, in MiB (Linux: /proc/self/statm).
fn resident_mib() -> Option<f64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: f64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096.0 / f64::from(1 << 20))
}

#[derive(Debug)]
pub struct TokioSpawn;

impl Row for TokioSpawn {
    const NAME: &'static str = "tokio_spawn";
    const DESCRIPTION: &'static str = "async task spawn: tokio::spawn of an empty task, awaited before the next, on a \
        current-thread runtime of the unit's own (allocate, schedule, poll, complete, wake the awaiting future)";

    fn prepare() -> Result<Self, String> {
        Ok(TokioSpawn)
    }

    fn measure(&self, budget: Budget) -> Result<Outcome, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| format!("building a tokio runtime: {e}"))?;
        let trials = measure::trials(budget, |n| {
            runtime.block_on(async move {
                let start = Instant::now();
                for _ in 0..n {
                    tokio::spawn(async { black_box(0u8) }).await.map_err(|e| format!("task: {e}"))?;
                }
                Ok(start.elapsed())
            })
        })?;
        Ok(Outcome::measured(trials, "per tokio task spawned and awaited"))
    }
}
