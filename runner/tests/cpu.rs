//! The cpu plugin end to end through the real binary: every strategy runs,
//! verifies, and the JSON document has the documented shape.

mod common;

use common::{json, runner, scenario, strategy};
use predicates::prelude::*;

const SMALL_CPU: &str = r#"
[scenario]
name = "cpu-small"
repeat = 2
warmup = 0
timeout = 30

[workload]
plugin = "cpu"
workload = "count"
units = 7

[workload.params]
steps = 3_000_001

[[strategy]]
kind = "sequential"

[[strategy]]
kind = "threads"
workers = 3

[[strategy]]
kind = "threads"
label = "gil"
workers = 2
options = { gil = true, switch_interval_ms = 1 }

[[strategy]]
kind = "processes"
workers = 3

[[strategy]]
kind = "rayon"
workers = 2
"#;

#[test]
fn every_strategy_runs_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "cpu.toml", SMALL_CPU);
    let out = runner("cpu-json").arg(&file).args(["--format", "json"]).assert().success().get_output().clone();
    let doc = json(&out.stdout);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["scenario"]["name"], "cpu-small");
    assert_eq!(doc["workload"]["params"]["steps"], 3_000_001);
    assert_eq!(doc["ok"], true);
    for (label, kind, workers) in [
        ("sequential", "sequential", 1),
        ("threads", "threads", 3),
        ("gil", "threads", 2),
        ("processes", "processes", 3),
        ("rayon", "rayon", 2),
    ] {
        let s = strategy(&doc, label);
        assert_eq!(s["kind"], kind, "{s}");
        assert_eq!(s["workers"], workers, "{s}");
        assert_eq!(s["verified"], true, "{s}");
        let runs = s["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 2, "{s}");
        for run in runs {
            assert_eq!(run["units_ok"], 7, "{run}");
            assert_eq!(run["units_failed"], 0, "{run}");
            assert!(run["wall_s"].as_f64().unwrap() > 0.0, "{run}");
            assert!(run["max_rss_bytes"].as_u64().unwrap() > 0, "{run}");
        }
        let wall = &s["wall_s"];
        assert!(wall["min"].as_f64() <= wall["median"].as_f64() && wall["median"].as_f64() <= wall["max"].as_f64());
        assert!(s["speedup"].as_f64().unwrap() > 0.0);
        assert!(s["cpu_s"]["median"].as_f64().unwrap() > 0.0);
    }
    // Workers that reported in: all of them, for the strategies with fixed chunks.
    assert_eq!(strategy(&doc, "processes")["runs"][0]["workers_seen"], 3);
    assert_eq!(strategy(&doc, "threads")["runs"][0]["workers_seen"], 3);
    assert_eq!(strategy(&doc, "sequential")["baseline"], true);
    assert!(strategy(&doc, "gil")["gil_switches"].is_u64());
}

#[test]
fn table_names_every_strategy_and_the_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "cpu.toml", SMALL_CPU);
    runner("cpu-table")
        .arg("run")
        .arg(&file)
        .assert()
        .success()
        .stdout(predicate::str::contains("cpu-small"))
        .stdout(predicate::str::contains("processes"))
        .stdout(predicate::str::contains("speedup"))
        .stdout(predicate::str::contains("verified: count = 3000001 = steps"));
}

#[test]
fn the_shipped_scenarios_validate() {
    let scenarios = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios");
    let mut files: Vec<_> = [scenarios.to_owned(), format!("{scenarios}/assessments")]
        .iter()
        .flat_map(|dir| std::fs::read_dir(dir).unwrap())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    runner("validate").arg("validate").args(&files).assert().success().stdout(predicate::str::contains("cpu_bound"));
}

#[test]
fn list_shows_plugins_workloads_parameters_and_strategies() {
    runner("list")
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("plugin cpu"))
        .stdout(predicate::str::contains("workload count"))
        .stdout(predicate::str::contains("steps (integer, default 10000000)"))
        .stdout(predicate::str::contains("processes"))
        // Fixtures are never found by name.
        .stdout(predicate::str::contains("hostile").not());
}

#[test]
fn a_plugin_is_found_through_the_environment_and_plugin_dir() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(common::library("librunner_plugin_cpu.so"), dir.path().join("librunner_plugin_copied.so")).unwrap();
    let text = SMALL_CPU.replace("plugin = \"cpu\"", "plugin = \"copied\"");
    let file = scenario(dir.path(), "copied.toml", &text);
    runner("env").arg("validate").arg(&file).assert().failure().code(2);
    runner("env").arg("validate").arg(&file).env("RUNNER_PLUGIN_PATH", dir.path()).assert().success();
    runner("env").args(["validate", "--plugin-dir"]).arg(dir.path()).arg(&file).assert().success();
}
