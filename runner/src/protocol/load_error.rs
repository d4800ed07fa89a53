//! Every way loading a plugin can fail, one variant each, so that each can say
//! what to do about it.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A plugin could not be found or loaded.
#[derive(Debug, Clone, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum LoadError {
    #[error(
        "plugin `{name}` not found; searched:\n{}\n(build the workspace's plugins with `cargo build --release --workspace`, \
         or point `--plugin-dir`/`RUNNER_PLUGIN_PATH` at the directory that holds `{file}`)",
        searched.iter().map(|p| format!("  {}", p.display())).collect::<Vec<_>>().join("\n")
    )]
    NotFound { name: String, file: String, searched: Vec<PathBuf> },
    #[error("plugin file `{}` does not exist", path.display())]
    MissingFile { path: PathBuf },
    #[error("`{}` is not a loadable shared library: {reason}", path.display())]
    NotALibrary { path: PathBuf, reason: String },
    #[error(
        "`{}` is not a runner plugin: symbol `{symbol}` is missing\n(a Rust plugin exports it with `runner_sdk::export_plugin!`; a C plugin as in `runner_plugin.h`)",
        path.display()
    )]
    MissingSymbol { path: PathBuf, symbol: String },
    #[error(
        "`{}` was built for plugin ABI version {plugin}, this runner speaks version {host}\n(rebuild the plugin against this runner's `runner-sdk`)",
        path.display()
    )]
    AbiMismatch { path: PathBuf, plugin: u32, host: u32 },
    #[error("`{}` has a malformed plugin table: {reason}", path.display())]
    BadTable { path: PathBuf, reason: String },
    #[error("plugin `{}` panicked while describing itself: {message}", path.display())]
    PanickedInInit { path: PathBuf, message: String },
    #[error("plugin `{}` failed while loading: {cause}", path.display())]
    CrashedInInit { path: PathBuf, cause: String },
    #[error(
        "plugin `{}` has an unusable manifest: {reason}\n(fix the workloads it declares: each name once, each default of its parameter's type)",
        path.display()
    )]
    BadManifest { path: PathBuf, reason: String },
    #[error(
        "plugin `{}` describes itself in more than {limit_mib} MiB, the most a manifest may take\n(shorten its descriptions and help texts)",
        path.display()
    )]
    ManifestTooLarge { path: PathBuf, limit_mib: u64 },
}
