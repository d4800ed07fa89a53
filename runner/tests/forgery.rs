//! Hostile submissions (issue 14): small C plugins in `tests/forgery/`, each
//! written against `runner_plugin.h` alone and trying one way to earn points
//! without doing the work, graded with `--plugin NAME=PATH` against quick
//! copies of the labs in `scenarios/assessments/`. Each must earn no point it
//! did not earn honestly, and the report must name the cause. The repo's own
//! plugins, substituted the same way, keep their points. Behaviour and points
//! only: the machine may be loaded, so nothing here asserts a timing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{json, library, runner, scenario, strategy};

fn root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).to_owned()
}

fn lab(name: &str) -> String {
    std::fs::read_to_string(root().join("scenarios/assessments").join(name)).unwrap()
}

/// Replaces `from` (which must be there) by `to`.
fn edit(text: String, from: &str, to: &str) -> String {
    assert!(text.contains(from), "the lab no longer says `{from}`");
    text.replace(from, to)
}

/// cpu_lab made quick: fewer steps, one round, a short timeout, no retries.
fn quick_cpu_lab() -> String {
    let text = edit(lab("cpu_lab.toml"), "steps = 600_000_000", "steps = 20_000_000");
    let text = edit(text, "repeat = 3", "repeat = 1");
    let text = edit(text, "warmup = 1", "warmup = 0");
    let text = edit(text, "timeout = 60", "timeout = 2");
    edit(text, "retries = 2", "retries = 0").replace("retries = 1", "retries = 0")
}

/// io_lab made quick: 10 pages instead of 40 (the request counts follow), one
/// round, no retries.
fn quick_io_lab() -> String {
    let text = edit(lab("io_lab.toml"), "units = 40", "units = 10");
    let text = edit(text, ">= 40", ">= 10");
    let text = edit(text, "repeat = 2", "repeat = 1");
    let text = edit(text, "warmup = 1", "warmup = 0");
    let text = edit(text, "timeout = 60", "timeout = 10");
    edit(text, "retries = 1", "retries = 0")
}

/// race_lab made quick: one round, fewer increments, a shorter timeout.
fn quick_race_lab() -> String {
    let text = edit(lab("race_lab.toml"), "repeat = 2", "repeat = 1");
    let text = edit(text, "increments = 100_000", "increments = 20_000");
    let text = edit(text, "checkpoint_every = 10_000", "checkpoint_every = 2_000");
    edit(text, "timeout = 60", "timeout = 10")
}

/// Compiles `tests/forgery/NAME.c` into `dir` with the system's `cc`.
fn compile(dir: &Path, name: &str) -> PathBuf {
    let library = dir.join(format!("librunner_forgery_{name}.so"));
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Werror", "-O2", "-shared", "-fPIC", "-I"])
        .arg(root().join("plugins/sdk/include"))
        .arg("-o")
        .arg(&library)
        .arg(root().join(format!("runner/tests/forgery/{name}.c")))
        .status();
    match status {
        Ok(s) => assert!(s.success(), "{cc} failed to compile forgery/{name}.c"),
        Err(e) => panic!("a C compiler (`{cc}`) is needed for this test: {e}"),
    }
    library
}

struct Graded {
    code: i32,
    doc: serde_json::Value,
    /// The Gradescope file as it was when the runner exited.
    gradescope: serde_json::Value,
    gradescope_path: PathBuf,
    stderr: String,
}

impl Graded {
    fn earned(&self) -> f64 {
        self.doc["score"]["earned"].as_f64().unwrap()
    }

