//! Every way a plugin can fail to load is refused as unusable input (exit 2)
//! with a message that says what is wrong and what to do.

mod common;

use std::path::Path;

use common::{fixture, runner, scenario};

fn scenario_for(dir: &Path, library: &Path, workload: &str) -> std::path::PathBuf {
    scenario(
        dir,
        "s.toml",
        &format!(
            "[scenario]\nname = \"load\"\n\n[workload]\nplugin = \"{}\"\nworkload = \"{workload}\"\n\n[[strategy]]\nkind = \"sequential\"\n",
            library.display()
        ),
    )
}

fn refused(library: &Path, workload: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario_for(dir.path(), library, workload);
    let out = runner("loading").arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("{}:5:10: ", file.display())), "{stderr}");
    assert!(out.stdout.is_empty());
    stderr
}

#[test]
fn wrong_abi_version_names_both_versions() {
    let stderr = refused(&fixture("wrong_abi"), "x");
    assert!(stderr.contains("built for plugin ABI version 999, this runner speaks version 1"), "{stderr}");
}

#[test]
fn a_library_without_the_symbols_is_not_a_plugin() {
    let stderr = refused(&fixture("no_symbol"), "x");
    assert!(stderr.contains("is not a runner plugin: symbol `runner_abi_version` is missing"), "{stderr}");
}

#[test]
fn a_file_that_is_not_a_library_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("libfake.so");
    std::fs::write(&fake, "this is not ELF").unwrap();
    let stderr = refused(&fake, "x");
    assert!(stderr.contains("is not a loadable shared library"), "{stderr}");
}

#[test]
fn a_panic_while_describing_itself_is_reported_with_its_message() {
    let stderr = refused(&fixture("init_panic"), "broken");
    assert!(stderr.contains("panicked while describing itself: init failed on purpose"), "{stderr}");
}

#[test]
fn a_relative_plugin_path_is_resolved_against_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("hostile"), dir.path().join("libstudent.so")).unwrap();
    let file = scenario(
        dir.path(),
        "lab.toml",
        "[scenario]\nname = \"lab\"\n\n[workload]\nplugin = \"libstudent.so\"\nworkload = \"panic\"\n\n[[strategy]]\nkind = \"sequential\"\n",
    );
    runner("relative").arg("validate").arg(&file).current_dir("/").assert().success();
}
