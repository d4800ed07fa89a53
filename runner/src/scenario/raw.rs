//! Serde structs that mirror a scenario file exactly, with spans kept on every
//! value that later checks may need to point at. Unknown keys are rejected here.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub scenario: Spanned<RawScenario>,
    pub workload: Spanned<RawWorkload>,
    #[serde(default)]
    pub strategy: Vec<Spanned<RawStrategy>>,
    pub server: Option<Spanned<RawServer>>,
    #[serde(default)]
    pub expect: Vec<Spanned<RawExpect>>,
    pub report: Option<Spanned<RawReport>>,
}

/// `[report]`: make the table about one figure the plugin reports (a table
/// of measurements, like the latency table) instead of wall times.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReport {
    pub figure: Spanned<String>,
    pub unit: Option<Spanned<String>>,
    pub beside: Option<Spanned<String>>,
    pub relative_to: Option<Spanned<String>>,
}

/// `[[expect]]`: a graded check over the run's figures.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    pub check: Spanned<String>,
    pub name: Option<Spanned<String>>,
    pub points: Option<Spanned<f64>>,
    pub hint: Option<String>,
    pub tolerance: Option<Spanned<f64>>,
    pub retries: Option<Spanned<i64>>,
}

/// `[server]`: the embedded server's settings, or `url` of an external one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    pub url: Option<Spanned<String>>,
    pub delay_ms: Option<Spanned<f64>>,
    pub jitter_ms: Option<Spanned<f64>>,
    pub body_bytes: Option<Spanned<i64>>,
    pub fail_rate: Option<Spanned<f64>>,
    pub drop_rate: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub repeat: Option<Spanned<i64>>,
    pub warmup: Option<Spanned<i64>>,
    /// Seconds a run may take before it is killed.
    pub timeout: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkload {
    pub plugin: Spanned<String>,
    pub workload: Spanned<String>,
    pub units: Option<Spanned<i64>>,
    #[serde(default)]
    pub params: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    /// `[workload.sweep]`: parameter = [values…], every strategy run for each.
    #[serde(default)]
    pub sweep: BTreeMap<Spanned<String>, Spanned<Vec<Spanned<toml::Value>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStrategy {
    pub kind: Spanned<String>,
    pub label: Option<Spanned<String>>,
    pub workers: Option<Spanned<i64>>,
    #[serde(default)]
    pub baseline: bool,
    #[serde(default)]
    pub options: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    /// Another workload of the same plugin for this strategy only.
    pub workload: Option<Spanned<String>>,
    /// Overrides of `[workload.params]` for this strategy only.
    #[serde(default)]
    pub params: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
}
