//! Expectations: graded checks over a scenario's figures (`[[expect]]`), in a
//! small expression language ([`expr`]), evaluated against the strategies'
//! summaries ([`evaluate`]).

mod evaluate;
mod expr;

pub use evaluate::{ExpectationOutcome, Score, evaluate, score};
pub use expr::{Expr, FUNCTIONS, Figures, ParseError, Value};
