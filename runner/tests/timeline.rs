//! Timelines and the HTML report: the pictures agree with the measurements
//! (lanes match workers, bars add up to the units' time, waits show where
//! they happen), CPU is sampled only when a picture is asked for, and the page
//! renders in a real browser with one timeline per strategy.

mod common;

use std::path::Path;
use std::process::Command;

use common::{json, runner, scenario, strategy};

const CPU: &str = r#"
[scenario]
name = "cpu pictures"
repeat = 1
timeout = 60

[workload]
plugin = "cpu"
workload = "count"
units = 2

[workload.params]
steps = 300_000_000

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

const SLEEP: &str = r#"
[scenario]
name = "sleep pictures"
repeat = 1
timeout = 60

[workload]
plugin = "io"
workload = "sleep"
units = 8

[workload.params]
seconds = 0.02

[[strategy]]
kind = "sequential"

[[strategy]]
kind = "threads"
workers = 4

[[strategy]]
kind = "async"
"#;

/// The one run of strategy `label` as JSON.
fn only_run<'a>(doc: &'a serde_json::Value, label: &str) -> &'a serde_json::Value {
    let runs = strategy(doc, label)["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "{label}: one measured run");
    assert_eq!(runs[0]["ok"], true, "{label} failed: {}", runs[0]);
    &runs[0]
}

fn run_json(file: &Path, extra: &[&str]) -> serde_json::Value {
    let out = runner("timeline-test").arg(file).args(["--format", "json"]).args(extra).output().unwrap();
    assert!(out.status.success(), "runner failed:\n{}", String::from_utf8_lossy(&out.stderr));
    json(&out.stdout)
}

#[test]
fn timelines_agree_with_the_measurements() {
    let dir = tempfile::tempdir().unwrap();
    let cpu = run_json(&scenario(dir.path(), "cpu.toml", CPU), &[]);
    for (label, workers) in [("sequential", 1), ("threads", 2), ("threads+gil", 2), ("processes", 2)] {
        let run = only_run(&cpu, label);
        let (timeline, wall) = (&run["timeline"], run["wall_s"].as_f64().unwrap());
        assert_eq!(timeline["lanes"], workers, "{label}: one lane per worker: {timeline}");
        assert_eq!(timeline["cpu_samples"], 0, "{label}: no sampling unless a picture is asked for");
        let busy = timeline["busy_s"].as_f64().unwrap();
        // Units run inside the strategy's wall time, at most one per worker at a time.
        assert!(busy <= wall * f64::from(workers) * 1.01, "{label}: busy {busy} s over {workers} × wall {wall} s");
        assert!(busy >= wall * 0.9, "{label}: units cover the run: busy {busy} s, wall {wall} s");
    }
    let gil = &only_run(&cpu, "threads+gil")["timeline"];
    let (busy, waited) = (gil["busy_s"].as_f64().unwrap(), gil["waiting_gil_s"].as_f64().unwrap());
    assert!(waited > busy * 0.25, "two threads under one lock wait for it much of the time: {gil}");
    assert_eq!(only_run(&cpu, "threads")["timeline"]["waiting_gil_s"], 0.0);

    let sleep = run_json(&scenario(dir.path(), "sleep.toml", SLEEP), &["--timeline"]);
    let sequential = &only_run(&sleep, "sequential")["timeline"];
    let (busy, io) = (sequential["busy_s"].as_f64().unwrap(), sequential["waiting_io_s"].as_f64().unwrap());
    assert!(io > busy * 0.8, "a sleeping unit spends its time waiting: {sequential}");
    assert_eq!(only_run(&sleep, "threads")["timeline"]["lanes"], 4);
    let async_run = &only_run(&sleep, "async")["timeline"];
    assert!(async_run["max_in_flight"].as_u64().unwrap() > 1, "async units overlap on one worker: {async_run}");
    assert!(async_run["cpu_samples"].as_u64().unwrap() > 0, "--timeline samples the CPU: {async_run}");
}

#[test]
fn the_terminal_timeline_draws_a_lane_per_worker_and_a_row_per_core() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "sleep.toml", SLEEP);
    let out = runner("timeline-test").arg(&file).args(["--timeline"]).env("COLUMNS", "90").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let section = |label: &str| -> Vec<String> {
        let start = text.find(&format!("{label} · median run")).unwrap_or_else(|| panic!("no `{label}` in\n{text}"));
        text[start..].lines().skip(1).take_while(|l| !l.is_empty()).map(str::to_owned).collect()
    };
    let threads = section("threads");
    assert_eq!(threads.iter().filter(|l| l.trim_start().starts_with("worker")).count(), 4, "{text}");
    // Every core the kernel counts in /proc/stat (which a cpuset may not limit).
    let stat = std::fs::read_to_string("/proc/stat").unwrap();
    let cores = stat.lines().filter(|l| l.starts_with("cpu") && l.as_bytes()[3].is_ascii_digit()).count();
    assert_eq!(threads.iter().filter(|l| l.trim_start().starts_with("cpu")).count(), cores, "{text}");
    assert!(section("async").iter().any(|l| l.contains("in flight")), "{text}");
    assert!(section("sequential")[0].contains('─'), "sleeping shows as waiting:\n{text}");
}

/// Chromium, if installed (`.ci/run` installs Debian's and sets
/// `RUNNER_REQUIRE_CHROMIUM=1`, so CI never skips this).
fn chromium() -> Option<&'static str> {
    let found =
        ["chromium", "chromium-browser"].into_iter().find(|c| Command::new(c).arg("--version").output().is_ok());
    if found.is_none() {
        assert!(
            std::env::var_os("RUNNER_REQUIRE_CHROMIUM").is_none(),
            "RUNNER_REQUIRE_CHROMIUM is set but chromium is missing"
        );
        eprintln!("note: chromium not found; skipping the browser check (apt-get install chromium)");
    }
    found
}

#[test]
fn the_html_report_renders_in_a_browser_with_one_timeline_per_strategy() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let files = [scenario(dir.path(), "cpu.toml", CPU), scenario(dir.path(), "sleep.toml", SLEEP)];
    let out = runner("timeline-test").args(&files).arg("--report").arg(&page).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let html = std::fs::read_to_string(&page).unwrap();
    for outside in ["src=", "href=", "url(", "@import", "<script", "<link"] {
        assert!(!html.contains(outside), "the page must be self-contained, found `{outside}`");
    }
    assert_eq!(html.matches("class=\"timeline tl\"").count(), 4 + 3, "one timeline per strategy");
    assert!(html.contains("waiting for the lock") && html.contains("[scenario]"));

    let Some(browser) = chromium() else { return };
    let profile = dir.path().join("chromium-profile");
    let out = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync"])
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {log}");
    // What the browser built, not what we wrote: every timeline parsed as SVG.
    assert_eq!(dom.matches("<svg class=\"timeline tl\"").count(), 7, "timelines in the DOM:\n{dom}");
    let console_errors: Vec<&str> =
        log.lines().filter(|l| l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("Refused")).collect();
    assert!(console_errors.is_empty(), "the page logged errors: {console_errors:?}");
}
