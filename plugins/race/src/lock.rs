//! A lock that knows who holds it and who waits for what, so a deadlock can be
//! seen and named instead of hanging until someone presses Ctrl-C.
//!
//! Every waiter records the lock it waits for; after waiting a while it walks
//! the wait-for graph (waiter → lock → holder → lock it waits for → …). A walk
//! that comes back to the waiter is a deadlock. Waiting releases the simulated
//! interpreter lock, as blocking on a `threading.Lock` releases the GIL.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use runner_sdk::UnitContext;

/// Time a waiter waits before it first looks for a cycle.
const FIRST_LOOK: Duration = Duration::from_millis(100);

/// Who waits for which lock, by thread.
#[derive(Debug, Default)]
pub struct WaitGraph {
    waiting: Mutex<HashMap<u64, Waiter>>,
}

#[derive(Debug, Clone)]
struct Waiter {
    thread: String,
    lock: &'static str,
}

/// A lock named for reports; `reentrant` ones may be taken again by their holder.
#[derive(Debug)]
pub struct NamedLock {
    pub name: &'static str,
    reentrant: bool,
    /// Thread id of the holder, 0 when free.
    holder: AtomicU64,
    holder_name: Mutex<String>,
    depth: AtomicU64,
}

impl NamedLock {
    pub fn new(name: &'static str, reentrant: bool) -> NamedLock {
        NamedLock {
            name,
            reentrant,
            holder: AtomicU64::new(0),
            holder_name: Mutex::new(String::new()),
            depth: AtomicU64::new(0),
        }
    }

    /// Takes the lock for `me`, or ends the run if waiting for it deadlocks.
    pub fn acquire(&self, me: &Me, graph: &WaitGraph, locks: &[&NamedLock], cx: &UnitContext<'_>) {
        if self.reentrant && self.holder.load(Ordering::Acquire) == me.id {
            self.depth.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if self.try_take(me) {
            return;
        }
        graph.waiting.lock().unwrap().insert(me.id, Waiter { thread: me.name.clone(), lock: self.name });
        let started = Instant::now();
        let cycle = cx.blocking(|| {
            loop {
                if self.try_take(me) {
                    return None;
                }
                if started.elapsed() >= FIRST_LOOK
                    && let Some(cycle) = find_cycle(me.id, graph, locks)
                {
                    return Some(cycle);
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        graph.waiting.lock().unwrap().remove(&me.id);
        if let Some(cycle) = cycle {
            cx.fail_run(&format!("deadlock after {} ms: {cycle}", started.elapsed().as_millis()));
        }
    }

    pub fn release(&self) {
        if self.reentrant && self.depth.load(Ordering::Relaxed) > 0 {
            self.depth.fetch_sub(1, Ordering::Relaxed);
            return;
        }
        self.holder.store(0, Ordering::Release);
    }

    fn try_take(&self, me: &Me) -> bool {
        let taken = self.holder.compare_exchange(0, me.id, Ordering::AcqRel, Ordering::Acquire).is_ok();
        if taken {
            *self.holder_name.lock().unwrap() = me.name.clone();
        }
        taken
    }
}

/// The calling thread: a unique id and a name for reports.
#[derive(Debug, Clone)]
pub struct Me {
    pub id: u64,
    pub name: String,
}

impl Me {
    pub fn current(unit: u64, cx: &UnitContext<'_>) -> Me {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        thread_local!(static ID: u64 = NEXT.fetch_add(1, Ordering::Relaxed));
        Me { id: ID.with(|id| *id), name: format!("worker {} (unit {unit})", cx.worker()) }
    }
}

/// Follows waiter → lock → holder from `me`; describes the cycle if the walk
/// returns to `me`.
fn find_cycle(me: u64, graph: &WaitGraph, locks: &[&NamedLock]) -> Option<String> {
    let waiting = graph.waiting.lock().unwrap().clone();
    let mut steps = Vec::new();
    let mut current = me;
    for _ in 0..=locks.len() {
        let waiter = waiting.get(&current)?;
        let lock = locks.iter().find(|l| l.name == waiter.lock)?;
        let holder = lock.holder.load(Ordering::Acquire);
        if holder == 0 {
            return None;
        }
        let holder_name = lock.holder_name.lock().unwrap().clone();
        if holder == current {
            steps.push(format!("{} waits for lock `{}`, which it already holds", waiter.thread, lock.name));
        } else {
            steps.push(format!("{} waits for lock `{}`, held by {holder_name}", waiter.thread, lock.name));
        }
        if holder == me {
            return Some(steps.join("; "));
        }
        current = holder;
    }
    None
}
