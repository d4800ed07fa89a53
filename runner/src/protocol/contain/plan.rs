//! What crosses between the host and the run's process about containment:
//! the plan the host sends inside the run description, and the report of
//! what was applied that the run's process sends back. Plain data (serde), no
//! behaviour, so the `protocol` layer can take it as it is.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::protocol::contain::Limits;

/// How the run may use TCP (Landlock ABI 4+ rules are by port only, not by address).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetPlan {
    /// Ports the run may connect to; `None`: any (not restricted).
    /// Latency's `tcp_round_trip` connects to its own listener on an ephemeral
    /// port that cannot be known in advance, so it needs `None`.
    #[serde(default)]
    pub connect_ports: Option<Vec<u16>>,
    /// Whether the run may bind a TCP port the kernel picks (port 0), as
    /// latency's `tcp_round_trip` does for its echo listener. Binding a chosen
    /// port is never allowed.
    #[serde(default)]
    pub bind_ephemeral: bool,
}

/// Everything the run's process needs to contain itself, sent by the host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChildPlan {
    pub limits: Limits,
    /// The strategy's workers (for the default process count).
    pub workers: u64,
    /// The run's scratch directory: the only place it may write.
    #[serde(default)]
    pub scratch_dir: Option<PathBuf>,
    /// Directories the run may not read at all (the lab's folder).
    #[serde(default)]
    pub private_dirs: Vec<PathBuf>,
    /// Files the run may read even under a private directory: the plugin
    /// library itself and the workload's `path` parameters.
    #[serde(default)]
    pub readable: Vec<PathBuf>,
    #[serde(default)]
    pub net: NetPlan,
    /// The host put the run in a cgroup that bounds memory and tasks, so the
    /// per-uid RLIMIT_NPROC is not needed (see `rlimits.rs`).
    #[serde(default)]
    pub cgroup_bounds_tasks: bool,
}

/// Whether one protection is in force for the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// In force; `detail` says how (values, rules).
    Applied { detail: String },
    /// Not in force; `why` says what the machine lacks or what failed.
    Unavailable { why: String },
}

/// One protection by its stable name (`rlimit_memory`, `landlock`, `seccomp`…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protection {
    pub(crate) name: String,
    #[serde(flatten)]
    pub(crate) state: State,
}

/// What the run's process applied, in order; crosses to the host.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protections {
    pub items: Vec<Protection>,
    /// Time each step of the set-up took, in order (`rlimits`, `landlock`…), in ns.
    #[serde(default)]
    pub step_ns: Vec<(String, u64)>,
}

impl Protections {
    pub(crate) fn applied(&mut self, name: &str, detail: impl Into<String>) {
        self.items.push(Protection { name: name.into(), state: State::Applied { detail: detail.into() } });
    }

    pub(crate) fn unavailable(&mut self, name: &str, why: impl Into<String>) {
        self.items.push(Protection { name: name.into(), state: State::Unavailable { why: why.into() } });
    }

    pub(crate) fn record(&mut self, name: &str, result: Result<String, String>) {
        match result {
            Ok(detail) => self.applied(name, detail),
            Err(why) => self.unavailable(name, why),
        }
    }

    /// Names of the protections that are not in force (for
    /// `--require-containment` and the report's "protections off" line).
    pub(crate) fn missing(&self) -> Vec<&str> {
        self.items.iter().filter(|p| matches!(p.state, State::Unavailable { .. })).map(|p| p.name.as_str()).collect()
    }
}

impl std::fmt::Display for Protections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for p in &self.items {
            match &p.state {
                State::Applied { detail } => writeln!(f, "  on   {:<16} {detail}", p.name)?,
                State::Unavailable { why } => writeln!(f, "  OFF  {:<16} {why}", p.name)?,
            }
        }
        Ok(())
    }
}
