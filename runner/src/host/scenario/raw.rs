//! Serde structs that mirror a scenario file exactly, with spans kept on every
//! value that later checks may need to point at. Unknown keys are rejected here.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    pub(crate) scenario: Spanned<RawScenario>,
    pub(crate) workload: Spanned<RawWorkload>,
    #[serde(default)]
    pub(crate) strategy: Vec<Spanned<RawStrategy>>,
    pub(crate) server: Option<Spanned<RawServer>>,
    #[serde(default)]
    pub(crate) expect: Vec<Spanned<RawExpect>>,
    pub(crate) report: Option<Spanned<RawReport>>,
    pub(crate) grading: Option<Spanned<RawGrading>>,
    /// `[limits]`: checked by name and value in `run_limits.rs`.
    pub(crate) limits: Option<Spanned<toml::Table>>,
}

/// `[grading]`: how a lab grades a submission.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawGrading {
    /// `"scenario"` (the default), `"submission"`, or a plugin name or path.
    pub(crate) verifier: Option<Spanned<String>>,
    /// `runner grade`: a shell command that builds a submission, run in a copy of its directory.
    pub(crate) build: Option<Spanned<String>>,
    /// `runner grade`: the library's path inside the submission (after the build, if any).
    pub(crate) library: Option<Spanned<String>>,
    /// `runner grade`: seconds the build may take.
    pub(crate) build_timeout: Option<Spanned<f64>>,
    /// `"fail"` (the default), `"pass"` or `"half"`: what a check still
    /// inconclusive after its retries earns.
    pub(crate) inconclusive: Option<Spanned<String>>,
}

/// `[report]`: make the table about one figure the plugin reports (a table
/// of measurements, like the latency table) instead of wall times.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReport {
    pub(crate) figure: Spanned<String>,
    pub(crate) unit: Option<Spanned<String>>,
    pub(crate) beside: Option<Spanned<String>>,
    pub(crate) relative_to: Option<Spanned<String>>,
}

/// `[[expect]]`: a graded check over the run's figures.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExpect {
    pub(crate) check: Spanned<String>,
    pub(crate) name: Option<Spanned<String>>,
    pub(crate) points: Option<Spanned<f64>>,
    pub(crate) hint: Option<String>,
    pub(crate) tolerance: Option<Spanned<f64>>,
    pub(crate) retries: Option<Spanned<i64>>,
    /// Gradescope: `hidden = true` is `visibility = "hidden"`.
    pub(crate) hidden: Option<Spanned<bool>>,
    /// Gradescope's test visibility.
    pub(crate) visibility: Option<Spanned<String>>,
}

/// `[server]`: the embedded server's settings, or `url` of an external one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawServer {
    pub(crate) url: Option<Spanned<String>>,
    pub(crate) delay_ms: Option<Spanned<f64>>,
    pub(crate) jitter_ms: Option<Spanned<f64>>,
    pub(crate) body_bytes: Option<Spanned<i64>>,
    pub(crate) fail_rate: Option<Spanned<f64>>,
    pub(crate) drop_rate: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub(crate) name: Spanned<String>,
    #[serde(default)]
    pub(crate) description: String,
    /// A number of rounds, or `"auto"` (checked in `rounds.rs`).
    pub(crate) repeat: Option<Spanned<toml::Value>>,
    /// With `repeat = "auto"`: each speedup's interval half-width to reach.
    pub(crate) target: Option<Spanned<f64>>,
    /// With `repeat = "auto"`: time the measured rounds may take.
    pub(crate) budget: Option<Spanned<toml::Value>>,
    pub(crate) warmup: Option<Spanned<i64>>,
    /// Seconds a run may take before it is killed.
    pub(crate) timeout: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWorkload {
    pub(crate) plugin: Spanned<String>,
    pub(crate) workload: Spanned<String>,
    pub(crate) units: Option<Spanned<i64>>,
    #[serde(default)]
    pub(crate) params: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    /// `[workload.sweep]`: parameter = [values…], every strategy run for each.
    #[serde(default)]
    pub(crate) sweep: BTreeMap<Spanned<String>, Spanned<Vec<Spanned<toml::Value>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStrategy {
    pub(crate) kind: Spanned<String>,
    pub(crate) label: Option<Spanned<String>>,
    pub(crate) workers: Option<Spanned<i64>>,
    #[serde(default)]
    pub(crate) baseline: bool,
    #[serde(default)]
    pub(crate) options: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    /// Another workload of the same plugin for this strategy only.
    pub(crate) workload: Option<Spanned<String>>,
    /// Overrides of `[workload.params]` for this strategy only.
    #[serde(default)]
    pub(crate) params: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    /// Overrides of `[limits]` for this strategy only.
    pub(crate) limits: Option<Spanned<toml::Table>>,
}
