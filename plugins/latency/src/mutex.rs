//! Locking: a std::sync::Mutex taken and released by one thread alone, and
//! by two threads that both want it all the time.

use std::hint::black_box;
use std::sync::{Mutex, PoisonError, mpsc};
use std::time::Instant;

use crate::measure::{self, Budget};
use crate::{Outcome, Row, sys};

/// `n` lock, increment, unlock.
fn hammer(lock: &Mutex<u64>, n: u64) {
    for _ in 0..n {
        *black_box(lock).lock().unwrap_or_else(PoisonError::into_inner) += 1;
    }
}

#[derive(Debug)]
pub struct Uncontended;

impl Row for Uncontended {
    const NAME: &'static str = "mutex_uncontended";
    const DESCRIPTION: &'static str = "uncontended lock: std::sync::Mutex locked, a counter incremented, unlocked, by \
        one thread that nobody competes with (an atomic compare-and-swap and a release store)";

    fn prepare() -> Result<Self, String> {
        Ok(Uncontended)
    }

    fn measure(&self, budget: Budget) -> Result<Outcome, String> {
        let lock = Mutex::new(0u64);
        let trials = measure::trials(budget, |n| {
            let start = Instant::now();
            hammer(&lock, n);
            Ok(start.elapsed())
        })?;
        Ok(Outcome::measured(trials, "per lock + unlock, one thread"))
    }
}

#[derive(Debug)]
pub struct Contended;

impl Row for Contended {
    const NAME: &'static str = "mutex_contended";
    const DESCRIPTION: &'static str = "contended lock: two threads on two CPUs each lock, increment, unlock one \
        std::sync::Mutex n times at once; the figure is the time until both are done over n: what a lock + unlock \
        costs each thread while the other wants it too (the line moves between cores, waiters sleep in futex)";

    fn prepare() -> Result<Self, String> {
        Ok(Contended)
    }

    fn measure(&self, budget: Budget) -> Result<Outcome, String> {
        // One thread per CPU: two threads sharing a CPU take turns by time
        // slice and hardly ever meet at the lock.
        let rival_cpu = sys::current_cpu().ok().and_then(sys::other_cpu);
        let (cpu, pinned) = sys::pin_here();
        let lock = Mutex::new(0u64);
        let (go, orders) = mpsc::channel::<u64>();
        let (finished, done) = mpsc::channel::<()>();
        let mut sent = 0u64;
        // `go` is moved into the scope's closure and dropped when it returns
        // or unwinds: the rival's loop then ends before the scope joins it.
        let trials = std::thread::scope(|scope| {
            scope.spawn(|| {
                let _pinned = rival_cpu.map(sys::pin);
                for n in orders {
                    hammer(&lock, n);
                    if finished.send(()).is_err() {
                        break;
                    }
                }
            });
            let go = go;
            measure::trials(budget, |n| {
                go.send(n).map_err(|_| "the rival thread is gone")?;
                sent += n;
                let start = Instant::now();
                hammer(&lock, n);
                done.recv().map_err(|_| "the rival thread is gone")?;
                Ok(start.elapsed())
            })
        });
        drop(pinned);
        let trials = trials?;
        let count = lock.into_inner().unwrap_or_else(PoisonError::into_inner);
        if count != 2 * sent {
            return Err(format!("counted {count} locked increments, expected {}", 2 * sent));
        }
        let what = match (cpu, rival_cpu) {
            (Some(cpu), Some(rival)) => format!("on CPUs {cpu} and {rival}"),
            _ => "not pinned".to_owned(),
        };
        Ok(Outcome::measured(trials, format!("per lock + unlock by each of two threads wanting one mutex, {what}")))
    }
}
