//! What containment costs per run, printed as a table (`cargo bench -p runner
//! --bench containment`; build the workspace first):
//!
//! - each step the run's process applies to itself (rlimits, no_new_privs,
//!   Landlock, capabilities, seccomp), timed inside a forked child of this
//!   (single-threaded) bench, as the run process's `protect` reports them;
//! - the host's cgroup set-up and tear-down around one run;
//! - a whole no-op run through the real binary, per run (the difference of
//!   21 and 1 rounds, so the runner's start is left out), with and without a
//!   PID namespace, and against `RUNNER_BASELINE` (another `runner` binary,
//!   e.g. one built without containment) when set.
//!
//! Figures, not assertions: they vary with the machine and its load.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use runner::bench::{ChildPlan, Limits, NetPlan, RunContainment};

const ROUNDS: usize = 15;
const WHOLE_RUN_ROUNDS: usize = 7;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Step costs of `protect` in a forked child, in ns, one vector per round.
fn child_steps(plan: &ChildPlan) -> Vec<(String, u64)> {
    let (mut read, write) = std::io::pipe().unwrap();
    // SAFETY: this bench's main thread is its only thread when it forks.
    let pid = unsafe { nix::libc::fork() };
    if pid == 0 {
        let report = runner::bench::protect(plan);
        let text = serde_json::to_vec(&report.step_ns).unwrap();
        use std::io::Write;
        let mut write = write;
        let _ = write.write_all(&text);
        // SAFETY: leave the forked child without running the parent's destructors.
        unsafe { nix::libc::_exit(0) };
    }
    drop(write);
    let mut text = Vec::new();
    use std::io::Read;
    read.read_to_end(&mut text).unwrap();
    // SAFETY: reaps the child just forked.
    unsafe { nix::libc::waitpid(pid, std::ptr::null_mut(), 0) };
    serde_json::from_slice(&text).expect("the child reported its steps")
}

/// Seconds for one run of a no-op workload through `binary`, start-up
/// excluded (21 rounds less 1 round, over 20), measured once.
fn per_run(binary: &std::path::Path, pid_namespace: bool) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let time = |repeat: u32| {
        let file = dir.path().join(format!("noop{repeat}.toml"));
        std::fs::write(
            &file,
            format!(
                "[scenario]\nname = \"noop\"\nrepeat = {repeat}\nwarmup = 0\n\n[workload]\nplugin = \"cpu\"\n\
                 workload = \"noop\"\nunits = 1\n\n[[strategy]]\nkind = \"sequential\"\n"
            ),
        )
        .unwrap();
        let started = Instant::now();
        let mut cmd = Command::new(binary);
        cmd.arg(&file).args(["--format", "json", "--plugin-dir"]).arg(plugin_dir());
        if pid_namespace {
            cmd.env("RUNNER_PID_NAMESPACE", "1");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        started.elapsed().as_secs_f64()
    };
    (time(21) - time(1)) / 20.0
}

fn plugin_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_runner")).parent().unwrap().to_owned()
}

fn main() {
    let scratch = tempfile::tempdir().unwrap();
    // A lab folder where labs live: Landlock then needs a rule per sibling
    // along /work/…/scenarios/assessments (~50 here; ~9 µs each).
    let lab = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/assessments").canonicalize().unwrap();
    let plan = ChildPlan {
        limits: Limits::default(),
        workers: 2,
        scratch_dir: Some(scratch.path().to_owned()),
        private_dirs: vec![lab.clone()],
        readable: vec![plugin_dir().join("librunner_plugin_cpu.so")],
        net: NetPlan { connect_ports: Some(vec![8000]), bind_ephemeral: true },
        cgroup_bounds_tasks: true,
    };
    let mut steps: Vec<(String, Vec<f64>)> = Vec::new();
    for _ in 0..ROUNDS {
        for (i, (name, ns)) in child_steps(&plan).into_iter().enumerate() {
            if steps.len() <= i {
                steps.push((name, Vec::new()));
            }
            steps[i].1.push(ns as f64 / 1e6);
        }
    }
    let (mut create, mut finish) = (Vec::new(), Vec::new());
    let mut grouped = true;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let contained = RunContainment::prepare(&Limits::default(), 2, false, true);
        create.push(started.elapsed().as_secs_f64() * 1e3);
        let started = Instant::now();
        grouped &= contained.finish().is_some();
        finish.push(started.elapsed().as_secs_f64() * 1e3);
    }
    if !grouped {
        eprintln!("note: no run cgroup could be made here; the host rows time the attempt only");
    }

    println!("containment set-up per run, median of {ROUNDS} (private dir: {})", lab.display());
    println!("| step (process)                          | cost     |");
    println!("|-----------------------------------------|----------|");
    let mut total = 0.0;
    for (name, values) in steps {
        let m = median(values);
        total += m;
        println!("| {:<39} | {:>5.3} ms |", format!("{name} (run)"), m);
    }
    let (c, f) = (median(create), median(finish));
    total += c + f;
    println!("| {:<39} | {:>5.3} ms |", "cgroup: make, limit, open (host)", c);
    println!("| {:<39} | {:>5.3} ms |", "cgroup: kill, read figures, rmdir (host)", f);
    println!("| {:<39} | {:>5.3} ms |", "all of the above", total);
    println!();

    let here = PathBuf::from(env!("CARGO_BIN_EXE_runner"));
    let mut binaries =
        vec![("this runner (contained)", here.clone(), false), ("this runner + PID namespace", here, true)];
    if let Some(baseline) = std::env::var_os("RUNNER_BASELINE") {
        binaries.push(("RUNNER_BASELINE", PathBuf::from(baseline), false));
    }
    // Interleaved, so that a burst of load on the machine falls on every binary alike.
    let mut figures: Vec<Vec<f64>> = vec![Vec::new(); binaries.len()];
    for _ in 0..WHOLE_RUN_ROUNDS {
        for (i, (_, binary, pid_namespace)) in binaries.iter().enumerate() {
            figures[i].push(per_run(binary, *pid_namespace) * 1e3);
        }
    }
    println!(
        "a whole no-op run (sequential, 1 unit), per run, start-up excluded, median of {WHOLE_RUN_ROUNDS} interleaved"
    );
    println!("| binary                                  | per run  |");
    println!("|-----------------------------------------|----------|");
    let medians: Vec<f64> = figures.into_iter().map(median).collect();
    for ((name, _, _), m) in binaries.iter().zip(&medians) {
        println!("| {name:<39} | {m:>5.2} ms |");
    }
    if let Some(baseline) = medians.get(2) {
        println!("| {:<39} | {:>5.2} ms |", "added by containment (contained − baseline)", medians[0] - baseline);
    }
}
