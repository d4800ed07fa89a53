//! What the host tells a run's process to do: a [`RunSpec`] as one JSON line on
//! its stdin, then, once it says it is prepared, the [`GO`](super::GO) byte
//! that starts the measured phase (the host's clock starts then); and what it
//! tells a verifier process ([`VerifySpec`]).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::protocol::StrategySpec;

/// One run: which plugin and workload, with which parameters, how.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RunSpec {
    pub(crate) plugin: PathBuf,
    pub(crate) workload: String,
    /// The workload's parameters as a JSON object, defaults filled in.
    pub(crate) params_json: String,
    pub(crate) units: u64,
    pub(crate) strategy: StrategySpec,
    /// The run's private directory, made and removed by the runner.
    #[serde(default)]
    pub(crate) scratch_dir: Option<PathBuf>,
    /// How the run's process contains itself (and what the host's cgroup
    /// bounds), before the plugin loads.
    #[serde(default)]
    pub(crate) contain: Option<super::contain::ChildPlan>,
}

/// One verification, in a process of its own (`runner __verify`): the
/// instructor's library checks the results a run's units returned, in an
/// instance prepared afresh with the same parameters, so nothing the
/// submission did in its own process can reach the verdict.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct VerifySpec {
    pub(crate) plugin: PathBuf,
    pub(crate) workload: String,
    pub(crate) params_json: String,
    pub(crate) units: u64,
    /// Every unit's output, in unit order; `None` where the unit failed.
    pub(crate) results: Vec<Option<String>>,
}

/// A submission's build (`runner __build`): the lab's command, run by
/// `/bin/sh -c` in `dir` (a copy of the submission the host made inside the
/// build's scratch directory), after the process has contained itself by
/// `contain`. The command is the instructor's; everything it runs (a
/// makefile, a build script) is the submission's, hence the containment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct BuildSpec {
    pub(crate) command: String,
    pub(crate) dir: PathBuf,
    /// Set in the build's environment (`TMPDIR` inside the scratch directory).
    pub(crate) env: Vec<(String, String)>,
    pub(crate) contain: super::contain::ChildPlan,
}
