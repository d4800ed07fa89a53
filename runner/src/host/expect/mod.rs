//! The expectation language of `[[expect]]`: a small expression language over
//! a scenario's figures, parsed and type-checked when the scenario is read
//! ([`expr`], [`lex`]), its functions in one registry ([`functions`]), and
//! evaluated against whatever supplies the figures ([`eval`]). What the
//! figures are is the grader's business ([`crate::host::grade`]).

mod eval;
mod expr;
mod functions;
mod lex;

pub(crate) use eval::{Figures, Truth, Value};
pub(crate) use expr::{Call, Expr};
pub(crate) use functions::{FUNCTIONS, Meaning, Source};
