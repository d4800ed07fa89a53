//! Containment, tried with real processes: a unit of the hostile fixture's
//! `escape` workload attempts one thing against the runner or the machine,
//! and the attempt is stopped; the runner reports every run and exits by
//! the rules; nothing a run started outlives it, even a runner SIGKILLed.
//! Each test says which protection it relies on (see `runner/src/contain/`).

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{fixture, json, processes_with_marker, runner, scenario, strategy};

const SEQUENTIAL: &str = "[[strategy]]\nkind = \"sequential\"\n";
const PROCESSES: &str = "[[strategy]]\nkind = \"processes\"\nworkers = 2\n";

fn escape(how: &str, n: i64, timeout: u32, strategies: &str) -> String {
    format!(
        "[scenario]\nname = \"escape-{how}\"\nrepeat = 1\nwarmup = 0\ntimeout = {timeout}\n\n\
         [workload]\nplugin = \"{}\"\nworkload = \"escape\"\nunits = 2\n\n[workload.params]\nhow = \"{how}\"\nn = {n}\n\n\
         {strategies}",
        fixture("hostile").display()
    )
}

/// Runs `how` and returns the JSON document, checking the runner itself
/// ended normally (exit 0 or 1, a complete JSON report on its stdout).
fn attempt(marker: &str, how: &str, n: i64, strategies: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "escape.toml", &escape(how, n, 30, strategies));
    let out = runner(marker).arg(&file).args(["--format", "json"]).output().unwrap();
    let code = out.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "{how}: the runner ended with {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out.stdout)
}

fn problem(doc: &serde_json::Value, label: &str) -> String {
    strategy(doc, label)["runs"][0]["problem"].as_str().unwrap_or("").to_owned()
}

fn assert_blocked(how: &str, expected: &str) {
    let doc = attempt(&format!("contain-{how}"), how, 0, SEQUENTIAL);
    let problem = problem(&doc, "sequential");
    assert!(problem.contains("blocked: ") && problem.contains(expected), "{how}: {problem}");
}

#[test]
fn a_unit_cannot_kill_or_stop_the_runner() {
    // Landlock's signal scope (ABI 6): no signal leaves the run's domain.
    assert_blocked("kill-parent", "Operation not permitted");
    assert_blocked("stop-parent", "Operation not permitted");
}

/// The run ends with a forbidden-operation verdict naming `call`.
fn assert_forbidden(how: &str, call: &str, strategies: &str, label: &str) {
    let doc = attempt(&format!("contain-{how}-{label}"), how, 0, strategies);
    let run = &strategy(&doc, label)["runs"][0];
    assert_eq!(run["cause"], "forbidden_operation", "{how}: {run}");
    let problem = run["problem"].as_str().unwrap_or("");
    assert!(problem.starts_with(&format!("forbidden operation: {call} ")), "{how}: {problem}");
}

#[test]
fn a_unit_cannot_trace_the_runner() {
    // seccomp traps it (Landlock would refuse it too).
    assert_forbidden("ptrace-parent", "ptrace", SEQUENTIAL, "sequential");
}

#[test]
fn a_unit_cannot_write_on_the_runners_stdout_through_proc() {
    // The runner is non-dumpable and outside the run's Landlock domain.
    let doc = attempt("contain-stdout", "parent-stdout", 0, SEQUENTIAL);
    assert!(problem(&doc, "sequential").contains("blocked: open(/proc/runner/fd/1)"), "{doc}");
    assert!(doc.get("forged").is_none());
}

#[test]
fn mount_and_new_namespaces_are_forbidden_operations() {
    assert_forbidden("mount", "mount", SEQUENTIAL, "sequential");
    assert_forbidden("unshare", "unshare", SEQUENTIAL, "sequential");
    // A forked worker's forbidden call names the run's verdict too.
    assert_forbidden("mount", "mount", PROCESSES, "processes");
}

#[test]
fn a_unit_may_listen_on_an_ephemeral_port_but_not_bind_a_chosen_one() {
    // Landlock TCP rules (ABI 4): bind only to port 0 (latency's echo listener).
    let doc = attempt("contain-bind", "bind", 18_123, SEQUENTIAL);
    assert!(problem(&doc, "sequential").contains("blocked: bind 127.0.0.1:18123: Permission denied"), "{doc}");
    let doc = attempt("contain-bind0", "bind", 0, SEQUENTIAL);
    assert_eq!(problem(&doc, "sequential"), "", "{doc}");
}

#[test]
fn open_files_allocations_and_forks_stop_at_their_limits() {
    // RLIMIT_NOFILE (4096), RLIMIT_DATA (4 GiB), the cgroup's pids.max (260 for one worker).
    let doc = attempt("contain-files", "open-files", 5_000, SEQUENTIAL);
    let run = &strategy(&doc, "sequential")["runs"][0];
    assert_eq!(run["cause"], "too_many_open_files", "{doc}");
    assert!(problem(&doc, "sequential").starts_with("too many open files"), "{doc}");
    let doc = attempt("contain-alloc", "alloc", 6 << 30, SEQUENTIAL);
    assert!(problem(&doc, "sequential").contains("blocked: allocation"), "{doc}");
    let marker = "contain-forks";
    let doc = attempt(marker, "fork-many", 400, SEQUENTIAL);
    assert!(problem(&doc, "sequential").contains("blocked: fork refused after"), "{doc}");
    assert_eq!(processes_with_marker(marker), Vec::<u32>::new(), "processes left behind");
}