    fn expectation(&self, name: &str) -> &serde_json::Value {
        self.doc["expectations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("{name}"))
    }

    fn strategies(&self) -> &[serde_json::Value] {
        self.doc["strategies"].as_array().unwrap()
    }

    /// Every expectation failed, the score is 0 and the Gradescope file says so.
    fn assert_nothing_earned(&self) {
        assert_eq!(self.code, 1, "{}", self.stderr);
        for e in self.doc["expectations"].as_array().unwrap() {
            assert_eq!(e["passed"], false, "{e}");
        }
        assert_eq!(self.earned(), 0.0, "{}", self.doc["expectations"]);
        assert_eq!(self.gradescope["score"].as_f64(), Some(0.0), "{}", self.gradescope);
    }
}

/// Grades `text` with `--plugin name=path` (or the repo's plugin when `None`).
fn grade(dir: &Path, marker: &str, text: &str, plugin: Option<(&str, &Path)>) -> Graded {
    let file = scenario(dir, "lab.toml", text);
    let gradescope = dir.join("results.json");
    let mut cmd = runner(marker);
    cmd.arg(&file).args(["--format", "json", "--gradescope"]).arg(&gradescope);
    if let Some((name, path)) = plugin {
        cmd.arg("--plugin").arg(format!("{name}={}", path.display()));
    }
    let out = cmd.output().unwrap();
    Graded {
        code: out.status.code().unwrap_or(-1),
        doc: json(&out.stdout),
        gradescope: serde_json::from_str(&std::fs::read_to_string(&gradescope).unwrap()).unwrap(),
        gradescope_path: gradescope,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Every run of every strategy failed, each naming `cause`.
fn assert_every_run_failed(graded: &Graded, cause: &str) {
    for s in graded.strategies() {
        assert_eq!(s["ok"], false, "{s}");
        for run in s["runs"].as_array().unwrap() {
            assert_eq!(run["ok"], false, "{run}");
            let problem = run["problem"].as_str().unwrap_or_default();
            assert!(problem.contains(cause), "{}: {problem}", s["label"]);
        }
    }
}

/// Technique 1: right shares, made-up trails, and sleeps that fake the
/// speedups. The instructor's verifier recomputes a segment and rejects the
/// trail; timing of runs that did not verify is refused.
#[test]
fn a_mix_that_does_not_count_earns_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let submission = compile(dir.path(), "fake_mix");
    let graded = grade(dir.path(), "forgery-fake-mix", &quick_cpu_lab(), Some(("cpu", &submission)));
    graded.assert_nothing_earned();
    for s in graded.strategies() {
        assert_eq!(s["verdict_source"], "instructor", "{s}");
        assert_eq!(s["verified"], false, "{s}");
        let verdict = s["verdict"].as_str().unwrap();
        assert!(verdict.contains("returned") && verdict.contains("recomputed"), "{verdict}");
        // The submission's own verdict said OK; it is kept, as information only.
        assert_eq!(s["runs"][0]["own_verdict"]["verified"], true, "{s}");
    }
    for name in [
        "threads speed up CPU-bound work",
        "processes speed up CPU-bound work",
        "the interpreter lock takes the speedup away",
    ] {
        let error = graded.expectation(name)["error"].as_str().unwrap().to_owned();
        assert!(error.contains("did not verify, so its timing does not count"), "{name}: {error}");
    }
}

/// Technique 2: units that do nothing and a verify that says OK with the
/// reference's message and made-up figures.
#[test]
fn a_verify_that_lies_earns_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let submission = compile(dir.path(), "lying_verify");
    let graded = grade(dir.path(), "forgery-lying-verify", &quick_cpu_lab(), Some(("cpu", &submission)));
    graded.assert_nothing_earned();
    for s in graded.strategies() {
        assert_eq!(s["verdict_source"], "instructor", "{s}");
        assert!(s["verdict"].as_str().unwrap().contains("not a mix result"), "{s}");
        let own = &s["runs"][0]["own_verdict"];
        assert_eq!(own["verified"], true, "{s}");
        assert!(own["message"].as_str().unwrap().starts_with("count = 20000000"), "{own}");
        // Its made-up figures feed nothing.
        assert_eq!(s["figures"], serde_json::json!({}), "{s}");
    }
    let correct = graded.expectation("counts correctly everywhere");
    assert!(correct["values"].to_string().contains("verified(\\\"sequential\\\") = false"), "{correct}");
}

const TAMPERED: &str = "the event stream was tampered with";

/// Technique 3 on cpu_lab: a copy of fd 3, /dev/null in its place, a forged
/// stream on the copy, `_exit(0)`.
#[test]
fn a_forged_event_stream_earns_nothing_on_the_cpu_lab() {
    let dir = tempfile::tempdir().unwrap();
    let submission = compile(dir.path(), "forged_stream");
    let graded = grade(dir.path(), "forgery-stream-cpu", &quick_cpu_lab(), Some(("cpu", &submission)));
    graded.assert_nothing_earned();
    assert_every_run_failed(&graded, TAMPERED);
    let error = graded.expectation("threads speed up CPU-bound work")["error"].as_str().unwrap().to_owned();
    assert!(error.contains("a run failed") && error.contains(TAMPERED), "{error}");
}

/// Technique 3 on io_lab: the forged stream claims every page arrived.
#[test]
fn a_forged_event_stream_earns_nothing_on_the_io_lab() {
    let dir = tempfile::tempdir().unwrap();
    let submission = compile(dir.path(), "forged_stream");
    let graded = grade(dir.path(), "forgery-stream-io", &quick_io_lab(), Some(("io", &submission)));
    graded.assert_nothing_earned();
    assert_every_run_failed(&graded, TAMPERED);
    for s in graded.strategies() {
        assert_eq!(s["server_requests"], 0.0, "{s}");
    }
}

/// Technique 3 on race_lab, whose verdict is the submission's: the forged
/// `verified` must not count either.
#[test]
fn a_forged_event_stream_earns_nothing_on_the_race_lab() {
    let dir = tempfile::tempdir().unwrap();
    let submission = compile(dir.path(), "forged_stream");
    let graded = grade(dir.path(), "forgery-stream-race", &quick_race_lab(), Some(("race", &submission)));
    assert_every_run_failed(&graded, TAMPERED);
    graded.assert_nothing_earned();
}

/// Technique 3 on deadlock_lab: the forged stream says the fixed forms finished.
#[test]
fn a_forged_event_stream_earns_nothing_on_the_deadlock_lab() {
    let dir = tempfile::tempdir().unwrap();
    let submission = compile(dir.path(), "forged_stream");
    let graded = grade(dir.path(), "forgery-stream-deadlock", &lab("deadlock_lab.toml"), Some(("race", &submission)));
    graded.assert_nothing_earned();
    assert_every_run_failed(&graded, TAMPERED);
}

/// Technique 4: every "download" returns "383" at once, the async ones too.
/// The instructor's verifier cannot tell (the results look right); the
/// server's own count and the physical floor can.
#[test]
fn a_download_that_downloads_nothing_earns_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let submission = compile(dir.path(), "no_download");
    let graded = grade(dir.path(), "forgery-no-download", &quick_io_lab(), Some(("io", &submission)));
    graded.assert_nothing_earned();
    for s in graded.strategies() {
        assert_eq!(s["server_requests"], 0.0, "{s}");
    }
    let arrives = graded.expectation("every page arrives")["values"].to_string();
    for label in ["sequential", "threads", "pool", "async"] {
        assert!(arrives.contains(&format!("requests(\\\"{label}\\\") = 0")), "{arrives}");
    }
    for name in ["threads overlap the waits", "async overlaps every wait on one thread"] {
        let e = graded.expectation(name);
        assert!(e["values"].to_string().contains("impossible: an efficiency of"), "{name}: {e}");
    }
}

