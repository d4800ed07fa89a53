//! The shipped latency table end to end: every row of `scenarios/latency.toml`
//! has a figure (or, for O_DIRECT, says why not), and the figures come in the
//! physical order. Behaviour only: no absolute numbers, which depend on the
//! machine.

mod common;

use std::collections::BTreeMap;

use common::{json, processes_with_marker, runner, strategy};

/// Every workload of the latency plugin: the scenario must give each a row.
const WORKLOADS: [&str; 13] = [
    "l1",
    "memory",
    "read_memory_1mb",
    "read_file_cached_1mb",
    "read_file_direct_1mb",
    "tcp_round_trip",
    "thread_spawn",
    "fork",
    "thread_switch",
    "process_switch",
    "tokio_spawn",
    "mutex_uncontended",
    "mutex_contended",
];

fn shipped() -> String {
    format!("{}/../scenarios/latency.toml", env!("CARGO_MANIFEST_DIR"))
}

/// The scenario's strategy label for each workload (the JSON names rows by label).
fn labels_by_workload() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(shipped()).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    table["strategy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let workload = s.get("workload").or_else(|| table["workload"].get("workload")).unwrap();
            let label = s.get("label").unwrap_or(&s["kind"]);
            (workload.as_str().unwrap().to_owned(), label.as_str().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn every_row_has_a_figure_in_physical_order() {
    let labels = labels_by_workload();
    for workload in WORKLOADS {
        assert!(labels.contains_key(workload), "scenarios/latency.toml has no row for `{workload}`: {labels:?}");
    }
    let marker = "latency";
    let out = runner(marker).arg(shipped()).args(["--format", "json"]).assert().success().get_output().clone();
    let doc = json(&out.stdout);
    assert_eq!(doc["ok"], true, "{doc}");

    let ns = |workload: &str| -> Option<f64> {
        let row = strategy(&doc, &labels[workload]);
        assert_eq!(row["verified"], true, "{workload}: {row}");
        row["figures"]["ns"].as_f64()
    };
    let mut figures = BTreeMap::new();
    for workload in WORKLOADS {
        match ns(workload) {
            Some(value) => {
                assert!(value.is_finite() && value > 0.0, "{workload}: {value}");
                figures.insert(workload, value);
            }
            None => {
                // Only direct IO may be refused by the platform, and then the
                // row says why instead of giving a number.
                let verdict = strategy(&doc, &labels[workload])["verdict"].as_str().unwrap_or_default().to_owned();
                assert!(
                    workload == "read_file_direct_1mb" && verdict.starts_with("not measured: O_DIRECT"),
                    "{workload} has no figure: {verdict}"
                );
            }
        }
    }

    let order = |faster: &str, slower: &str| {
        assert!(figures[faster] < figures[slower], "expected {faster} < {slower}: {figures:?}");
    };
    order("l1", "memory");
    order("memory", "read_memory_1mb");
    // The lecture's table puts 1 MB from memory (250 µs) before a datacenter
    // round trip (500 µs); a loopback round trip (no wire, no switch) is far
    // shorter than reading 1 MiB from DRAM, so only memory < round trip holds.
    order("memory", "tcp_round_trip");
    order("thread_spawn", "fork");

    // Forked children and echo threads are all gone.
    assert_eq!(processes_with_marker(marker), Vec::<u32>::new());
}
