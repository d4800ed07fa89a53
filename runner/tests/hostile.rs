//! Plugins that panic, fail or hang are reported as that run's failure; the
//! runner carries on with the next run, exits 1, and leaves no process behind.

mod common;

use std::time::{Duration, Instant};

use common::{fixture, json, processes_with_marker, runner, runner_zombies, scenario, strategy};

fn hostile(workload: &str, timeout: f64, strategies: &str) -> String {
    format!(
        "[scenario]\nname = \"hostile-{workload}\"\nrepeat = 1\nwarmup = 0\ntimeout = {timeout}\n\n\
         [workload]\nplugin = \"{}\"\nworkload = \"{workload}\"\nunits = 4\n\n{strategies}",
        fixture("hostile").display()
    )
}

const ALL_STRATEGIES: &str = "[[strategy]]\nkind = \"sequential\"\n\n[[strategy]]\nkind = \"threads\"\nworkers = 2\n\n\
    [[strategy]]\nkind = \"processes\"\nworkers = 2\n\n[[strategy]]\nkind = \"rayon\"\nworkers = 2\n";

#[test]
fn a_panicking_unit_fails_its_run_with_the_message_and_the_others_still_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "panic.toml", &hostile("panic", 30.0, ALL_STRATEGIES));
    let out = runner("panic").arg(&file).args(["--format", "json"]).assert().code(1).get_output().clone();
    let doc = json(&out.stdout);
    for label in ["sequential", "threads", "processes", "rayon"] {
        let s = strategy(&doc, label);
        let run = &s["runs"][0];
        assert_eq!(run["units_ok"], 3, "{label}: {run}");
        assert_eq!(run["units_failed"], 1, "{label}: {run}");
        let problem = run["problem"].as_str().unwrap();
        assert!(problem.contains("unit 1 panicked: unit 1 exploded on purpose"), "{label}: {problem}");
        assert_eq!(s["ok"], false);
    }
    assert_eq!(doc["ok"], false);
}

#[test]
fn a_failing_prepare_is_reported_for_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let file =
        scenario(dir.path(), "prepare.toml", &hostile("prepare-error", 30.0, "[[strategy]]\nkind = \"sequential\"\n"));
    runner("prepare")
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("could not be prepared: this workload refuses to prepare"));
}

#[test]
fn a_hanging_plugin_is_killed_at_the_timeout_and_the_runner_carries_on() {
    let marker = "hang-timeout";
    let dir = tempfile::tempdir().unwrap();
    let strategies = format!(
        "{ALL_STRATEGIES}\n[[strategy]]\nkind = \"threads\"\nlabel = \"gil\"\nworkers = 2\noptions = {{ gil = true }}\n"
    );
    let file = scenario(dir.path(), "hang.toml", &hostile("hang", 1.0, &strategies));
    let started = Instant::now();
    let out = runner(marker).arg(&file).args(["--format", "json"]).assert().code(1).get_output().clone();
    let elapsed = started.elapsed();
    let doc = json(&out.stdout);
    for label in ["sequential", "threads", "processes", "rayon", "gil"] {
        let problem = strategy(&doc, label)["runs"][0]["problem"].as_str().unwrap().to_owned();
        assert_eq!(problem, "timed out after 1 s", "{label}");
    }
    // Five runs of 1 s each, plus at most the grace period each: never a hang.
    assert!(elapsed < Duration::from_secs(5 * 3), "took {elapsed:?}");
    assert_eq!(processes_with_marker(marker), Vec::<u32>::new(), "processes left behind");
}

#[test]
fn nothing_is_left_behind_after_runs_of_every_kind() {
    let marker = "leftovers";
    let dir = tempfile::tempdir().unwrap();
    for (workload, timeout) in [("panic", 30.0), ("hang", 0.5)] {
        let file = scenario(dir.path(), "s.toml", &hostile(workload, timeout, ALL_STRATEGIES));
        runner(marker).arg(&file).assert().code(1);
    }
    let cpu = scenario(
        dir.path(),
        "cpu.toml",
        "[scenario]\nname = \"cpu\"\nrepeat = 1\nwarmup = 0\n\n[workload]\nplugin = \"cpu\"\nworkload = \"count\"\nunits = 8\n\n\
         [[strategy]]\nkind = \"processes\"\nworkers = 8\n",
    );
    runner(marker).arg(&cpu).assert().success();
    assert_eq!(processes_with_marker(marker), Vec::<u32>::new(), "processes left behind");
    // Zombies have no environment to carry the marker: look for any runner zombie.
    let deadline = Instant::now() + Duration::from_secs(2);
    while !runner_zombies().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(runner_zombies(), Vec::<u32>::new(), "zombie runner processes");
}

#[test]
fn a_forged_verdict_on_the_event_stream_does_not_pass() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "forge.toml", &hostile("forge", 30.0, "[[strategy]]\nkind = \"sequential\"\n"));
    let out = runner("forge").arg(&file).args(["--format", "json"]).assert().code(1).get_output().clone();
    let doc = json(&out.stdout);
    let run = &strategy(&doc, "sequential")["runs"][0];
    assert_eq!(run["ok"], false, "{run}");
    assert_eq!(doc["ok"], false);
}

