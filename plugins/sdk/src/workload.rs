//! The trait a workload implements.

use std::future::Future;
use std::pin::Pin;

use crate::context::UnitContext;

/// The future of one unit's async form.
pub type UnitFuture<'a> = Pin<Box<dyn Future<Output = Result<String, String>> + 'a>>;
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

    /// Whether [`run_unit_async`](Self::run_unit_async) is implemented: set it
    /// to `true` when you implement it. The `async` strategies refuse a
    /// workload without one.
    const ASYNC: bool = false;

    /// The unit as a future, for the `async` strategies: all units of a run
    /// are then in flight together on one thread. Do IO through
    /// [`UnitContext::sleep_async`] and [`UnitContext::http_get_async`] (the
    /// host's runtime; a plugin needs no runtime of its own).
    fn run_unit_async<'a>(&'a self, unit: u64, cx: UnitContext<'a>) -> UnitFuture<'a> {
        let _ = (unit, cx);
        Box::pin(async { Err(format!("workload `{}` has no async form", Self::NAME)) })
    }

    /// Checks the results of a run, one entry per unit (`None` where the unit
    /// failed). `Ok` and `Err` both carry a one-line explanation for the report;
    /// wrap it with [`with_figures`](crate::with_figures) to report named
    /// numbers (e.g. `lost_updates`) that expectations can test.
    fn verify(&self, results: &[Option<String>]) -> Result<String, String>;
}
