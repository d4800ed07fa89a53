//! Resolving plugin references and remembering their manifests, so a plugin
//! used by many scenarios is described (in a child process) only once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use runner_sdk::Manifest;

use super::manifest_check::check_manifest;
use super::{PluginRef, SearchPath, describe};
use crate::protocol::LoadError;

/// Where validation gets a plugin's manifest from (a child process in the
/// runner; a fixed manifest in tests).
pub(crate) trait ManifestSource {
    /// Finds the plugin's library and its manifest.
    fn manifest(&mut self, plugin: &PluginRef) -> Result<(PathBuf, Manifest), LoadError>;

    /// When a submission stands in for `plugin` (`--plugin NAME=PATH`), the
    /// scenario's own library for that name, which then verifies; `None` when
    /// nothing stands in.
    fn reference(&mut self, plugin: &PluginRef) -> Option<Result<PathBuf, LoadError>> {
        let _ = plugin;
        None
    }

    /// The library a `[grading] verifier` names, on the search path alone.
    fn resolve_reference(&mut self, plugin: &PluginRef) -> Result<PathBuf, LoadError> {
        self.manifest(plugin).map(|(path, _)| path)
    }
}

/// The runner's view of the plugins it has met.
#[derive(Debug)]
pub(crate) struct Catalog {
    search: SearchPath,
    /// `--plugin NAME=PATH`: libraries that replace plugins by name.
    overrides: HashMap<String, PathBuf>,
    described: HashMap<PathBuf, Result<Manifest, LoadError>>,
}

impl Catalog {
    /// A catalog searching `search`.
    pub(crate) fn new(search: SearchPath, overrides: impl IntoIterator<Item = (String, PathBuf)>) -> Catalog {
        Catalog { search, overrides: overrides.into_iter().collect(), described: HashMap::new() }
    }

    /// Makes `library` stand in for plugin `name` from now on (as `--plugin
    /// NAME=PATH` does): `runner grade`, one submission after another, keeping
    /// the manifests already described.
    pub(crate) fn stand_in(&mut self, name: &str, library: PathBuf) {
        self.overrides.insert(name.to_owned(), library);
    }

    /// The search path.
    pub(crate) fn search_path(&self) -> &SearchPath {
        &self.search
    }

    /// The manifest of the library at `path`.
    pub(crate) fn describe(&mut self, path: &Path) -> Result<Manifest, LoadError> {
        self.described
            .entry(path.to_owned())
            .or_insert_with(|| describe(path).and_then(|m| check_manifest(path, m)))
            .clone()
    }
}

impl ManifestSource for Catalog {
    fn manifest(&mut self, plugin: &PluginRef) -> Result<(PathBuf, Manifest), LoadError> {
        let path = match plugin {
            PluginRef::Name(name) if self.overrides.contains_key(name) => {
                self.search.resolve(&PluginRef::Path(self.overrides[name].clone()))?
            }
            _ => self.search.resolve(plugin)?,
        };
        let path = path.canonicalize().unwrap_or(path);
        let manifest = self.describe(&path)?;
        Ok((path, manifest))
    }

    fn reference(&mut self, plugin: &PluginRef) -> Option<Result<PathBuf, LoadError>> {
        match plugin {
            PluginRef::Name(name) if self.overrides.contains_key(name) => Some(self.resolve_reference(plugin)),
            _ => None,
        }
    }

    fn resolve_reference(&mut self, plugin: &PluginRef) -> Result<PathBuf, LoadError> {
        let path = self.search.resolve(plugin)?;
        Ok(path.canonicalize().unwrap_or(path))
    }
}
