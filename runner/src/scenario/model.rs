//! The validated scenario: what the rest of the runner works from. Fields are
//! only ever set by `validate`, which has checked every rule.

use std::path::PathBuf;
use std::time::Duration;

use runner_sdk::{Manifest, ParamValue};

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
    /// Parameters as the JSON object the plugin's `prepare` receives.
    pub fn params_json(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = self
            .params
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or(serde_json::Value::Null)))
            .collect();
        serde_json::Value::Object(map).to_string()
    }
}

/// One strategy of the scenario.
#[derive(Debug, Clone)]
pub struct StrategyEntry {
    /// Unique within the scenario; how reports and expectations name it.
    pub label: String,
    pub spec: StrategySpec,
}
