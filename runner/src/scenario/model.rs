//! The validated scenario: what the rest of the runner works from. Fields are
//! only ever set by `validate`, which has checked every rule.

use std::path::PathBuf;
use std::time::Duration;

use runner_sdk::{Manifest, ParamValue, WorkloadInfo};

use crate::strategy::StrategySpec;

/// A scenario ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub path: PathBuf,
    pub name: String,
    pub description: String,
    pub repeat: u32,
    pub warmup: u32,
    pub timeout: Duration,
    pub workload: WorkloadEntry,
    pub strategies: Vec<StrategyEntry>,
    /// Index into `strategies` of the one speedups are measured against.
    pub baseline: usize,
    /// The server the workload talks to, if any.
    pub server: Option<ServerSpec>,
    /// Graded checks over the results (`[[expect]]`).
    pub expectations: Vec<Expectation>,
    /// `[report]`: the table is about this figure rather than wall times.
    pub figure_table: Option<FigureTable>,
}

/// A table of one plugin figure per strategy (`[report]`): its median and
/// spread over the runs, another figure beside it, and its ratio to one row.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureTable {
    /// The verdict figure each row is about (`ns`).
    pub figure: String,
    pub unit: FigureUnit,
    /// Another verdict figure shown beside it (`lecture_ns`).
    pub beside: Option<String>,
    /// Index of the strategy whose median the ratio column divides by.
    pub relative_to: Option<usize>,
}

/// How a figure's numbers read.
#[derive(Debug, Clone, PartialEq)]
pub enum FigureUnit {
    /// Nanoseconds, printed scaled (`82.1 ns`, `1.20 ms`).
    Nanoseconds,
    /// Any other unit, printed after the number as written.
    Other(String),
}

/// One `[[expect]]`.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// Shown in reports; the check's text unless named.
    pub name: String,
    /// The expression as written.
    pub text: String,
    pub check: crate::expect::Expr,
    pub points: f64,
    pub hint: Option<String>,
    /// Relative slack for numeric comparisons (0.05 = 5 %).
    pub tolerance: f64,
    /// Times to measure again when the check fails before it counts as failed.
    pub retries: u32,
}

/// Where the workload's `url` points.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerSpec {
    /// The runner starts `runner serve` for the scenario with these settings.
    Embedded(ServeOptions),
    /// An external server.
    External(String),
}

/// Settings of the embedded server, as `runner serve` options.
#[derive(Debug, Clone, PartialEq)]
pub struct ServeOptions {
    pub delay: Duration,
    pub jitter: Duration,
    pub body_bytes: usize,
    pub fail_rate: f64,
    pub drop_rate: f64,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions { delay: Duration::ZERO, jitter: Duration::ZERO, body_bytes: 383, fail_rate: 0.0, drop_rate: 0.0 }
    }
}

impl ServeOptions {
    /// The command-line options of `runner serve` for these settings.
    pub fn to_args(&self) -> Vec<String> {
        let ms = |d: Duration| format!("{}ms", d.as_secs_f64() * 1e3);
        vec![
            "--delay".into(),
            ms(self.delay),
            "--jitter".into(),
            ms(self.jitter),
            "--body-bytes".into(),
            self.body_bytes.to_string(),
            "--fail-rate".into(),
            self.fail_rate.to_string(),
            "--drop-rate".into(),
            self.drop_rate.to_string(),
        ]
    }
}

/// The workload to run, resolved to a library and checked against its manifest.
#[derive(Debug, Clone)]
pub struct WorkloadEntry {
    /// As written in the scenario (`cpu`, `./libx.so`).
    pub plugin: String,
    pub library: PathBuf,
    pub manifest: Manifest,
    pub name: String,
    pub units: u64,
    /// Every declared parameter, defaults filled in, in declaration order.
    pub params: Vec<(String, ParamValue)>,
}

impl WorkloadEntry {
    /// The manifest's description of this workload.
    pub fn info(&self) -> &WorkloadInfo {
        self.manifest.workloads.iter().find(|w| w.name == self.name).expect("validated against the manifest")
    }

    /// The workload-level value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&ParamValue> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// Parameters as the JSON object a plugin's `prepare` receives.
pub fn params_json(params: &[(String, ParamValue)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        params.iter().map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or(serde_json::Value::Null))).collect();
    serde_json::Value::Object(map).to_string()
}

/// One strategy of the scenario.
#[derive(Debug, Clone)]
pub struct StrategyEntry {
    /// Unique within the scenario; how reports and expectations name it.
    pub label: String,
    pub spec: StrategySpec,
    /// The workload this strategy runs: the scenario's, unless the strategy
    /// names another of the same plugin.
    pub workload: String,
    /// Every parameter as this strategy runs the workload: the workload's,
    /// with this strategy's `params` overriding.
    pub params: Vec<(String, ParamValue)>,
    /// Names of the parameters this strategy overrides.
    pub overrides: Vec<String>,
}

impl StrategyEntry {
    /// The parameters this strategy overrides, with their values.
    pub fn overridden(&self) -> impl Iterator<Item = &(String, ParamValue)> {
        self.params.iter().filter(|(k, _)| self.overrides.contains(k))
    }
}
