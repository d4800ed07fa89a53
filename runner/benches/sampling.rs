//! What CPU sampling costs the measured run (`cargo bench -p runner --bench
//! sampling`; build the plugins first with `cargo build --release --workspace`):
//! the cpu_bound strategies run alternately without and with `--report` (which
//! samples `/proc/stat` every 20 ms on a host thread), and the table prints
//! each strategy's median wall time and speedup under both. Alternating pairs
//! see the same machine conditions; compare the columns, not single numbers.

use std::collections::BTreeMap;
use std::process::Command;

const PAIRS: usize = 3;

const SCENARIO: &str = r#"
[scenario]
name = "sampling cost"
repeat = 3
warmup = 1

[workload]
plugin = "cpu"
workload = "count"
units = 2

[workload.params]
steps = 1_000_000_000

[[strategy]]
kind = "sequential"

[[strategy]]
kind = "threads"
workers = 2

[[strategy]]
kind = "threads"
label = "threads+gil"
workers = 2
options = { gil = true }

[[strategy]]
kind = "processes"
workers = 2
"#;

/// Median wall time and speedup per strategy label, for one call.
fn measure(file: &std::path::Path, report: Option<&std::path::Path>) -> BTreeMap<String, (f64, f64)> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_runner"));
    command.arg(file).args(["--format", "json"]);
    if let Some(page) = report {
        command.arg("--report").arg(page);
    }
    let out = command.output().expect("run runner");
    assert!(out.status.success(), "runner failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let samples: u64 = doc["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["runs"].as_array().unwrap())
        .map(|r| r["timeline"]["cpu_samples"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(samples > 0, report.is_some(), "sampling only with --report");
    doc["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let label = s["label"].as_str().unwrap().to_owned();
            (label, (s["wall_s"]["median"].as_f64().unwrap(), s["speedup"].as_f64().unwrap()))
        })
        .collect()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let dir = std::env::temp_dir().join(format!("runner-bench-sampling-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("sampling.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let page = dir.join("page.html");
    let (mut without, mut with) = (Vec::new(), Vec::new());
    for _ in 0..PAIRS {
        without.push(measure(&file, None));
        with.push(measure(&file, Some(&page)));
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("CPU sampling cost, {PAIRS} alternating pairs of calls (medians over the calls)");
    println!("{:<12} {:>14} {:>14} {:>15} {:>15}", "strategy", "wall, off", "wall, on", "speedup, off", "speedup, on");
    for label in without[0].keys() {
        let pick = |calls: &[BTreeMap<String, (f64, f64)>], f: fn(&(f64, f64)) -> f64| {
            median(calls.iter().map(|c| f(&c[label])).collect())
        };
        println!(
            "{label:<12} {:>12.3} s {:>12.3} s {:>14.2}x {:>14.2}x",
            pick(&without, |m| m.0),
            pick(&with, |m| m.0),
            pick(&without, |m| m.1),
            pick(&with, |m| m.1)
        );
    }
}
