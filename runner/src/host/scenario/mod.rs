//! Scenario files: parsed into raw serde structs that mirror the TOML
//! ([`raw`]), then validated into a [`Scenario`] that the rest of the runner
//! trusts ([`validate`]). Every error names the file, line and column.

mod error;
mod excerpt;
#[cfg(test)]
mod fuzz_tests;
mod grading;
mod limits;
mod model;
mod raw;
mod read;
mod rounds;
mod run_limits;
mod string_span;
mod validate;

pub(crate) use grading::InconclusivePolicy;
pub(crate) use model::{
    Expectation, FigureTable, FigureUnit, Scenario, ServerSpec, StrategyEntry, SubmissionLayout, Verifier, params_json,
};
pub(crate) use rounds::{AUTO_MAX_ROUNDS, Repeat};
pub(crate) use validate::{load, load_str};
