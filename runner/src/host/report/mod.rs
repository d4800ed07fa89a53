//! Reports of scenarios' results: one format per file behind one
//! [`Exporter`] trait, for stdout and for files alike. Every format reads the
//! same [`Report`] (summaries, figure rows, the grade); none computes a fact of
//! its own.

mod csv;
mod exporter;
mod gradescope;
mod html;
mod json;
mod junit;
mod markdown;
mod paint;
mod printed;
mod result;
mod table;
mod text;
mod timelines;
mod trace;

#[cfg(test)]
mod tests;

pub(crate) use csv::Csv;
pub(crate) use exporter::Exporter;
pub(crate) use gradescope::{Gradescope, NotRun, without_runs as gradescope_without_runs_of};
pub(crate) use html::Html;
pub(crate) use json::Json;
pub(crate) use junit::Junit;
pub(crate) use markdown::Markdown;
pub(crate) use paint::{ColorChoice, paint};
pub(crate) use printed::for_terminal as printed_for_terminal;
pub(crate) use result::{Report, ScenarioResult};
pub(crate) use table::Table;
pub(crate) use timelines::for_terminal as timelines_for_terminal;
pub(crate) use trace::Trace;
