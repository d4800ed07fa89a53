//! What the host tells a run's process to do (JSON on its stdin).

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
}
