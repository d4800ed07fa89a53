//! # Writing a `runner` plugin
//!
//! A plugin is a `cdylib` that provides workloads: `units` independent pieces of
//! work and a check of their results. The host decides how the units run
//! (sequentially, on threads, in forked processes, on a rayon pool, under a
//! simulated interpreter lock) and measures it; the plugin only does the work.
//!
//! ```ignore
//! use runner_sdk::{Params, ParamSpec, UnitContext, Workload, export_plugin};
//!
//! struct Count { steps_per_unit: u64 }
//!
//! impl Workload for Count {
//!     const NAME: &'static str = "count";
//!     const DESCRIPTION: &'static str = "counts to `steps`, split over the units";
//!     fn params() -> Vec<ParamSpec> {
//!         vec![ParamSpec::int("steps", 1_000_000, "total steps over all units")]
//!     }
//!     fn prepare(params: &Params, units: u64) -> Result<Self, String> {
//!         Ok(Count { steps_per_unit: params.int("steps")? as u64 / units })
//!     }
//!     fn run_unit(&self, _unit: u64, cx: &UnitContext<'_>) -> Result<String, String> {
//!         cx.checkpoint();
//!         Ok(self.steps_per_unit.to_string())
//!     }
//!     fn verify(&self, results: &[Option<String>]) -> Result<String, String> {
//!         Ok(format!("{} units", results.len()))
//!     }
//! }
//!
//! export_plugin! {
//!     name: "count-demo",
//!     description: "a counting loop",
//!     workloads: [Count],
//! }
//! ```
//!
//! with `crate-type = ["cdylib"]` and `[lib] name = "runner_plugin_<name>"` in
//! `Cargo.toml`, so that `runner` finds it by name.
//!
//! The raw C ABI is in [`abi`] (and `include/runner_plugin.h` for C authors);
//! read it to learn the rules every plugin lives by.
#![warn(missing_docs)]

pub mod abi;
mod context;
#[doc(hidden)]
pub mod export;
mod manifest;
mod params;
mod workload;

pub use context::{HttpResponse, UnitContext};
pub use manifest::{Manifest, ParamSpec, ParamType, ParamValue, WorkloadInfo};
pub use params::Params;
pub use workload::{UnitFuture, Workload};

static SCRATCH_DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// The run's private directory for files, for [`Workload::prepare`]: made by the
/// runner before the run and removed by it afterwards, however the run ended.
/// `None` when the runner gave none.
pub fn scratch_dir() -> Option<&'static std::path::Path> {
    SCRATCH_DIR.get().map(std::path::PathBuf::as_path)
}

/// A verdict message with named figures, for [`Workload::verify`]: expectations
/// in scenarios can test them (`lost_updates("unlocked") > 0`). On the wire it
/// is a JSON object `{"message": "...", "figures": {"name": number}}`; a plain
/// message is plain text.
pub fn with_figures(message: impl Into<String>, figures: &[(&str, f64)]) -> String {
    let figures: serde_json::Map<String, serde_json::Value> =
        figures.iter().map(|(name, value)| ((*name).to_owned(), serde_json::json!(value))).collect();
    serde_json::json!({ "message": message.into(), "figures": figures }).to_string()
}

/// Library file name prefix: plugin `NAME` is searched as
/// `lib{LIBRARY_PREFIX}{NAME}.so` (with `-` in `NAME` spelled `_`).
pub const LIBRARY_PREFIX: &str = "runner_plugin_";

#[doc(hidden)]
pub mod __private {
    pub use crate::export::{PluginDef, PluginInfo, entry, vtable};
}

/// Exports a plugin's workloads through the C ABI.
///
/// Generates the `runner_abi_version` data symbol and the `runner_plugin` root
/// function; every entry point catches panics and reports them with their message.
#[macro_export]
macro_rules! export_plugin {
    (name: $name:expr, description: $description:expr, workloads: [$($workload:ty),+ $(,)?] $(,)?) => {
        #[doc(hidden)]
        #[allow(non_upper_case_globals)]
        #[unsafe(no_mangle)]
        pub static runner_abi_version: u32 = $crate::abi::ABI_VERSION;

        #[doc(hidden)]
        struct __RunnerPluginDef;

        impl $crate::__private::PluginDef for __RunnerPluginDef {
            const INFO: $crate::__private::PluginInfo = $crate::__private::PluginInfo {
                name: $name,
                version: env!("CARGO_PKG_VERSION"),
                description: $description,
                workloads: &[$($crate::__private::entry::<$workload>()),+],
            };
        }

        static __RUNNER_VTABLE: $crate::abi::RunnerPlugin = $crate::__private::vtable::<__RunnerPluginDef>();

        /// The plugin's root table (see `runner_sdk::abi`).
        #[doc(hidden)]
        #[unsafe(no_mangle)]
        pub extern "C" fn runner_plugin() -> *const $crate::abi::RunnerPlugin {
            &__RUNNER_VTABLE
        }
    };
}
