//! The lecture's result, as ratios with tolerance (never absolute times): on a
//! machine with two or more cores, threads and processes speed the counting
//! loop up and the simulated interpreter lock takes the speedup away. Alone in
//! its test binary so no other test competes for the cores.

mod common;

use common::{json, runner, scenario, strategy};

#[test]
fn threads_and_processes_speed_up_and_the_lock_does_not() {
    if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
        eprintln!("skipped: needs two cores");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(
        dir.path(),
        "speedup.toml",
        r#"
[scenario]
name = "speedup"
repeat = 5
warmup = 1

[workload]
plugin = "cpu"
workload = "count"
units = 2

[workload.params]
steps = 400_000_000

[[strategy]]
kind = "sequential"

[[strategy]]
kind = "threads"
workers = 2

[[strategy]]
kind = "threads"
label = "gil"
workers = 2
options = { gil = true }

[[strategy]]
kind = "processes"
workers = 2
"#,
    );
    // This shared 2-core VM's parallelism comes and goes within seconds (a
    // plain two-thread loop measured 0.94x to 1.93x in one minute), so each
    // behaviour must show in some attempt: threads and processes beat one core
    // at least once, and the simulated lock does not (median over attempts).
    let mut attempts: Vec<(f64, f64, f64)> = Vec::new();
    for _ in 0..4 {
        let out = runner("speedup").arg(&file).args(["--format", "json"]).assert().success().get_output().clone();
        let doc = json(&out.stdout);
        let speedup = |label: &str| strategy(&doc, label)["speedup"].as_f64().unwrap();
        assert!(strategy(&doc, "gil")["gil_switches"].as_u64().unwrap() > 0);
        attempts.push((speedup("threads"), speedup("processes"), speedup("gil")));
        let best_threads = attempts.iter().map(|a| a.0).fold(0.0, f64::max);
        let best_processes = attempts.iter().map(|a| a.1).fold(0.0, f64::max);
        let mut gil: Vec<f64> = attempts.iter().map(|a| a.2).collect();
        gil.sort_by(f64::total_cmp);
        if best_threads > 1.3 && best_processes > 1.3 && gil[gil.len() / 2] < 1.2 {
            return;
        }
    }
    panic!(
        "threads or processes never beat 1.3x, or the lock's median was not below 1.2x (threads, processes, gil): {attempts:?}"
    );
}
