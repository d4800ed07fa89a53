//! The trait a workload implements.

use crate::context::UnitContext;
use crate::manifest::ParamSpec;
use crate::params::Params;

/// A workload: `units` independent pieces of work, and a check of their results.
///
/// One instance is made per run by [`prepare`](Self::prepare) and shared by every
/// worker of that run (threads call [`run_unit`](Self::run_unit) concurrently, so
/// the instance is `Sync`). Under the `processes` strategy the instance is made
/// before the fork, and each process runs its units in its own copy.
///
/// Return errors as `Err(message)`; a panic is caught by the SDK and reported as
/// that unit's failure with its message, so it never takes the run down with it.
pub trait Workload: Sized + Send + Sync + 'static {
    /// Name used in scenario files (`workload = "…"`).
    const NAME: &'static str;
    /// What a unit does and what verification checks; shown by `runner list`.
    const DESCRIPTION: &'static str;

    /// Declared parameters. The host rejects any other and fills in defaults.
    fn params() -> Vec<ParamSpec> {
        Vec::new()
    }

    /// Builds the instance for one run of `units` units.
    fn prepare(params: &Params, units: u64) -> Result<Self, String>;

    /// Runs unit `unit` (0-based) and returns its result as text (JSON by
    /// convention), which is what [`verify`](Self::verify) receives.
    fn run_unit(&self, unit: u64, cx: &UnitContext<'_>) -> Result<String, String>;

    /// Checks the results of a run, one entry per unit (`None` where the unit
    /// failed). `Ok` and `Err` both carry a one-line explanation for the report.
    fn verify(&self, results: &[Option<String>]) -> Result<String, String>;
}
