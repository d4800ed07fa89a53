//! The expectation language of `[[expect]]`: a small expression language over
//! a scenario's figures, parsed and type-checked when the scenario is read.
//! What its functions mean is the grader's business ([`crate::host::grade`]).

mod expr;

pub(crate) use expr::{Expr, FUNCTIONS, Figures, Value};
