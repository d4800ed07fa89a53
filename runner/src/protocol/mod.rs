//! What crosses between the host (`runner`, the process the user starts) and a
//! run's process (`runner __run`, which loads the untrusted plugin): the run
//! description on the child's stdin, the event stream on its fd 3, the
//! strategy it runs, the clock both sides stamp times with, and what its exit
//! code means.
//!
//! This module depends on nothing else in the crate; [`crate::host`] and
//! [`crate::run`] both depend on it and never on each other. Everything here is
//! a wire format: change it on purpose, extending rather than breaking.

mod channel;
mod clock;
pub(crate) mod contain;
mod event;
mod exit;
mod load_error;
mod run_spec;
mod strategy;

pub(crate) use channel::{
    BUILD_SUBCOMMAND, DESCRIBE_SUBCOMMAND, EVENT_FD, GO, JOINED, RUN_SUBCOMMAND, VERIFY_SUBCOMMAND,
};
pub(crate) use clock::{RunClock, monotonic_ns};
pub(crate) use event::{Event, FatalError, GilStats, Measurement, UnitSpan, WaitKind, WaitSpan};
pub(crate) use exit::{FORBIDDEN_CALL_MARKER, RUN_ABORTED_EXIT, forbidden_call_in, signal_name};
pub(crate) use load_error::LoadError;
pub(crate) use run_spec::{BuildSpec, RunSpec, VerifySpec};
pub(crate) use strategy::{GilConfig, StrategyKind, StrategySpec};
