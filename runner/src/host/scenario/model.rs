//! The validated scenario: what the rest of the runner works from. Fields are
//! only ever set by `validate`, which has checked every rule.

use std::path::PathBuf;
use std::time::Duration;

use runner_sdk::{Manifest, ParamValue, WorkloadInfo};

use super::grading::InconclusivePolicy;
use super::rounds::Repeat;
use crate::host::plugin::Pin;
use crate::host::serve::ServeConfig;
use crate::protocol::StrategySpec;
use crate::protocol::contain::Limits;

/// A scenario ready to run.
#[derive(Debug, Clone)]
pub(crate) struct Scenario {
    pub(crate) path: PathBuf,
    pub(crate) name: String,
    pub(crate) description: String,
    /// Measured rounds planned at first: all of them for a fixed `repeat`,
    /// the first of `repeat = "auto"`.
    pub(crate) repeat: u32,
    /// `repeat` as written: fixed, or measured until the speedups are known.
    pub(crate) rounds: Repeat,
    pub(crate) warmup: u32,
    pub(crate) timeout: Duration,
    pub(crate) workload: WorkloadEntry,
    pub(crate) strategies: Vec<StrategyEntry>,
    /// Index into `strategies` of the one speedups are measured against.
    pub(crate) baseline: usize,
    /// The server the workload talks to, if any.
    pub(crate) server: Option<ServerSpec>,
    /// Graded checks over the results (`[[expect]]`).
    pub(crate) expectations: Vec<Expectation>,
    /// `[report]`: the table is about this figure rather than wall times.
    pub(crate) figure_table: Option<FigureTable>,
    /// What each run may use (`[limits]`, then `--limit`).
    pub(crate) limits: Limits,
    /// `[grading] inconclusive`: what an inconclusive check earns.
    pub(crate) inconclusive: InconclusivePolicy,
    /// The file as it was read, once: reports show this, never the file again.
    pub(crate) text: String,
    /// How `runner grade` finds (or builds) a submission's library.
    pub(crate) submission: SubmissionLayout,
    /// Folders a run may not read beyond the lab's own: `runner grade` puts
    /// the class's submissions here, so that no run reads another's work.
    pub(crate) private_dirs: Vec<std::path::PathBuf>,
}

/// `[grading] build`, `library`, `build_timeout`: what `runner grade` does
/// with a submission's directory before it runs the lab against it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SubmissionLayout {
    /// The plugin name a submission stands in for (`plugin = "NAME"`);
    /// `None` when the lab names its plugin by path.
    pub(crate) plugin: Option<String>,
    /// A shell command run in (a copy of) the submission's directory.
    pub(crate) build: Option<String>,
    /// The library's path relative to the submission's directory; `None`:
    /// the plugin's file name (`librunner_plugin_NAME.so`) at its top.
    pub(crate) library: Option<PathBuf>,
    /// Time the build may take before its processes are ended.
    pub(crate) build_timeout: Duration,
}

/// A table of one plugin figure per strategy (`[report]`): its median and
/// spread over the runs, another figure beside it, and its ratio to one row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FigureTable {
    /// The verdict figure each row is about (`ns`).
    pub(crate) figure: String,
    pub(crate) unit: FigureUnit,
    /// Another verdict figure shown beside it (`lecture_ns`).
    pub(crate) beside: Option<String>,
    /// Index of the strategy whose median the ratio column divides by.
    pub(crate) relative_to: Option<usize>,
}

/// How a figure's numbers read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FigureUnit {
    /// Nanoseconds, printed scaled (`82.1 ns`, `1.20 ms`).
    Nanoseconds,
    /// Any other unit, printed after the number as written.
    Other(String),
}

/// One `[[expect]]`.
#[derive(Debug, Clone)]
pub(crate) struct Expectation {
    /// Shown in reports; the check's text unless named.
    pub(crate) name: String,
    /// The expression as written.
    pub(crate) text: String,
    pub(crate) check: crate::host::expect::Expr,
    pub(crate) points: f64,
    pub(crate) hint: Option<String>,
    /// Relative slack for numeric comparisons (0.05 = 5 %).
    pub(crate) tolerance: f64,
    /// Times to measure again when the check fails before it counts as failed.
    pub(crate) retries: u32,
    /// When Gradescope shows the check to the student.
    pub(crate) visibility: Visibility,
}

