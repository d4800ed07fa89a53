//! `runner new plugin NAME`: a Rust plugin crate that builds and passes its own
//! starter scenario, for a student's first demo.
//!
//! Its `runner-sdk` dependency must survive a move: created inside the
//! workspace the SDK belongs to (the SDK's `plugins/sdk` two levels down), the
//! crate names it by a relative path, which holds wherever the checkout goes;
//! outside it, by the SDK's absolute path (this runner's, or `--sdk PATH`),
//! with the crates.io form beside it in a comment for when `runner-sdk` is
//! published.

use std::path::{Path, PathBuf};

use crate::host::exit_code;

/// Where the SDK was when this runner was built; `--sdk` overrides it.
const SDK_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../plugins/sdk");

pub(crate) fn new_plugin(name: &str, dir: Option<&Path>, sdk: Option<&Path>) -> u8 {
    if !valid_name(name) {
        eprintln!(
            "error: `{name}` is not a plugin name\n(use lowercase letters, digits, `-` and `_`, starting with a letter)"
        );
        return exit_code::INPUT_UNUSABLE;
    }
    let dir = dir.map_or_else(|| PathBuf::from(name), Path::to_path_buf);
    if dir.exists() {
        eprintln!("error: `{}` already exists; choose another directory with --dir", dir.display());
        return exit_code::INPUT_UNUSABLE;
    }
    let sdk = sdk.map_or_else(|| PathBuf::from(SDK_DIR), Path::to_path_buf);
    let Ok(sdk) = sdk.canonicalize() else {
        eprintln!("error: the plugin SDK is not at `{}`\n(point --sdk at runner's plugins/sdk)", sdk.display());
        return exit_code::INPUT_UNUSABLE;
    };
    let sdk_dep = match sdk_dependency(&dir, &sdk) {
        SdkDep::Relative(path) => path,
        SdkDep::Absolute(path) => {
            eprintln!(
                "note: `{}` is outside runner's workspace, so its Cargo.toml names the SDK by its absolute path \
                 `{}`\n(moving the SDK breaks it; `--sdk PATH` names another)",
                dir.display(),
                path.display()
            );
            path
        }
    };
    let lib = name.replace('-', "_");
    let files = [
        ("Cargo.toml", cargo_toml(name, &lib, &sdk_dep)),
        ("src/lib.rs", LIB_RS.replace("{name}", name)),
        (&format!("{name}.toml")[..], scenario(name, &lib)),
    ];
    for (file, text) in &files {
        let path = dir.join(file);
        let written = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| std::fs::write(&path, text));
        if let Err(e) = written {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            return exit_code::INPUT_UNUSABLE;
        }
    }
    println!("created plugin `{name}` in {}", dir.display());
    println!("next:\n  cd {}\n  cargo build --release\n  runner {name}.toml", dir.display());
    exit_code::OK
}

/// How the new crate's Cargo.toml names the SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SdkDep {
    /// From the crate's directory: it is inside the SDK's workspace.
    Relative(PathBuf),
    Absolute(PathBuf),
}

/// Relative when `crate_dir` lies inside the workspace that holds `sdk`
/// (canonical) at `plugins/sdk`, else absolute.
fn sdk_dependency(crate_dir: &Path, sdk: &Path) -> SdkDep {
    let workspace = sdk.parent().and_then(Path::parent);
    match (absolute_dir(crate_dir), workspace) {
        (Some(crate_dir), Some(workspace)) if crate_dir.starts_with(workspace) => {
            SdkDep::Relative(relative_path(&crate_dir, sdk))
        }
        _ => SdkDep::Absolute(sdk.to_path_buf()),
    }
}

/// `dir` made absolute through its nearest existing ancestor (the crate's
/// directory does not exist yet); `None` if what is left names `..`.
fn absolute_dir(dir: &Path) -> Option<PathBuf> {
    let dir = std::path::absolute(dir).ok()?;
    let existing = dir.ancestors().find(|a| a.exists())?;
    let rest = dir.strip_prefix(existing).ok()?;
    let plain = rest.components().all(|c| matches!(c, std::path::Component::Normal(_)));
    plain.then(|| existing.canonicalize().ok().map(|e| e.join(rest)))?
}

/// The path from directory `from` to `to`, both absolute and free of `..`.
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let (from, to): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut path: PathBuf = std::iter::repeat_n(std::path::Component::ParentDir, from.len() - common).collect();
    path.extend(&to[common..]);
    path
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn cargo_toml(name: &str, lib: &str, sdk: &Path) -> String {
    format!(
        "[package]\nname = \"runner-plugin-{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [lib]\nname = \"runner_plugin_{lib}\"\ncrate-type = [\"cdylib\"]\n\n\
         [dependencies]\nrunner-sdk = {{ path = {:?} }}\n\
         # Once runner-sdk is published on crates.io: runner-sdk = \"0.1\"\n\n\
         # A workspace of its own, so it builds wherever it is created.\n[workspace]\n",
        sdk.display().to_string()
    )
}

