//! Races, locks and deadlocks, as the lecture shows them — but for real on any
//! machine, without depending on an interpreter's thread switching:
//!
//! - `counter`: many units increment one counter, `unlocked` (a separate load
//!   and store: real lost updates, no undefined behaviour), `locked` or
//!   `atomic`; in memory private to each process or shared between them;
//! - `deadlock`: a lock taken twice by one thread, two locks taken in opposite
//!   orders, and the two fixes; deadlocks are detected within a second, named
//!   with the threads and locks involved, and end the run.

mod counter;
mod deadlock;
mod gate;
mod lock;
mod shared;

use runner_sdk::export_plugin;

export_plugin! {
    name: "race",
    description: "races, locks and deadlocks: lost updates and deadlocks shown for real",
    workloads: [counter::Counter, deadlock::Deadlock],
}