/// Gradescope's visibility of a test (`visibility` or `hidden` on an `[[expect]]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Visibility {
    #[default]
    Visible,
    Hidden,
    AfterDueDate,
    AfterPublished,
}

impl Visibility {
    /// Every value, as the scenario (and Gradescope) spells it.
    pub(crate) const ALL: [Visibility; 4] =
        [Visibility::Visible, Visibility::Hidden, Visibility::AfterDueDate, Visibility::AfterPublished];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Visibility::Visible => "visible",
            Visibility::Hidden => "hidden",
            Visibility::AfterDueDate => "after_due_date",
            Visibility::AfterPublished => "after_published",
        }
    }
}

/// Where the workload's `url` points.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ServerSpec {
    /// The runner starts `runner serve` for the scenario with these settings.
    Embedded(ServeConfig),
    /// An external server.
    External(String),
}

/// The workload to run, resolved to a library and checked against its manifest.
#[derive(Debug, Clone)]
pub(crate) struct WorkloadEntry {
    pub(crate) library: PathBuf,
    /// Whose verdict grades the runs.
    pub(crate) verifier: Verifier,
    /// The library's file as validated; each run checks it is still that one.
    pub(crate) pin: Option<Pin>,
    pub(crate) manifest: Manifest,
    pub(crate) name: String,
    pub(crate) units: u64,
    /// Every declared parameter, defaults filled in, in declaration order.
    pub(crate) params: Vec<(String, ParamValue)>,
}

impl WorkloadEntry {
    /// The manifest's description of this workload.
    pub(crate) fn info(&self) -> &WorkloadInfo {
        self.manifest.workloads.iter().find(|w| w.name == self.name).expect("validated against the manifest")
    }

    /// The workload-level value of parameter `name`.
    pub(crate) fn param(&self, name: &str) -> Option<&ParamValue> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

/// Parameters as the JSON object a plugin's `prepare` receives.
pub(crate) fn params_json(params: &[(String, ParamValue)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        params.iter().map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or(serde_json::Value::Null))).collect();
    serde_json::Value::Object(map).to_string()
}

/// One strategy of the scenario.
#[derive(Debug, Clone)]
pub(crate) struct StrategyEntry {
    /// Unique within the scenario; how reports and expectations name it.
    pub(crate) label: String,
    pub(crate) spec: StrategySpec,
    /// The workload this strategy runs: the scenario's, unless the strategy
    /// names another of the same plugin.
    pub(crate) workload: String,
    /// Every parameter as this strategy runs the workload: the workload's,
    /// with this strategy's `params` overriding.
    pub(crate) params: Vec<(String, ParamValue)>,
    /// Names of the parameters this strategy overrides.
    pub(crate) overrides: Vec<String>,
    /// What each of its runs may use: `[limits]`, then the strategy's own
    /// `limits`, then `--limit`.
    pub(crate) limits: Limits,
}

impl StrategyEntry {
    /// The parameters this strategy overrides, with their values.
    pub(crate) fn overridden(&self) -> impl Iterator<Item = &(String, ParamValue)> {
        self.params.iter().filter(|(k, _)| self.overrides.contains(k))
    }
}

/// Whose code gives the verdict a grade uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verifier {
    /// The library that runs is the scenario's own plugin: its verdict, given
    /// in the run's process, counts.
    InRun,
    /// A submission stands in for the scenario's plugin: this library (the
    /// scenario's own, or the one `[grading] verifier` names) verifies the
    /// units' results in a process of its own.
    Instructor(PathBuf),
    /// A submission stands in, and its own verdict counts (`[grading] verifier
    /// = "submission"`, for workloads whose verdict needs the run's memory);
    /// reports say the verdict and its figures are the submission's.
    Submission,
}
