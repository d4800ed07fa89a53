//! `runner`: turns a concurrency lecture into runnable, measurable, gradable
//! experiments.
//!
//! Two kinds of process run this code, and the tree says which runs what:
//! - [`host`]: the `runner` the user starts (scenarios, supervision, statistics,
//!   grading, reports, the embedded server);
//! - [`run`]: each run's child process (`runner __run`), which loads the
//!   untrusted plugin and runs one strategy;
//! - [`protocol`]: what crosses between them. Host and run both depend on it,
//!   never on each other.

mod host;
mod machine;
mod protocol;
mod run;

use std::process::ExitCode;

/// The whole binary: a run's process or a describe child when the host
/// started it with a hidden subcommand, the host otherwise. Decided before any
/// parsing or logging set-up, so a run's process stays single-threaded and
/// runs none of the host's code.
pub fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    match args.next() {
        Some(first) if first == protocol::RUN_SUBCOMMAND => run::run_main(),
        Some(first) if first == protocol::VERIFY_SUBCOMMAND => run::verify_main(),
        Some(first) if first == protocol::BUILD_SUBCOMMAND => run::build_main(),
        Some(first) if first == protocol::DESCRIBE_SUBCOMMAND => {
            run::describe_main(args.next().as_deref().map(std::path::Path::new))
        }
        _ => host::main(),
    }
}

/// For `benches/containment.rs` only: the containment steps, timed from
/// outside the binary. Not an interface.
#[doc(hidden)]
pub mod bench {
    pub use crate::host::contain::RunContainment;
    pub use crate::protocol::contain::{ChildPlan, Limits, NetPlan};
    pub use crate::run::contain::protect;
}
