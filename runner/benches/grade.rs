//! What `runner grade` costs per submission beyond the lab's own runs,
//! printed as a table (`cargo build --release --workspace && cargo bench -p
//! runner --bench grade`; needs `cc`).
//!
//! A class of already-built submissions (the c-example `csum`, copied into
//! each folder) graded against a lab of one short run, so that almost all
//! of a submission's time is the runner's own: validating the lab again
//! with the submission standing in (a describe child), the run's process
//! and the instructor's verification process, the report files and the
//! gradebook rewritten by rename. The gradebook's own host-measured times
//! say how much was the runs (`runs_seconds`: run and verify children) and
//! how much the rest (`seconds - runs_seconds`, the overhead the issue's
//! target is about: under 50 ms). Beside them, the same class graded by
//! hand, one `runner LAB --plugin csum=… --gradescope …` per submission.
//!
//! Figures, not assertions: they vary with the machine's load.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const SUBMISSIONS: usize = 20;
const ROUNDS: usize = 3;

fn root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).to_owned()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

const LAB: &str = r#"[scenario]
name = "bench_lab"
repeat = 1
warmup = 0
timeout = 10

[workload]
plugin = "csum"
workload = "sum"
units = 1

[workload.params]
n = 1000

[[strategy]]
kind = "sequential"

[[expect]]
check = 'verified("sequential")'
points = 1
"#;

fn runner() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_runner"));
    cmd.env_remove("RUNNER_PLUGIN_PATH").env_remove("RUST_LOG");
    cmd
}

fn main() {
    let dir = std::env::temp_dir().join(format!("runner-bench-grade-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("ref")).unwrap();
    let library = dir.join("ref/librunner_plugin_csum.so");
    let built = Command::new("cc")
        .args(["-std=c11", "-O2", "-shared", "-fPIC", "-I"])
        .arg(root().join("plugins/sdk/include"))
        .arg("-o")
        .arg(&library)
        .arg(root().join("plugins/c-example/sum.c"))
        .status()
        .expect("a C compiler (`cc`) is needed");
    assert!(built.success());
    std::fs::write(dir.join("lab.toml"), LAB).unwrap();
    let mut subs = Vec::new();
    for i in 0..SUBMISSIONS {
        let sub = dir.join("class").join(format!("s{i:02}"));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::copy(&library, sub.join("librunner_plugin_csum.so")).unwrap();
        subs.push(sub);
    }

    let mut per_submission = Vec::new();
    let mut overhead = Vec::new();
    let mut runs = Vec::new();
    for round in 0..ROUNDS {
        let out = dir.join(format!("out{round}"));
        let started = Instant::now();
        let status = runner()
            .arg("grade")
            .arg(dir.join("lab.toml"))
            .args(&subs)
            .arg("--out")
            .arg(&out)
            .arg("--plugin-dir")
            .arg(dir.join("ref"))
            .args(["--no-progress", "--quiet"])
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "runner grade failed (build first: `cargo build --release --workspace`)");
        per_submission.push(started.elapsed().as_secs_f64() / SUBMISSIONS as f64);
        let book: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("gradebook.json")).unwrap()).unwrap();
        for row in book["submissions"].as_array().unwrap() {
            assert_eq!(row["total"].as_f64(), Some(1.0), "{row}");
            let (seconds, in_runs) = (row["seconds"].as_f64().unwrap(), row["runs_seconds"].as_f64().unwrap());
            overhead.push(seconds - in_runs);
            runs.push(in_runs);
        }
    }

    let mut by_hand = Vec::new();
    for round in 0..ROUNDS {
        let started = Instant::now();
        for (i, sub) in subs.iter().enumerate() {
            let status = runner()
                .arg(dir.join("lab.toml"))
                .arg("--plugin")
                .arg(format!("csum={}", sub.join("librunner_plugin_csum.so").display()))
                .arg("--plugin-dir")
                .arg(dir.join("ref"))
                .arg("--gradescope")
                .arg(dir.join(format!("hand-{round}-{i}.json")))
                .args(["--quiet", "--format", "json"])
                .stdout(std::process::Stdio::null())
                .status()
                .unwrap();
            assert!(status.success());
        }
        by_hand.push(started.elapsed().as_secs_f64() / SUBMISSIONS as f64);
    }
    let _ = std::fs::remove_dir_all(&dir);

    let ms = |s: f64| format!("{:.1} ms", s * 1000.0);
    let max = overhead.iter().copied().fold(0.0, f64::max);
    println!("runner grade, {SUBMISSIONS} already-built submissions × {ROUNDS} rounds, a lab of one short run");
    println!("| measurement | figure |");
    println!("|---|---|");
    println!("| whole command / submissions (median of rounds) | {} |", ms(median(per_submission)));
    println!("| of which the lab's runs (run + verify children), median | {} |", ms(median(runs)));
    println!(
        "| overhead beyond the runs (seconds - runs_seconds), median | {} (max {}) |",
        ms(median(overhead)),
        ms(max)
    );
    println!("| by hand: one `runner LAB --plugin … --gradescope …` per submission | {} |", ms(median(by_hand)));
}
