//! An installed runner: `install.sh` puts the binary and the workspace's
//! plugins under a prefix, and from any directory that runner finds them
//! (`<prefix>/lib/runner/plugins`) and says where it looked; shell completions
//! and the manual page come from the same clap definitions and load in the
//! real tools; `runner new plugin` inside the workspace names the SDK by a
//! path that survives moving the checkout.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{build_dir, runner};

const SMALL_CPU: &str = r#"
[scenario]
name = "installed"
repeat = 1
warmup = 0

[workload]
plugin = "cpu"
workload = "count"
units = 2

[workload.params]
steps = 1_000_000

[[strategy]]
kind = "sequential"

[[strategy]]
kind = "threads"
workers = 2
"#;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

#[test]
fn an_installed_runner_finds_its_plugins_from_any_directory() {
    let prefix = tempfile::tempdir().unwrap();
    let status = Command::new("sh")
        .arg(workspace().join("install.sh"))
        .arg("--no-build")
        .arg(prefix.path())
        .env("CARGO_TARGET_DIR", build_dir().parent().unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    let plugins = prefix.path().join("lib/runner/plugins");
    assert!(plugins.join("librunner_plugin_cpu.so").is_file());
    let fixtures = std::fs::read_dir(&plugins)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains("fixture"));
    assert_eq!(fixtures.count(), 0, "the test fixtures are not installed");

    let elsewhere = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let installed = |args: &[&str]| {
        let mut cmd = assert_cmd::Command::new(prefix.path().join("bin/runner"));
        cmd.args(args)
            .current_dir(elsewhere.path())
            .env("HOME", home.path())
            .env_remove("XDG_DATA_HOME")
            .env_remove("RUNNER_PLUGIN_PATH")
            .timeout(std::time::Duration::from_secs(120));
        cmd
    };
    let list = installed(&["list"]).assert().success();
    let list = String::from_utf8_lossy(&list.get_output().stdout).into_owned();
    let plugins = plugins.canonicalize().unwrap();
    assert!(list.contains(&format!("{} — the install prefix", plugins.display())), "{list}");
    let user = home.path().join(".local/share/runner/plugins");
    assert!(list.contains(&format!("{} — XDG_DATA_HOME (missing)", user.display())), "{list}");
    assert!(list.contains(&plugins.join("librunner_plugin_cpu.so").display().to_string()), "{list}");
    assert!(list.contains("plugin io "), "{list}");

    let scenarios = tempfile::tempdir().unwrap();
    let file = common::scenario(scenarios.path(), "small.toml", SMALL_CPU);
    installed(&[file.to_str().unwrap()]).assert().success().stdout(predicates::str::contains("threads"));
}

#[test]
fn completions_load_in_bash_and_the_man_page_renders() {
    let exe = env!("CARGO_BIN_EXE_runner");
    let status = Command::new("bash")
        .args(["-c", &format!("source <('{exe}' completions bash) && complete -p runner")])
        .status()
        .unwrap();
    assert!(status.success(), "bash could not source the completions");
    for shell in ["zsh", "fish"] {
        let out = runner("completions").args(["completions", shell]).assert().success();
        assert!(String::from_utf8_lossy(&out.get_output().stdout).contains("completions"), "{shell}");
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("runner.1");
    let out = runner("man").arg("man").assert().success();
    std::fs::write(&page, &out.get_output().stdout).unwrap();
    let rendered = Command::new("man").arg("-l").arg(&page).env("MANPAGER", "cat").env("MANWIDTH", "100").output();
    let rendered = match rendered {
        Ok(out) if out.status.success() => out.stdout,
        // No man-db here: groff renders the same page.
        _ => Command::new("groff").args(["-man", "-Tutf8"]).arg(&page).output().expect("man or groff").stdout,
    };
    let text = String::from_utf8_lossy(&rendered);
    assert!(text.contains("NAME") && text.contains("--trace") && text.contains("completions"), "{text}");
    runner("man").args(["man", "--dir"]).arg(dir.path()).assert().success();
    assert!(dir.path().join("runner-completions.1").is_file());
}

#[test]
fn a_plugin_made_inside_the_workspace_names_the_sdk_relatively() {
    let inside = tempfile::tempdir_in(build_dir()).unwrap();
    let crate_dir = inside.path().join("rel-lab");
    runner("new").args(["new", "plugin", "rel-lab", "--dir"]).arg(&crate_dir).assert().success();
    let cargo = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    let path = cargo.lines().find_map(|l| l.strip_prefix("runner-sdk = { path = \"")).expect("a path dependency");
    let path = path.trim_end_matches("\" }");
    assert!(Path::new(path).is_relative(), "{cargo}");
    let sdk = crate_dir.join(path).canonicalize().unwrap();
    assert_eq!(sdk, workspace().join("plugins/sdk").canonicalize().unwrap());
    assert!(cargo.contains("# Once runner-sdk is published on crates.io: runner-sdk = \"0.1\""), "{cargo}");
}
