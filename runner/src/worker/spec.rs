//! What the host tells a run's process to do (JSON on its stdin).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::strategy::StrategySpec;

/// One run: which plugin and workload, with which parameters, how.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunSpec {
    pub plugin: PathBuf,
    pub workload: String,
    /// The workload's parameters as a JSON object, defaults filled in.
    pub params_json: String,
    pub units: u64,
    pub strategy: StrategySpec,
    /// The run's private directory, made and removed by the runner.
    #[serde(default)]
    pub scratch_dir: Option<PathBuf>,
}