fn scenario(name: &str, lib: &str) -> String {
    format!(
        "# Starter scenario for the `{name}` plugin: build it with `cargo build --release`, then\n\
         # `runner {name}.toml`. Change the workload, then the expectations.\n\n\
         [scenario]\nname = \"{name}\"\nrepeat = 3\nwarmup = 1\ntimeout = 60\n\n\
         [workload]\nplugin = \"target/release/librunner_plugin_{lib}.so\"\nworkload = \"squares\"\nunits = 4\n\n\
         [workload.params]\nn = 5_000_000\n\n\
         [[strategy]]\nkind = \"sequential\"\n\n[[strategy]]\nkind = \"threads\"\nworkers = 2\n\n\
         [[strategy]]\nkind = \"processes\"\nworkers = 2\n\n\
         [[expect]]\nname = \"correct under every strategy\"\n\
         check = 'verified(\"sequential\") && verified(\"threads\") && verified(\"processes\")'\npoints = 1\n"
    )
}

const LIB_RS: &str = r#"//! The `{name}` plugin for runner. Each unit adds up the squares of its share
//! of 1..=n (mod 2^64), checkpointing as it goes; verify compares the total
//! with a plain sequential sum. Replace the workload with your own demo.

use runner_sdk::{ParamSpec, Params, UnitContext, Workload, export_plugin};

struct Squares {
    n: u64,
    units: u64,
}

impl Squares {
    /// The numbers unit `unit` adds: an even share of 1..=n.
    fn share(&self, unit: u64) -> std::ops::RangeInclusive<u64> {
        let start = self.n * unit / self.units + 1;
        let end = self.n * (unit + 1) / self.units;
        start..=end
    }
}

impl Workload for Squares {
    const NAME: &'static str = "squares";
    const DESCRIPTION: &'static str = "adds up the squares of 1..=n, split over the units";

    fn params() -> Vec<ParamSpec> {
        vec![ParamSpec::int("n", 1_000_000, "the last number to square")]
    }

    fn prepare(params: &Params, units: u64) -> Result<Self, String> {
        let n = u64::try_from(params.int("n")?).map_err(|_| "`n` must not be negative".to_string())?;
        Ok(Squares { n, units: units.max(1) })
    }

    fn run_unit(&self, unit: u64, cx: &UnitContext<'_>) -> Result<String, String> {
        let mut total = 0u64;
        for i in self.share(unit) {
            total = total.wrapping_add(i.wrapping_mul(i));
            if i % 4096 == 0 {
                cx.checkpoint();
            }
        }
        Ok(total.to_string())
    }

    fn verify(&self, results: &[Option<String>]) -> Result<String, String> {
        let mut total = 0u64;
        for (unit, result) in results.iter().enumerate() {
            let text = result.as_deref().ok_or_else(|| format!("unit {unit} failed"))?;
            let value: u64 = text.parse().map_err(|_| format!("unit {unit} returned {text:?}"))?;
            total = total.wrapping_add(value);
        }
        let expected = (1..=self.n).fold(0u64, |sum, i| sum.wrapping_add(i.wrapping_mul(i)));
        if total == expected {
            Ok(format!("sum of squares = {total}"))
        } else {
            Err(format!("sum of squares = {total}, expected {expected}"))
        }
    }
}

export_plugin! {
    name: "{name}",
    description: "a starter plugin: sums of squares",
    workloads: [Squares],
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_the_workspace_the_sdk_is_named_relatively() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path().canonicalize().unwrap();
        let sdk = root.join("plugins/sdk");
        std::fs::create_dir_all(&sdk).unwrap();
        let inside = root.join("labs/week1/lab");
        assert_eq!(sdk_dependency(&inside, &sdk), SdkDep::Relative("../../../plugins/sdk".into()));
        assert_eq!(sdk_dependency(&root.join("plugins/lab"), &sdk), SdkDep::Relative("../sdk".into()));
        let outside = tempfile::tempdir().unwrap();
        let outside = outside.path().join("lab");
        assert_eq!(sdk_dependency(&outside, &sdk), SdkDep::Absolute(sdk.clone()));
        assert_eq!(sdk_dependency(&root.join("labs/../../x"), &sdk), SdkDep::Absolute(sdk));
    }
}
