//! Golden-file tests of every report format, from a scenario and run records
//! made up here (so every figure is fixed and nothing needs redacting).
//! `UPDATE_SNAPSHOTS=1 cargo test` rewrites the files in `snapshots/`; review
//! the diff before committing it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use runner_sdk::{Manifest, ParamSpec, WorkloadInfo};

use super::{Csv, Exporter, Gradescope, Html, Json, Junit, Markdown, ScenarioResult, Table};
use crate::host::execute::{RoundsEnded, ScenarioRuns};
use crate::host::grade::grade;
use crate::host::plan::Round;
use crate::host::plugin::ManifestSource;
use crate::host::plugin::PluginRef;
use crate::host::record::{NoProbe, Recorder, RunRecord};
use crate::host::scenario::{Scenario, load_str};
use crate::host::supervise::{Captured, ChildExit, ChildReport};
use crate::host::witness::MachineLoad;
use crate::protocol::LoadError;
use crate::protocol::{Event, GilStats, Measurement, UnitSpan};

struct FixedManifest;

impl ManifestSource for FixedManifest {
    fn manifest(&mut self, _plugin: &PluginRef) -> Result<(PathBuf, Manifest), LoadError> {
        let count = WorkloadInfo {
            name: "count".into(),
            description: "counts".into(),
            params: vec![ParamSpec::int("steps", 100, "steps")],
            async_units: false,
        };
        Ok((
            "/plugins/librunner_plugin_cpu.so".into(),
            Manifest { name: "cpu".into(), version: "1.0.0".into(), description: "cpu".into(), workloads: vec![count] },
        ))
    }
}

const SCENARIO: &str = r#"
[scenario]
name = "golden"
description = "made-up figures for the report formats"
repeat = 2
warmup = 0

[workload]
plugin = "cpu"
workload = "count"
units = 2

[[strategy]]
kind = "sequential"

[[strategy]]
kind = "threads"
workers = 2

[[strategy]]
kind = "threads"
label = "gil, \"locked\""
workers = 2
options = { gil = true }

[[expect]]
name = "threads are faster"
check = 'speedup("threads") >= 1.5'
points = 2
hint = "split the work"

[[expect]]
check = 'speedup("gil, \"locked\"") >= 1.5'
hint = "the lock serialises the threads"

[[expect]]
name = "the lock costs something"
check = 'speedup("gil, \"locked\"") < 1.0'
points = 2

[grading]
inconclusive = "half"
"#;

/// A run of `strategy` in `round` that took `wall_ms`, verified or not.
fn record(strategy: usize, round: u32, wall_ms: u64, verified: bool, gil: bool) -> RunRecord {
    let mut recorder = Recorder::new(strategy, Round::Measured(round), 2, false);
    let at = Instant::now();
    let origin = crate::protocol::monotonic_ns();
    recorder.observe(Event::Prepared { pid: 1, clock_origin_ns: origin }, at, &mut NoProbe);
    let spans = vec![UnitSpan(0, 0, 10), UnitSpan(1, 10, 20)];
    recorder.observe(Event::UnitsDone { worker: 0, spans }, at, &mut NoProbe);
    let measurement = Measurement {
        wall_ns: wall_ms * 1_000_000,
        user_ns: wall_ms * 1_000_000,
        sys_ns: 0,
        max_rss_bytes: 4 << 20,
        voluntary_switches: 3,
        involuntary_switches: 7,
        gil: gil.then_some(GilStats { switches: 40, wait_ns: 90_000_000 }),
    };
    recorder.observe(Event::Measured { measurement }, at, &mut NoProbe);
    let results = vec![Some("50".to_owned()), Some("50".to_owned())];
    recorder.observe(Event::Results { first: 0, results }, at, &mut NoProbe);
    let message = if verified { "count = 100".into() } else { "counted 99".into() };
    recorder.observe(Event::Verified { verified, message, figures: BTreeMap::new() }, at, &mut NoProbe);
    let report = ChildReport {
        exit: ChildExit::Exited(0),
        stdout: Captured::default(),
        stderr: Captured::default(),
        leftovers: 0,
        malformed_events: 0,
        usage: None,
        cgroup: None,
        protections: Default::default(),
    };
    // The host's own clock saw no real run here: give the record the figures.
    let mut record = recorder.finish(&report, None);
    record.measurement = Some(measurement);
    // A quiet 2-core machine, but for a neighbour during the lock's second round.
    let others_cores = if gil && round == 1 { 1.2 } else { 0.05 };
    record.machine = Some(MachineLoad { cores: 2, others_cores, steal_cores: 0.0 });
    record
}

fn golden() -> (Scenario, ScenarioRuns) {
    let scenario = load_str(Path::new("scenarios/golden.toml"), SCENARIO, &mut FixedManifest).unwrap();
    let records = vec![
        record(0, 0, 1000, true, false),
        record(1, 0, 520, true, false),
        record(2, 0, 1010, true, true),
        record(0, 1, 1040, true, false),
        record(1, 1, 530, false, false),
        record(2, 1, 990, true, true),
    ];
    (
        scenario,
        ScenarioRuns { records, interrupted: None, rounds: RoundsEnded { measured: 2, ..RoundsEnded::default() } },
    )
}

fn check(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/host/report/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with UPDATE_SNAPSHOTS=1 and review it", path.display()));
    assert_eq!(actual, expected, "{name} changed; if on purpose, UPDATE_SNAPSHOTS=1 and review the diff");
}

