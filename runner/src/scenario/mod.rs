//! Scenario files: parsed into raw serde structs that mirror the TOML
//! ([`raw`]), then validated into a [`Scenario`] that the rest of the runner
//! trusts ([`validate`]). Every error names the file, line and column.

mod error;
mod excerpt;
mod limits;
mod model;
mod raw;
mod read;
mod string_span;
mod validate;

pub use error::{Located, ScenarioError};
pub use model::{
    Expectation, FigureTable, FigureUnit, Scenario, ServeOptions, ServerSpec, StrategyEntry, WorkloadEntry, params_json,
};
pub use validate::{ManifestSource, load, load_str};
