//! Where plugins are looked for, in order: every `--plugin-dir`, every entry of
//! `RUNNER_PLUGIN_PATH`, then the directory of the `runner` binary itself (where
//! `cargo build --release --workspace` puts the workspace's plugins).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use runner_sdk::LIBRARY_PREFIX;

use crate::protocol::LoadError;

/// Environment variable with extra plugin directories, `:`-separated.
pub(crate) const PLUGIN_PATH_ENV: &str = "RUNNER_PLUGIN_PATH";

/// How a scenario names its plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PluginRef {
    /// A name looked up on the search path (`plugin = "cpu"`).
    Name(String),
    /// A library path, relative ones resolved against the scenario's directory.
    Path(PathBuf),
}

impl PluginRef {
    /// Reads the scenario's `plugin` value: anything with a `/` or ending in
    /// `.so` is a path, the rest is a name.
    pub(crate) fn parse(value: &str, base_dir: &Path) -> PluginRef {
        if value.contains('/') || value.ends_with(".so") {
            PluginRef::Path(base_dir.join(value))
        } else {
            PluginRef::Name(value.to_owned())
        }
    }
}

/// The ordered list of plugin directories.
#[derive(Debug, Clone, Default)]
pub(crate) struct SearchPath {
    dirs: Vec<PathBuf>,
}

impl SearchPath {
    /// Builds the search path from `--plugin-dir` values, the environment and the
    /// location of the running binary.
    pub(crate) fn new(cli_dirs: &[PathBuf], env: Option<OsString>) -> SearchPath {
        let mut dirs: Vec<PathBuf> = cli_dirs.to_vec();
        if let Some(env) = env {
            dirs.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()));
        }
        if let Some(exe_dir) = std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf)) {
            dirs.push(exe_dir);
        }
        SearchPath { dirs }
    }

    /// The search path of this process: `--plugin-dir` values, then the environment.
    pub(crate) fn from_env(cli_dirs: &[PathBuf]) -> SearchPath {
        SearchPath::new(cli_dirs, std::env::var_os(PLUGIN_PATH_ENV))
    }

    /// The library file name for plugin `name`.
    pub(crate) fn file_name(name: &str) -> String {
        format!("lib{LIBRARY_PREFIX}{}.so", name.replace('-', "_"))
    }

    /// Resolves a reference to a library path.
    pub(crate) fn resolve(&self, plugin: &PluginRef) -> Result<PathBuf, LoadError> {
        match plugin {
            PluginRef::Path(path) if path.is_file() => Ok(path.clone()),
            PluginRef::Path(path) => Err(LoadError::MissingFile { path: path.clone() }),
            PluginRef::Name(name) => {
                let file = Self::file_name(name);
                let searched: Vec<PathBuf> = self.dirs.iter().map(|d| d.join(&file)).collect();
                searched.iter().find(|p| p.is_file()).cloned().ok_or_else(|| LoadError::NotFound {
                    name: name.clone(),
                    file,
                    searched,
                })
            }
        }
    }

    /// Every plugin library on the search path, first occurrence of each name
    /// winning, as `runner list` shows them.
    pub(crate) fn discover(&self) -> Vec<PathBuf> {
        let mut seen = std::collections::BTreeSet::new();
        let mut found = Vec::new();
        for dir in &self.dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for path in paths {
                let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                let is_plugin = name.starts_with(&format!("lib{LIBRARY_PREFIX}")) && name.ends_with(".so");
                if is_plugin && seen.insert(name.to_owned()) {
                    found.push(path);
                }
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths_are_told_apart() {
        let base = Path::new("/labs/one");
        assert_eq!(PluginRef::parse("cpu", base), PluginRef::Name("cpu".into()));
        assert_eq!(PluginRef::parse("./libx.so", base), PluginRef::Path("/labs/one/./libx.so".into()));
        assert_eq!(PluginRef::parse("libx.so", base), PluginRef::Path("/labs/one/libx.so".into()));
        assert_eq!(PluginRef::parse("/abs/libx.so", base), PluginRef::Path("/abs/libx.so".into()));
    }

    #[test]
    fn not_found_lists_every_place_searched() {
        let search = SearchPath { dirs: vec!["/nowhere/a".into(), "/nowhere/b".into()] };
        let err = search.resolve(&PluginRef::Name("my-lab".into())).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("/nowhere/a/librunner_plugin_my_lab.so"), "{text}");
        assert!(text.contains("/nowhere/b/librunner_plugin_my_lab.so"), "{text}");
        assert!(text.contains("cargo build --release"), "{text}");
    }
}