#[test]
fn every_format_renders_the_same_results() {
    let (scenario, runs) = golden();
    let mut result = ScenarioResult::new(scenario, runs);
    result.grade = grade(&result.scenario, &result.summaries, &mut |_| None);
    let reports = [result.report()];
    check("table.txt", &Table.export(&reports).unwrap());
    check("markdown.md", &Markdown.export(&reports).unwrap());
    check("csv.csv", &Csv.export(&reports).unwrap());
    let json: serde_json::Value = serde_json::from_str(&Json.export(&reports).unwrap()).unwrap();
    check("json.json", &serde_json::to_string_pretty(&json).unwrap());
    check("junit.xml", &Junit.export(&reports).unwrap());
    check("gradescope.json", &Gradescope.export(&reports).unwrap());
}

const FIGURES: &str = r#"
[scenario]
name = "latency"
repeat = 3
warmup = 0

[workload]
plugin = "cpu"
workload = "count"

[[strategy]]
kind = "sequential"
label = "L1 reference"

[[strategy]]
kind = "sequential"
label = "memory reference"

[[strategy]]
kind = "sequential"
label = "read from the device"

[report]
figure = "ns"
beside = "lecture_ns"
relative_to = "memory reference"
"#;

#[test]
fn a_figure_table_shows_spread_lecture_ratio_and_noise() {
    let scenario = load_str(Path::new("scenarios/latency.toml"), FIGURES, &mut FixedManifest).unwrap();
    // L1 steady; memory noisy (one run over 2x the median); the device row reports no figure.
    let rows = [(0, [1.1, 1.0, 1.2], Some(0.5)), (1, [80.0, 90.0, 200.0], Some(100.0)), (2, [f64::NAN; 3], None)];
    let mut records = Vec::new();
    for (strategy, values, lecture) in rows {
        for (round, value) in values.into_iter().enumerate() {
            let mut run = record(strategy, round as u32, 100, true, false);
            let verdict = run.verdict.as_mut().unwrap();
            if value.is_finite() {
                verdict.figures.insert("ns".into(), value);
            } else {
                verdict.message = "O_DIRECT is not supported here".into();
            }
            if let Some(lecture) = lecture {
                verdict.figures.insert("lecture_ns".into(), lecture);
            }
            records.push(run);
        }
    }
    let runs =
        ScenarioRuns { records, interrupted: None, rounds: RoundsEnded { measured: 2, ..RoundsEnded::default() } };
    let result = ScenarioResult::new(scenario, runs);
    let reports = [result.report()];
    check("figures_table.txt", &Table.export(&reports).unwrap());
    check("figures_markdown.md", &Markdown.export(&reports).unwrap());
    let page = Html.export(&reports).unwrap();
    for shown in ["× memory reference", "<span class=\"bad\">noisy</span>", "O_DIRECT is not supported here", "1.10 ns"]
    {
        assert!(page.contains(shown), "the page shows the figure table: no `{shown}`");
    }
}

#[test]
fn gradescope_and_junit_carry_visibility_markdown_figures_and_flakiness() {
    let text = SCENARIO
        .replace("hint = \"split the work\"", "hint = \"split the work\"\nvisibility = \"after_due_date\"")
        .replace(
            "hint = \"the lock serialises the threads\"",
            "hint = \"the *lock* <b>serialises</b>\"\nhidden = true",
        );
    let scenario = load_str(Path::new("scenarios/golden.toml"), &text, &mut FixedManifest).unwrap();
    let (_, runs) = golden();
    let mut result = ScenarioResult::new(scenario, runs);
    result.grade = grade(&result.scenario, &result.summaries, &mut |_| None);
    // As if the first check had failed once and passed when measured again.
    let first = &mut result.grade.outcomes[0];
    (first.passed, first.flaky, first.attempts) = (true, true, 2);
    let reports = [result.report()];

    let results: serde_json::Value = serde_json::from_str(&Gradescope.export(&reports).unwrap()).unwrap();
    let tests = results["tests"].as_array().unwrap();
    assert_eq!(tests[0]["visibility"], "after_due_date");
    assert_eq!(tests[1]["visibility"], "hidden");
    assert_eq!((&results["output_format"], &tests[1]["output_format"]), (&"md".into(), &"md".into()));
    let failed = tests[1]["output"].as_str().unwrap();
    assert!(failed.contains("check: `speedup(\"gil, \\\"locked\\\"\") >= 1.5`"), "{failed}");
    assert!(failed.contains("**hint:**") && !failed.contains("<b>"), "the hint in Markdown, HTML inert: {failed}");
    assert!(tests[0]["output"].as_str().unwrap().contains("flaky"), "{}", tests[0]["output"]);
    let walls = [1000, 520, 1010, 1040, 530, 990].iter().sum::<u64>() as f64 / 1000.0;
    assert!((results["execution_time"].as_f64().unwrap() - walls).abs() < 1e-9, "{}", results["execution_time"]);
    assert_eq!(tests[0]["extra_data"]["attempts"], 2);
    assert!(tests[0]["extra_data"]["values"][0].as_str().unwrap().starts_with("speedup(\"threads\")"));
    let threads = &results["extra_data"]["scenarios"][0]["strategies"][1];
    assert_eq!(threads["label"], "threads");
    assert!(threads["speedup"].as_f64().unwrap() > 1.5, "{threads}");

    let xml = Junit.export(&reports).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let case = doc.descendants().find(|n| n.attribute("name") == Some("threads are faster")).unwrap();
    let children: Vec<&str> = case.children().filter(|c| c.is_element()).map(|c| c.tag_name().name()).collect();
    assert_eq!(children, ["flakyFailure"], "passed on a retry: flaky, not failed");
}