#[test]
fn orphans_that_left_the_process_group_are_counted_and_killed() {
    // The run's cgroup knows them after setsid and a double fork.
    let marker = "contain-orphans";
    let doc = attempt(marker, "orphans", 3, SEQUENTIAL);
    assert_eq!(problem(&doc, "sequential"), "left 3 process(es) behind, killed", "{doc}");
    assert_eq!(processes_with_marker(marker), Vec::<u32>::new(), "processes left behind");
}

#[test]
fn orphans_of_a_forked_worker_do_not_keep_the_run_waiting() {
    // They inherit the worker's pipe; the run reads it until the worker is
    // reaped, not until its end (which the orphans hold off for 30 s).
    let marker = "contain-worker-orphans";
    let started = Instant::now();
    let doc = attempt(marker, "orphans", 3, PROCESSES);
    assert_eq!(problem(&doc, "processes"), "left 3 process(es) behind, killed", "{doc}");
    assert!(started.elapsed() < Duration::from_secs(20), "the run waited for its orphans");
    assert_eq!(processes_with_marker(marker), Vec::<u32>::new(), "processes left behind");
}

#[test]
fn what_a_sigkilled_runner_left_dies_at_the_next_runner_start() {
    let marker = "contain-sigkill";
    let dir = tempfile::tempdir().unwrap();
    // The unit spins after forking its orphans: the runner is killed while they live.
    let file = scenario(dir.path(), "orphans.toml", &escape("orphans-spin", 3, 600, SEQUENTIAL));
    let mut child = Command::new(env!("CARGO_BIN_EXE_runner"))
        .arg(&file)
        .env("RUNNER_TEST_MARKER", marker)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // runner + run + 3 orphans (the workers may have exited)
    let deadline = Instant::now() + Duration::from_secs(20);
    // Counted once per look: a worker may exit between two looks.
    let mut seen = 0;
    while seen < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        seen = processes_with_marker(marker).len();
    }
    assert!(seen >= 5, "the orphans did not start");
    child.kill().unwrap();
    child.wait().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    // Measured: the 3 orphans are still alive here (re-parented to init).
    let survivors = processes_with_marker(marker).len();
    // The next runner start kills the tasks of the dead runner's cgroups.
    let doc = attempt("contain-sigkill-next", "bind", 0, SEQUENTIAL);
    assert_eq!(problem(&doc, "sequential"), "");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !processes_with_marker(marker).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(processes_with_marker(marker), Vec::<u32>::new(), "{survivors} processes outlived a SIGKILLed runner");
}

#[test]
fn under_a_pid_namespace_every_strategy_runs_and_the_runner_is_out_of_sight() {
    let marker = "contain-pidns";
    let dir = tempfile::tempdir().unwrap();
    let strategies = format!(
        "{SEQUENTIAL}\n[[strategy]]\nkind = \"threads\"\nworkers = 2\n\n{PROCESSES}\n[[strategy]]\nkind = \"rayon\"\nworkers = 2\n"
    );
    let file = scenario(dir.path(), "pidns.toml", &escape("kill-parent", 0, 30, &strategies));
    let out =
        runner(marker).arg(&file).args(["--format", "json", "--pid-namespace"]).assert().code(1).get_output().clone();
    let doc = json(&out.stdout);
    for label in ["sequential", "threads", "rayon"] {
        assert!(problem(&doc, label).contains("blocked: kill(runner, SIGKILL)"), "{label}: {doc}");
    }
    // A forked worker's parent is the run's own process, which it may end.
    assert!(problem(&doc, "processes").contains("killed by SIGKILL"), "{doc}");
    assert_eq!(processes_with_marker(marker), Vec::<u32>::new(), "processes left behind");
}

#[test]
fn doctor_names_every_protection_and_what_a_cgroup_join_costs() {
    let out = Command::new(env!("CARGO_BIN_EXE_runner")).args(["doctor", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["landlock_abi", "seccomp", "cgroup_creatable", "cgroup_join_ms", "user_namespaces", "pid_namespaces"] {
        assert!(doc.get(key).is_some(), "doctor --json has no {key}: {doc}");
    }
    // Where the runner may make groups (root here), the join was timed.
    if doc["cgroup_creatable"].get("Ok").is_some() {
        assert!(doc["cgroup_join_ms"]["Ok"].as_f64().is_some_and(|ms| ms >= 0.0), "{doc}");
    }
    let text = Command::new(env!("CARGO_BIN_EXE_runner")).arg("doctor").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("quiet enough to measure"), "{text}");
}
