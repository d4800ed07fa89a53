//! Where plugins are looked for, in order: every `--plugin-dir`, every entry of
//! `RUNNER_PLUGIN_PATH`, the directory of the `runner` binary itself (where
//! `cargo build --release --workspace` puts the workspace's plugins), then the
//! two places an installed runner looks: `<prefix>/lib/runner/plugins` beside
//! its `<prefix>/bin` (what `install.sh` fills) and the user's
//! `$XDG_DATA_HOME/runner/plugins` (default `~/.local/share/runner/plugins`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use runner_sdk::LIBRARY_PREFIX;

use crate::protocol::LoadError;

/// Environment variable with extra plugin directories, `:`-separated.
pub(crate) const PLUGIN_PATH_ENV: &str = "RUNNER_PLUGIN_PATH";

/// The plugin directory under an install prefix and under the XDG data directory.
const PLUGINS_UNDER_PREFIX: &str = "lib/runner/plugins";
const PLUGINS_UNDER_DATA: &str = "runner/plugins";

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

/// Why a directory is on the search path (what `runner list` says of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DirOrigin {
    /// `--plugin-dir`.
    Flag,
    /// An entry of `RUNNER_PLUGIN_PATH`.
    Env,
    /// The directory of the `runner` binary.
    BesideBinary,
    /// `<prefix>/lib/runner/plugins` for a binary in `<prefix>/bin`.
    InstallPrefix,
    /// `$XDG_DATA_HOME/runner/plugins`.
    UserData,
}

impl DirOrigin {
    /// Where the directory came from, in words.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            DirOrigin::Flag => "--plugin-dir",
            DirOrigin::Env => PLUGIN_PATH_ENV,
            DirOrigin::BesideBinary => "beside the runner binary",
            DirOrigin::InstallPrefix => "the install prefix",
            DirOrigin::UserData => "XDG_DATA_HOME",
        }
    }
}

/// What the search path is built from: the process's environment, or a
/// test's.
#[derive(Debug, Clone, Default)]
pub(crate) struct SearchEnv {
    pub(crate) plugin_path: Option<OsString>,
    /// The running binary.
    pub(crate) exe: Option<PathBuf>,
    pub(crate) xdg_data_home: Option<OsString>,
    pub(crate) home: Option<OsString>,
}

impl SearchEnv {
    /// This process's environment.
    pub(crate) fn current() -> SearchEnv {
        SearchEnv {
            plugin_path: std::env::var_os(PLUGIN_PATH_ENV),
            exe: std::env::current_exe().ok(),
            xdg_data_home: std::env::var_os("XDG_DATA_HOME"),
            home: std::env::var_os("HOME"),
        }
    }

    /// `$XDG_DATA_HOME`, or its default `$HOME/.local/share`; the
    /// specification says a relative value is to be ignored.
    fn data_home(&self) -> Option<PathBuf> {
        let set = self.xdg_data_home.as_ref().map(PathBuf::from).filter(|p| p.is_absolute());
        set.or_else(|| Some(PathBuf::from(self.home.as_ref()?).join(".local/share")))
    }
}

/// The ordered list of plugin directories.
#[derive(Debug, Clone, Default)]
pub(crate) struct SearchPath {
    dirs: Vec<PathBuf>,
    origins: Vec<DirOrigin>,
}

impl SearchPath {
    /// Builds the search path from `--plugin-dir` values and `env`.
    pub(crate) fn new(cli_dirs: &[PathBuf], env: &SearchEnv) -> SearchPath {
        let mut path = SearchPath::default();
        for dir in cli_dirs {
            path.push(dir.clone(), DirOrigin::Flag);
        }
        if let Some(list) = &env.plugin_path {
            for dir in std::env::split_paths(list).filter(|p| !p.as_os_str().is_empty()) {
                path.push(dir, DirOrigin::Env);
            }
        }
        if let Some(exe_dir) = env.exe.as_deref().and_then(Path::parent) {
            path.push(exe_dir.to_path_buf(), DirOrigin::BesideBinary);
            if let Some(prefix) = exe_dir.parent().filter(|_| exe_dir.file_name().is_some_and(|n| n == "bin")) {
                path.push(prefix.join(PLUGINS_UNDER_PREFIX), DirOrigin::InstallPrefix);
            }
        }
        if let Some(data) = env.data_home() {
            path.push(data.join(PLUGINS_UNDER_DATA), DirOrigin::UserData);
        }
        path
    }

    /// The search path of this process: `--plugin-dir` values, then the environment.
    pub(crate) fn from_env(cli_dirs: &[PathBuf]) -> SearchPath {
        SearchPath::new(cli_dirs, &SearchEnv::current())
    }

    fn push(&mut self, dir: PathBuf, origin: DirOrigin) {
        self.dirs.push(dir);
        self.origins.push(origin);
    }

    /// Every directory in order, with why it is there.
    pub(crate) fn dirs(&self) -> impl Iterator<Item = (&Path, DirOrigin)> {
        self.dirs.iter().map(PathBuf::as_path).zip(self.origins.iter().copied())
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
        let search = SearchPath {
            dirs: vec!["/nowhere/a".into(), "/nowhere/b".into()],
            origins: vec![DirOrigin::Flag, DirOrigin::Env],
        };
        let err = search.resolve(&PluginRef::Name("my-lab".into())).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("/nowhere/a/librunner_plugin_my_lab.so"), "{text}");
        assert!(text.contains("/nowhere/b/librunner_plugin_my_lab.so"), "{text}");
        assert!(text.contains("cargo build --release"), "{text}");
    }

    #[test]
    fn an_installed_runner_looks_under_its_prefix_and_the_users_data() {
        let env = SearchEnv {
            plugin_path: Some("/a::/b".into()),
            exe: Some("/opt/runner/bin/runner".into()),
            xdg_data_home: None,
            home: Some("/home/ann".into()),
        };
        let path = SearchPath::new(&["/flag".into()], &env);
        let dirs: Vec<(String, DirOrigin)> = path.dirs().map(|(d, o)| (d.display().to_string(), o)).collect();
        let expected = [
            ("/flag", DirOrigin::Flag),
            ("/a", DirOrigin::Env),
            ("/b", DirOrigin::Env),
            ("/opt/runner/bin", DirOrigin::BesideBinary),
            ("/opt/runner/lib/runner/plugins", DirOrigin::InstallPrefix),
            ("/home/ann/.local/share/runner/plugins", DirOrigin::UserData),
        ];
        assert_eq!(dirs, expected.map(|(d, o)| (d.to_owned(), o)));
        // A build directory is not a prefix; a relative XDG_DATA_HOME is ignored, an absolute one wins.
        let env = SearchEnv {
            exe: Some("/src/target/release/runner".into()),
            xdg_data_home: Some("/data".into()),
            ..SearchEnv::default()
        };
        let dirs: Vec<PathBuf> = SearchPath::new(&[], &env).dirs().map(|(d, _)| d.to_owned()).collect();
        assert_eq!(dirs, [PathBuf::from("/src/target/release"), "/data/runner/plugins".into()]);
        let env = SearchEnv { xdg_data_home: Some("rel".into()), home: Some("/h".into()), ..SearchEnv::default() };
        let dirs: Vec<PathBuf> = SearchPath::new(&[], &env).dirs().map(|(d, _)| d.to_owned()).collect();
        assert_eq!(dirs, [PathBuf::from("/h/.local/share/runner/plugins")]);
    }
}