/// Technique 5: every unit fails. Runs that did nothing have no timing, so
/// "no speedup under the lock" does not hold for them.
#[test]
fn a_submission_whose_every_unit_fails_earns_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let submission = compile(dir.path(), "failing_units");
    let graded = grade(dir.path(), "forgery-failing-units", &quick_cpu_lab(), Some(("cpu", &submission)));
    graded.assert_nothing_earned();
    assert_every_run_failed(&graded, "2 unit(s) failed");
    let gil = graded.expectation("the interpreter lock takes the speedup away");
    assert!(gil["error"].as_str().unwrap().contains("its timing does not count"), "{gil}");
}

/// Processes of the test run `marker` (see `common::runner`) named
/// `forgery-chain` (what the chain calls itself), zombies aside.
fn chain_processes(marker: &str) -> Vec<u32> {
    common::processes_with_marker(marker)
        .into_iter()
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            stat.contains("(forgery-chain)")
                && !stat.rsplit(')').next().is_some_and(|s| s.trim_start().starts_with('Z'))
        })
        .collect()
}

/// Kills what the test's own submission left (only ever reached when the
/// runner failed to), so a failing test does not leave a chain running.
fn kill_chain(pids: &[u32]) {
    for pid in pids {
        let _ = Command::new("kill").arg("-KILL").arg(pid.to_string()).status();
    }
}

