//! The shipped race and deadlock scenarios, end to end: lost updates show in
//! every unlocked run, locks and atomics are exact, private-memory processes
//! leave the parent's counter alone and say why, and each deadlock is named
//! quickly while the fixes pass.

mod common;

use std::time::{Duration, Instant};

use common::{json, processes_with_marker, runner, strategy};

fn shipped(name: &str) -> String {
    format!("{}/../scenarios/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn race_loses_updates_without_a_lock_and_never_with_one() {
    let out =
        runner("race").arg(shipped("race.toml")).args(["--format", "json"]).assert().success().get_output().clone();
    let doc = json(&out.stdout);
    for label in ["unlocked", "unlocked+gil", "processes shared"] {
        let s = strategy(&doc, label);
        assert_eq!(s["ok"], true, "{label}: every run must lose updates: {s}");
        assert!(s["verdict"].as_str().unwrap().contains("updates lost"), "{s}");
    }
    for label in ["sequential", "locked", "atomic", "processes shared+locked"] {
        let s = strategy(&doc, label);
        assert_eq!(s["ok"], true, "{s}");
        assert!(s["verdict"].as_str().unwrap().contains("no update lost"), "{s}");
    }
    let private = strategy(&doc, "processes private");
    assert_eq!(private["ok"], true, "{private}");
    let verdict = private["verdict"].as_str().unwrap();
    assert!(verdict.contains("counter here = 0") && verdict.contains("own private copy"), "{verdict}");
}

#[test]
fn deadlocks_are_named_within_seconds_and_the_fixes_pass() {
    let marker = "deadlock";
    let started = Instant::now();
    let out =
        runner(marker).arg(shipped("deadlock.toml")).args(["--format", "json"]).assert().code(1).get_output().clone();
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    let doc = json(&out.stdout);
    let problem = |label: &str| strategy(&doc, label)["runs"][0]["problem"].as_str().unwrap_or("").to_owned();
    assert!(problem("relock").contains("waits for lock `a`, which it already holds"), "{}", problem("relock"));
    let order = problem("lock-order");
    assert!(order.contains("deadlock") && order.contains("lock `a`") && order.contains("lock `b`"), "{order}");
    assert_eq!(strategy(&doc, "reentrant (fix)")["ok"], true);
    assert_eq!(strategy(&doc, "ordered (fix)")["ok"], true);
    assert_eq!(processes_with_marker(marker), Vec::<u32>::new());
}
