//! A simulated global interpreter lock, modelled on CPython's (`Python/ceval_gil.c`).
//!
//! One thread holds the lock and runs; the others wait. A waiter that has waited
//! a whole switch interval (5 ms by default) without the lock changing hands sets
//! `drop_request`; the holder sees it at its next checkpoint, lets go, and waits
//! until another thread has taken the lock before it queues again (CPython's
//! FORCE_SWITCHING, which stops the holder from snatching the lock straight
//! back). CPU-bound threads therefore take turns in slices of about one switch
//! interval and together run no faster than one thread — the lecture's point.
//! Blocking IO releases the lock (see `WorkerHooks::sleep`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::protocol::GilStats;
use crate::protocol::RunClock;

/// A stretch of time a thread waited for the lock, in run-clock nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Waited {
    pub(crate) started_ns: u64,
    pub(crate) finished_ns: u64,
}

#[derive(Debug, Default)]
struct State {
    holder: Option<u32>,
    last_holder: Option<u32>,
    waiting: u32,
    stats: GilStats,
}

/// The lock shared by a run's threads.
#[derive(Debug)]
pub(crate) struct Gil {
    state: Mutex<State>,
    changed: Condvar,
    /// Read at every checkpoint, so it lives outside the mutex.
    drop_request: AtomicBool,
    interval: Duration,
    /// Timestamps waits for the timeline.
    clock: RunClock,
}

impl Gil {
    /// A free lock with the given switch interval.
    pub(crate) fn new(interval: Duration, clock: RunClock) -> Gil {
        Gil {
            clock,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            drop_request: AtomicBool::new(false),
            interval: interval.max(Duration::from_micros(1)),
        }
    }

    /// Takes the lock for thread `me`, waiting as long as it takes; says how
    /// long, if it had to wait.
    pub(crate) fn acquire(&self, me: u32) -> Option<Waited> {
        let state = self.lock();
        let started_ns = self.clock.now_ns();
        let (state, waited) = self.acquire_locked(state, me);
        drop(state);
        waited.then(|| Waited { started_ns, finished_ns: self.clock.now_ns() })
    }

    /// Takes the lock for thread `me` until the returned guard is dropped, so
    /// that a thread that unwinds cannot leave the others waiting forever.
    pub(crate) fn hold(&self, me: u32) -> GilHold<'_> {
        let _ = self.acquire(me);
        GilHold { gil: self, me }
    }

    /// Gives the lock up.
    pub(crate) fn release(&self, me: u32) {
        let mut state = self.lock();
        if state.holder == Some(me) {
            state.holder = None;
            self.changed.notify_all();
        }
    }

    /// Where a running thread may hand the lock over: only when a waiter
    /// asked. Says how long the thread then waited to get it back.
    #[inline]
    pub(crate) fn checkpoint(&self, me: u32) -> Option<Waited> {
        if !self.drop_request.load(Ordering::Acquire) {
            return None;
        }
        let mut state = self.lock();
        if state.holder != Some(me) {
            return None;
        }
        let started_ns = self.clock.now_ns();
        state.holder = None;
        self.drop_request.store(false, Ordering::Release);
        self.changed.notify_all();
        // Forced switching: wait until someone else has it (unless nobody wants it).
        let started = Instant::now();
        while state.holder.is_none() && state.waiting > 0 {
            state = self.changed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        state.stats.wait_ns += started.elapsed().as_nanos() as u64;
        drop(self.acquire_locked(state, me));
        Some(Waited { started_ns, finished_ns: self.clock.now_ns() })
    }

    /// What the lock did so far.
    pub(crate) fn stats(&self) -> GilStats {
        self.lock().stats
    }

    /// Takes the lock; also says whether that meant waiting for another holder.
    fn acquire_locked<'a>(&'a self, mut state: MutexGuard<'a, State>, me: u32) -> (MutexGuard<'a, State>, bool) {
        if state.holder == Some(me) {
            // A plugin that ends a blocking section twice must not wait on itself.
            return (state, false);
        }
        let waited = state.holder.is_some();
        let started = Instant::now();
        state.waiting += 1;
        while let Some(holder) = state.holder {
            let (next, timeout) = self.changed.wait_timeout(state, self.interval).unwrap_or_else(|p| p.into_inner());
            state = next;
            if timeout.timed_out() && state.holder == Some(holder) {
                // A whole interval and the same holder: ask it to let go.
                self.drop_request.store(true, Ordering::Release);
            }
        }
        state.waiting -= 1;
        state.holder = Some(me);
        self.drop_request.store(false, Ordering::Release);
        // A thread that was forced to drop the lock waits to see it taken.
        self.changed.notify_all();
        if state.last_holder.is_some_and(|last| last != me) {
            state.stats.switches += 1;
        }
        state.last_holder = Some(me);
        state.stats.wait_ns += started.elapsed().as_nanos() as u64;
        (state, waited)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The lock held by one thread; released on drop.
#[derive(Debug)]
pub(crate) struct GilHold<'a> {
    gil: &'a Gil,
    me: u32,
}

impl Drop for GilHold<'_> {
    fn drop(&mut self) {
        self.gil.release(self.me);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU64;

    use super::*;

    /// Two busy threads under the lock never run at the same time, and they
    /// take turns rather than one starving the other.
    #[test]
    fn one_thread_runs_at_a_time_and_both_get_turns() {
        let gil = Gil::new(Duration::from_millis(1), RunClock::start());
        let inside = AtomicU64::new(0);
        let progress = [AtomicU64::new(0), AtomicU64::new(0)];
        std::thread::scope(|s| {
            for me in 0..2u32 {
                let (gil, inside, progress) = (&gil, &inside, &progress);
                s.spawn(move || {
                    gil.acquire(me);
                    let until = Instant::now() + Duration::from_millis(60);
                    while Instant::now() < until {
                        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two threads inside the lock");
                        progress[me as usize].fetch_add(1, Ordering::Relaxed);
                        inside.fetch_sub(1, Ordering::SeqCst);
                        gil.checkpoint(me);
                    }
                    gil.release(me);
                });
            }
        });
        assert!(progress.iter().all(|p| p.load(Ordering::Relaxed) > 0));
        assert!(gil.stats().switches >= 1, "{:?}", gil.stats());
    }
}
