//! Resolving plugin references and remembering their manifests, so a plugin
//! used by many scenarios is described (in a child process) only once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use runner_sdk::Manifest;

use super::manifest_check::check_manifest;
use super::{LoadError, PluginRef, SearchPath, describe};
use crate::scenario::ManifestSource;

/// The runner's view of the plugins it has met.
#[derive(Debug)]
pub struct Catalog {
    search: SearchPath,
    /// `--plugin NAME=PATH`: libraries that replace plugins by name.
    overrides: HashMap<String, PathBuf>,
    described: HashMap<PathBuf, Result<Manifest, LoadError>>,
}

impl Catalog {
    /// A catalog searching `search`.
    pub fn new(search: SearchPath, overrides: impl IntoIterator<Item = (String, PathBuf)>) -> Catalog {
        Catalog { search, overrides: overrides.into_iter().collect(), described: HashMap::new() }
    }

    /// The search path.
    pub fn search_path(&self) -> &SearchPath {
        &self.search
    }

    /// The manifest of the library at `path`.
    pub fn describe(&mut self, path: &Path) -> Result<Manifest, LoadError> {
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
}
