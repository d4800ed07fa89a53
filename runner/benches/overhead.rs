//! What the runner costs, printed as a table (`cargo bench -p runner`; build
//! the plugins first with `cargo build --release --workspace`):
//!
//! - the `count` workload with one worker, as the runner reports it, against
//!   the same loop written by hand and timed in this process: the overhead of
//!   plugin calls, checkpoints and events on a CPU-bound unit;
//! - the dispatch cost per unit, from a million units that do nothing, per
//!   strategy.
//!
//! Figures, not assertions: they vary with the machine, so no test depends on them.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

const STEPS: u64 = 1_000_000_000;
const ROUNDS: usize = 5;
const TINY_UNITS: u64 = 1_000_000;

/// Steps between checkpoints in the cpu plugin; the hand-written loop keeps
/// the same two-level shape, without the checkpoint call.
const CHUNK: u64 = 4096;

/// The lecture's loop as the cpu plugin runs it, minus the plugin: same
/// source, same `black_box`, no host call between chunks.
#[inline(never)]
fn count_by_hand(target: u64) -> u64 {
    let mut count = 0u64;
    while count < target {
        let stop = target.min(count + CHUNK);
        while count < stop {
            count = black_box(count + 1);
        }
    }
    count
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn runner_json(scenario: &str) -> serde_json::Value {
    let dir = std::env::temp_dir().join(format!("runner-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bench.toml");
    std::fs::write(&file, scenario).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_runner")).arg(&file).args(["--format", "json"]).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "runner failed (build the plugins with `cargo build --release --workspace`):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn main() {
    let plugin = PathBuf::from(env!("CARGO_BIN_EXE_runner")).with_file_name("librunner_plugin_cpu.so");
    if !plugin.is_file() {
        eprintln!("{} is missing: run `cargo build --release --workspace` first", plugin.display());
        std::process::exit(2);
    }

    // Rounds alternate the two, so machine drift lands on both alike.
    let scenario = format!(
        "[scenario]\nname = \"overhead\"\nrepeat = 1\nwarmup = 0\n\n[workload]\nplugin = \"cpu\"\nworkload = \"count\"\n\
         units = 1\n\n[workload.params]\nsteps = {STEPS}\n\n[[strategy]]\nkind = \"sequential\"\n"
    );
    count_by_hand(STEPS / 10);
    let (mut by_hand, mut through_runner, mut whole_process) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let started = Instant::now();
        assert_eq!(count_by_hand(STEPS), STEPS);
        by_hand.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        let doc = runner_json(&scenario);
        whole_process.push(started.elapsed().as_secs_f64());
        through_runner.push(doc["strategies"][0]["wall_s"]["median"].as_f64().unwrap());
    }
    let (by_hand, through_runner, whole_process) = (median(by_hand), median(through_runner), median(whole_process));

    println!("count({STEPS}), one worker, median of {ROUNDS}");
    println!("| measurement                    | wall      |");
    println!("|--------------------------------|-----------|");
    println!("| hand-written loop (in process) | {:>7.3} s |", by_hand);
    println!("| runner, sequential strategy    | {:>7.3} s |", through_runner);
    println!("| overhead of the measured run   | {:>+7.2} % |", (through_runner / by_hand - 1.0) * 100.0);
    println!("| whole `runner` command         | {:>7.3} s |", whole_process);
    println!("| overhead of the whole command  | {:>+7.2} % |", (whole_process / by_hand - 1.0) * 100.0);
    println!();

    let strategies = "[[strategy]]\nkind = \"sequential\"\n\n[[strategy]]\nkind = \"threads\"\nworkers = 2\n\n\
                      [[strategy]]\nkind = \"processes\"\nworkers = 2\n\n[[strategy]]\nkind = \"rayon\"\nworkers = 2\n";
    let doc = runner_json(&format!(
        "[scenario]\nname = \"dispatch\"\nrepeat = 3\nwarmup = 1\n\n[workload]\nplugin = \"cpu\"\nworkload = \"noop\"\n\
         units = {TINY_UNITS}\n\n{strategies}"
    ));
    println!("dispatch cost: {TINY_UNITS} units that do nothing, median of 3 (wall / units)");
    println!("| strategy        | wall      | per unit  | CPU per unit |");
    println!("|-----------------|-----------|-----------|--------------|");
    for s in doc["strategies"].as_array().unwrap() {
        let wall = s["wall_s"]["median"].as_f64().unwrap();
        let cpu = s["cpu_s"]["median"].as_f64().unwrap();
        println!(
            "| {:<15} | {:>7.3} s | {:>6.0} ns | {:>9.0} ns |",
            s["label"].as_str().unwrap(),
            wall,
            wall / TINY_UNITS as f64 * 1e9,
            cpu / TINY_UNITS as f64 * 1e9
        );
    }
}
