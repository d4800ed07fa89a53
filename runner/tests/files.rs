//! File workloads: digests verified across a chunk sweep, the tree demo with
//! its expected `rmdir` error, and the run's scratch directory gone after
//! every outcome, a killed run included.

mod common;

use std::process::{Command, Stdio};

use common::{json, runner, scenario, strategy};

fn scratch_dirs_of(pid: u32) -> Vec<String> {
    std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(&format!("runner-scratch-{pid}-")))
        .collect()
}

#[test]
fn hashes_verify_for_every_chunk_size_and_strategy() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(
        dir.path(),
        "hash.toml",
        "[scenario]\nname = \"hash\"\nrepeat = 1\nwarmup = 0\n\n[workload]\nplugin = \"files\"\nworkload = \"hash\"\nunits = 4\n\n\
         [workload.params]\nbytes = 100_000\nappend_byte = true\n\n[workload.sweep]\nchunk = [1024, 65536]\n\n\
         [[strategy]]\nkind = \"sequential\"\n\n[[strategy]]\nkind = \"processes\"\nworkers = 2\n\n[[strategy]]\nkind = \"async\"\n",
    );
    let out = runner("hash").arg(&file).args(["--format", "json"]).assert().success().get_output().clone();
    let doc = json(&out.stdout);
    let labels: Vec<&str> =
        doc["strategies"].as_array().unwrap().iter().map(|s| s["label"].as_str().unwrap()).collect();
    assert_eq!(labels.len(), 6, "{labels:?}");
    for label in ["sequential chunk=1024", "processes chunk=65536", "async chunk=1024"] {
        let s = strategy(&doc, label);
        assert_eq!(s["verified"], true, "{s}");
        assert!(
            s["verdict"].as_str().unwrap().contains("4 digests verified, each changed by one appended byte"),
            "{s}"
        );
    }
}

#[test]
fn the_tree_demo_shows_rmdir_failing_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(
        dir.path(),
        "tree.toml",
        "[scenario]\nname = \"tree\"\nrepeat = 1\nwarmup = 0\n\n[workload]\nplugin = \"files\"\nworkload = \"tree\"\nunits = 3\n\n\
         [[strategy]]\nkind = \"sequential\"\n\n[[strategy]]\nkind = \"threads\"\nworkers = 3\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_runner")).arg(&file).stdout(Stdio::piped()).spawn().unwrap();
    let pid = child.id();
    let status = child.wait().unwrap();
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    assert!(status.success(), "{stdout}");
    assert!(stdout.contains("rmdir: Directory not empty"), "{stdout}");
    assert!(stdout.contains("80 files"), "{stdout}");
    assert_eq!(scratch_dirs_of(pid), Vec::<String>::new());
}

#[test]
fn a_killed_run_leaves_no_scratch_directory() {
    let dir = tempfile::tempdir().unwrap();
    // Large files and a short timeout: the run is killed while it writes or hashes.
    let file = scenario(
        dir.path(),
        "killed.toml",
        "[scenario]\nname = \"killed\"\nrepeat = 1\nwarmup = 0\ntimeout = 0.3\n\n[workload]\nplugin = \"files\"\nworkload = \"hash\"\n\
         units = 64\n\n[workload.params]\nbytes = 67_108_864\n\n[[strategy]]\nkind = \"processes\"\nworkers = 2\n",
    );
    let child = Command::new(env!("CARGO_BIN_EXE_runner")).arg(&file).stdout(Stdio::piped()).spawn().unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("timed out after 0.3 s"));
    assert_eq!(scratch_dirs_of(pid), Vec::<String>::new());
}
