//! `runner new plugin NAME` scaffolds a crate that builds and passes its own
//! starter scenario (built here with the same cargo, offline: the workspace
//! build has already fetched every crate it needs).

mod common;

use std::process::Command;

use common::runner;

#[test]
fn a_new_plugin_builds_and_passes_its_starter_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let crate_dir = dir.path().join("my-lab");
    runner("new").args(["new", "plugin", "my-lab", "--dir"]).arg(&crate_dir).assert().success();
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--offline", "--quiet"])
        .current_dir(&crate_dir)
        .env("CARGO_TARGET_DIR", dir.path().join("target"))
        .status()
        .unwrap();
    assert!(status.success(), "the scaffolded plugin does not build");
    std::fs::create_dir_all(crate_dir.join("target/release")).unwrap();
    std::fs::copy(
        dir.path().join("target/release/librunner_plugin_my_lab.so"),
        crate_dir.join("target/release/librunner_plugin_my_lab.so"),
    )
    .unwrap();
    runner("new")
        .arg(crate_dir.join("my-lab.toml"))
        .assert()
        .success()
        .stdout(predicates::str::contains("expectations: 1 of 1 points"));
    // A bad name is refused, an existing directory is not overwritten.
    runner("new").args(["new", "plugin", "9lives"]).assert().code(2);
    runner("new").args(["new", "plugin", "again", "--dir"]).arg(&crate_dir).assert().code(2);
}