/// The grade file says what stdout said, and still does a second later, when
/// nothing of the run's (of test run `marker`) has come back either.
fn assert_grade_file_is_the_printed_grade(graded: &Graded, marker: &str) {
    let printed = graded.earned();
    assert_eq!(graded.gradescope["score"].as_f64(), Some(printed), "{}", graded.gradescope);
    std::thread::sleep(std::time::Duration::from_secs(1));
    let later: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&graded.gradescope_path).unwrap()).unwrap();
    assert_eq!(later, graded.gradescope, "the grade file changed after the runner exited");
    let late = chain_processes(marker);
    kill_chain(&late);
    assert!(late.is_empty(), "a chain process appeared after the runner exited: {late:?}");
}

/// Technique 6: the first unit forks a child that calls setsid() and forks
/// its successor in a loop. Its verify says what race_lab wants to hear, so
/// only the chain can cost it the points.
#[test]
fn a_process_chain_does_not_outlive_its_run() {
    let dir = tempfile::tempdir().unwrap();
    let submission = compile(dir.path(), "fork_chain");
    let marker = "forgery-chain-race";
    let graded = grade(dir.path(), marker, &quick_race_lab(), Some(("race", &submission)));
    let survivors = chain_processes(marker);
    kill_chain(&survivors);
    assert!(survivors.is_empty(), "the chain survived the runner: {survivors:?}");
    for label in ["unlocked", "locked", "atomic"] {
        let s = strategy(&graded.doc, label);
        let problem = s["runs"][0]["problem"].as_str().unwrap_or_default().to_owned();
        assert!(problem.starts_with("left ") && problem.contains(" process(es) behind"), "{label}: {problem}");
    }
    assert_grade_file_is_the_printed_grade(&graded, marker);
    graded.assert_nothing_earned();
}

/// Technique 6 on deadlock_lab: the chain, then `fail_run` with a deadlock
/// message in the modes that must deadlock.
#[test]
fn a_process_chain_earns_nothing_on_the_deadlock_lab() {
    let dir = tempfile::tempdir().unwrap();
    let submission = compile(dir.path(), "fork_chain");
    let marker = "forgery-chain-deadlock";
    let graded = grade(dir.path(), marker, &lab("deadlock_lab.toml"), Some(("race", &submission)));
    let survivors = chain_processes(marker);
    kill_chain(&survivors);
    assert!(survivors.is_empty(), "the chain survived the runner: {survivors:?}");
    assert_every_run_failed(&graded, "process(es) behind");
    assert_grade_file_is_the_printed_grade(&graded, marker);
    graded.assert_nothing_earned();
}

/// Honest controls: the repo's own plugins, substituted with `--plugin` (so
/// the instructor's verifier runs in its own process), keep the points that
/// do not depend on the machine's speed: correctness on the quick cpu_lab and
/// io_lab (grading.rs covers the labs without substitution), everything on
/// race_lab and deadlock_lab.
#[test]
fn the_repos_own_plugins_keep_their_points_when_substituted() {
    let cases: [(&str, String, &str, &str, Option<&str>); 4] = [
        ("cpu", quick_cpu_lab(), "librunner_plugin_cpu.so", "counts correctly everywhere", None),
        ("io", quick_io_lab(), "librunner_plugin_io.so", "every page arrives", None),
        ("race", quick_race_lab(), "librunner_plugin_race.so", "", Some("race_lab")),
        ("race", lab("deadlock_lab.toml"), "librunner_plugin_race.so", "", Some("deadlock_lab")),
    ];
    for (name, text, file, check, everything) in cases {
        let dir = tempfile::tempdir().unwrap();
        let graded = grade(dir.path(), "forgery-honest", &text, Some((name, &library(file))));
        if let Some(lab) = everything {
            assert_eq!(graded.code, 0, "{lab}: {}", graded.doc["expectations"]);
            assert_eq!(graded.earned(), 10.0, "{lab}: {}", graded.doc["expectations"]);
            assert_eq!(graded.gradescope["score"].as_f64(), Some(10.0), "{lab}");
        } else {
            let e = graded.expectation(check);
            assert_eq!(e["passed"], true, "{name}: {e}");
            for s in graded.strategies() {
                assert_eq!(s["ok"], true, "{s}");
                assert_eq!(s["verified"], true, "{s}");
            }
        }
    }
}
