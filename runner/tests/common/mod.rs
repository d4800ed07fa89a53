//! Helpers shared by the integration tests: the real `runner` binary, the
//! real plugins built beside it, and scenario files written to a temp dir.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// Directory holding the `runner` binary under test and the workspace's plugins.
pub fn build_dir() -> PathBuf {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_runner"));
    exe.parent().expect("binary has a directory").to_owned()
}

/// A fixture library by its short name (`hostile`, `wrong_abi`…), checked to exist.
pub fn fixture(name: &str) -> PathBuf {
    library(&format!("librunner_fixture_{name}.so"))
}

/// A library in the build directory, checked to exist.
pub fn library(file: &str) -> PathBuf {
    let path = build_dir().join(file);
    assert!(
        path.is_file(),
        "{} is missing: build the workspace first with `cargo build --release --workspace` \
         (the tests run the real plugins)",
        path.display()
    );
    path
}

/// The runner binary, with a marker in its environment that every process it
/// starts inherits, so a test can find anything left behind.
pub fn runner(marker: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_runner"));
    cmd.env("RUNNER_TEST_MARKER", marker).env_remove("RUST_LOG").env_remove("RUNNER_PLUGIN_PATH");
    cmd.timeout(std::time::Duration::from_secs(120));
    cmd
}

/// Writes `text` as `name` in `dir` and returns its path.
pub fn scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write scenario");
    path
}

/// Processes (other than zombies, which have no environment) that carry `marker`.
pub fn processes_with_marker(marker: &str) -> Vec<u32> {
    let needle = format!("RUNNER_TEST_MARKER={marker}");
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .map(|env| env.split(|b| *b == 0).any(|var| var == needle.as_bytes()))
                .unwrap_or(false)
        })
        .collect()
}

/// Zombie processes whose command is `runner`.
pub fn runner_zombies() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            stat.contains("(runner)") && stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z'))
        })
        .collect()
}

/// Parses the JSON document the runner printed.
pub fn json(stdout: &[u8]) -> serde_json::Value {
    serde_json::from_slice(stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", String::from_utf8_lossy(stdout)))
}

/// The entry of `strategies` labelled `label`.
pub fn strategy<'a>(doc: &'a serde_json::Value, label: &str) -> &'a serde_json::Value {
    doc["strategies"]
        .as_array()
        .expect("strategies array")
        .iter()
        .find(|s| s["label"] == label)
        .unwrap_or_else(|| panic!("no strategy `{label}` in {doc}"))
}
