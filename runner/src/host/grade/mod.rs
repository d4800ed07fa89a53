//! Grading: what each expectation function means in terms of the measured
//! figures ([`evaluate`]), and whether a scenario held, with retries and flaky
//! outcomes ([`verdict`]). Computed once here; every report reads the
//! [`Grade`] and recomputes nothing.

mod admissible;
mod evaluate;
mod verdict;

pub(crate) use evaluate::{ExpectationOutcome, State};
pub(crate) use verdict::{Grade, grade};
