//! sha1 throughput, printed as a table (`cargo bench -p runner --bench files`;
//! build the plugins first with `cargo build --release --workspace`): the
//! `hash` workload on one core with 1 MiB and 1 KiB reads, two workers, and
//! `openssl dgst -sha1` and `sha1sum` on a file of the same size in the same run
//! (each skipped if not installed).

use std::process::Command;
use std::time::Instant;

const BYTES: u64 = 256 << 20;

fn runner(dir: &std::path::Path) -> serde_json::Value {
    let file = dir.join("hash.toml");
    std::fs::write(
        &file,
        format!(
            "[scenario]\nname = \"sha1\"\nrepeat = 5\nwarmup = 1\ntimeout = 300\n\n[workload]\nplugin = \"files\"\n\
             workload = \"hash\"\nunits = 2\n\n[workload.params]\nbytes = {}\n\n[workload.sweep]\nchunk = [1024, 1048576]\n\n\
             [[strategy]]\nkind = \"sequential\"\n\n[[strategy]]\nkind = \"processes\"\nworkers = 2\n",
            BYTES / 2
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_runner")).arg(&file).args(["--format", "json"]).output().unwrap();
    assert!(out.status.success(), "runner failed:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Median wall time of `program file` over 5 runs, if the program exists.
fn external(program: &str, args: &[&str], file: &std::path::Path) -> Option<f64> {
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let status = Command::new(program).args(args).arg(file).output().ok()?.status;
        if !status.success() {
            return None;
        }
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Some(times[2])
}

fn main() {
    let dir = std::env::temp_dir().join(format!("runner-bench-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let doc = runner(&dir);
    let wall = |label: &str| {
        doc["strategies"].as_array().unwrap().iter().find(|s| s["label"] == label).unwrap()["wall_s"]["median"]
            .as_f64()
            .unwrap()
    };
    let gbps = |seconds: f64| BYTES as f64 / seconds / 1e9;

    let file = dir.join("data.bin");
    let content: Vec<u8> = (0..BYTES).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&file, content).unwrap();
    let openssl = external("openssl", &["dgst", "-sha1"], &file);
    let sha1sum = external("sha1sum", &[], &file);
    let _ = std::fs::remove_dir_all(&dir);

    println!("sha1 of {} MiB (page cache), median of 5", BYTES >> 20);
    println!("| what                                  | time      | GB/s  |");
    println!("|---------------------------------------|-----------|-------|");
    for (what, label) in [
        ("runner hash, 1 core, 1 MiB reads", "sequential chunk=1048576"),
        ("runner hash, 1 core, 1 KiB reads", "sequential chunk=1024"),
        ("runner hash, 2 processes, 1 MiB reads", "processes chunk=1048576"),
    ] {
        println!("| {what:<37} | {:>7.3} s | {:>5.2} |", wall(label), gbps(wall(label)));
    }
    for (what, time) in [("openssl dgst -sha1 (whole command)", openssl), ("sha1sum (whole command)", sha1sum)] {
        match time {
            Some(t) => println!("| {what:<37} | {t:>7.3} s | {:>5.2} |", gbps(t)),
            None => println!("| {what:<37} | not installed |"),
        }
    }
    println!();
    println!("1 KiB / 1 MiB read time: {:.2}", wall("sequential chunk=1024") / wall("sequential chunk=1048576"));
    println!("2 workers / 1 (1 MiB reads): {:.2}x", wall("sequential chunk=1048576") / wall("processes chunk=1048576"));
}