#[test]
fn a_unit_blocking_on_another_releases_the_simulated_lock() {
    let dir = tempfile::tempdir().unwrap();
    let strategies = "[[strategy]]\nkind = \"threads\"\nlabel = \"gil\"\nworkers = 2\noptions = { gil = true }\n";
    let text = hostile("barrier", 10.0, strategies).replace("units = 4", "units = 2");
    let file = scenario(dir.path(), "barrier.toml", &text);
    runner("barrier").arg(&file).assert().success();
}

/// Runs unit 0 of `misbehave` with `how` under sequential and processes and
/// returns each strategy's first problem.
fn misbehave(how: &str, timeout: f64) -> (i32, Vec<Option<String>>, serde_json::Value) {
    let marker = format!("misbehave-{how}");
    let dir = tempfile::tempdir().unwrap();
    let strategies = "[[strategy]]\nkind = \"sequential\"\n\n[[strategy]]\nkind = \"processes\"\nworkers = 2\n";
    let text = hostile("misbehave", timeout, strategies)
        .replace("units = 4", "units = 4\n\n[workload.params]\nhow = \"HOW\"")
        .replace("HOW", how);
    let file = scenario(dir.path(), "m.toml", &text);
    let out = runner(&marker).arg(&file).args(["--format", "json"]).output().unwrap();
    let doc = json(&out.stdout);
    let problems = ["sequential", "processes"]
        .iter()
        .map(|label| strategy(&doc, label)["runs"][0]["problem"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(processes_with_marker(&marker), Vec::<u32>::new(), "{how}: processes left behind");
    (out.status.code().unwrap(), problems, doc)
}

fn assert_problems(how: &str, problems: &[Option<String>], sequential: &str, processes: &str) {
    let sequential_problem = problems[0].as_deref().unwrap_or("");
    let processes_problem = problems[1].as_deref().unwrap_or("");
    assert!(sequential_problem.contains(sequential), "{how}, sequential: {sequential_problem}");
    assert!(processes_problem.contains(processes), "{how}, processes: {processes_problem}");
}

#[test]
fn an_abort_is_reported_as_sigabrt() {
    let (code, problems, _) = misbehave("abort", 30.0);
    assert_eq!(code, 1);
    assert_problems("abort", &problems, "killed by SIGABRT", "was killed by SIGABRT");
}

#[test]
fn a_segfault_is_reported_as_sigsegv() {
    let (code, problems, _) = misbehave("segfault", 30.0);
    assert_eq!(code, 1);
    assert_problems("segfault", &problems, "killed by SIGSEGV", "was killed by SIGSEGV");
}

#[test]
fn a_busy_loop_is_ended_at_the_timeout() {
    let (code, problems, _) = misbehave("spin", 1.0);
    assert_eq!(code, 1);
    assert_problems("spin", &problems, "timed out after 1 s", "timed out after 1 s");
}

#[test]
fn an_exit_is_reported_with_its_code() {
    let (code, problems, _) = misbehave("exit", 30.0);
    assert_eq!(code, 1);
    assert_problems("exit", &problems, "exited with code 7", "exited with code 7");
}

#[test]
fn a_leaked_child_is_killed_and_reported() {
    let (code, problems, _) = misbehave("leak", 30.0);
    assert_eq!(code, 1);
    assert_problems("leak", &problems, "left 1 process(es) behind, killed", "left 1 process(es) behind, killed");
}

#[test]
fn a_child_that_leaves_the_process_group_is_still_found() {
    let (code, problems, _) = misbehave("escape", 30.0);
    assert_eq!(code, 1);
    assert_problems("escape", &problems, "left 1 process(es) behind, killed", "left 1 process(es) behind, killed");
}

#[test]
fn megabytes_on_stdout_are_captured_not_shown() {
    let (code, problems, doc) = misbehave("spam", 30.0);
    assert_eq!(code, 0, "{problems:?}");
    let run = &strategy(&doc, "sequential")["runs"][0];
    assert_eq!(run["stdout_bytes"], 8 * 1024 * 1024, "{run}");
}

/// `[limits] output` and `events` end the run with their own causes; the
/// host keeps neither the output nor the events beyond a tail and a count.
#[test]
fn output_and_event_limits_have_their_own_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    for (how, limit, cause) in
        [("spam", "output = \"1 MiB\"", "output limit: the run wrote"), ("emit", "events = 1000", "event limit")]
    {
        let text = hostile("misbehave", 30.0, "[[strategy]]\nkind = \"sequential\"\n")
            .replace("units = 4\n", &format!("units = 4\n\n[workload.params]\nhow = \"{how}\"\n"))
            + &format!("\n[limits]\n{limit}\n");
        let file = scenario(dir.path(), &format!("{how}.toml"), &text);
        let out = runner("limits").arg(&file).args(["--format", "json"]).assert().code(1).get_output().clone();
        let doc = json(&out.stdout);
        let problem = strategy(&doc, "sequential")["runs"][0]["problem"].as_str().unwrap_or_default().to_owned();
        assert!(problem.contains(cause), "{how}: {problem}");
    }
}
