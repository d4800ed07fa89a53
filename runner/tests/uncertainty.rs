//! Figures that know their uncertainty, through the real binary: every median
//! comes with its interval and every run with what the rest of the machine
//! did; an expectation its intervals cannot decide is inconclusive, and the
//! lab's policy says what that earns; `repeat = "auto"` stops by its target or
//! its budget and says which. No assertion on any run's speed.

mod common;

use common::{json, runner, scenario, strategy};

const SMALL: &str = r#"
[workload]
plugin = "cpu"
workload = "count"
units = 2

[workload.params]
steps = 2_000_000

[[strategy]]
kind = "sequential"

[[strategy]]
kind = "threads"
workers = 2
"#;

#[test]
fn every_median_has_its_interval_and_every_run_its_machine() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("[scenario]\nname = \"small\"\nrepeat = 6\nwarmup = 0\n{SMALL}");
    let file = scenario(dir.path(), "small.toml", &text);
    let out = runner("uncertainty-fields").arg(&file).args(["--format", "json"]).assert().success();
    let doc = json(&out.get_output().stdout);
    assert_eq!(doc["scenario"]["rounds"]["mode"], "fixed");
    assert_eq!(doc["scenario"]["rounds"]["measured"], 6);
    assert_eq!(doc["scenario"]["rounds"]["ended_by"], "plan");
    let threads = strategy(&doc, "threads");
    for field in ["wall_ci", "cpu_ci", "speedup_ci"] {
        let ci = &threads[field];
        let (lo, median, hi) = (ci["lo"].as_f64().unwrap(), ci["median"].as_f64().unwrap(), ci["hi"].as_f64().unwrap());
        assert!(lo <= median && median <= hi, "{field}: {ci}");
        assert_eq!(ci["n"], 6, "{field}");
        // Six values: min–max, 1 - 2/64 = 96.9 %.
        assert!((ci["confidence"].as_f64().unwrap() - 0.96875).abs() < 1e-9, "{field}: {ci}");
    }
    assert_eq!(threads["speedup_ci"]["median"], threads["speedup"]);
    let noise = &threads["noise"];
    assert!(noise["disturbed"].is_boolean() && noise["cores"].as_u64().unwrap() >= 1, "{noise}");
    assert_eq!(noise["runs_read"], 6, "{noise}");
    for run in threads["runs"].as_array().unwrap() {
        let machine = &run["machine"];
        assert!(machine["others_cores"].as_f64().unwrap() >= 0.0, "{machine}");
        assert!(machine["steal_cores"].as_f64().unwrap() >= 0.0, "{machine}");
    }
    // The table shows the intervals and says what they are.
    let out = runner("uncertainty-table").arg(&file).assert().success();
    let table = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(table.contains("wall median [interval]") && table.contains("× ["), "{table}");
    assert!(table.contains("[…]: 97 % intervals of the medians"), "{table}");
}

/// `wall("x") <= wall("x")` compares a figure's interval with itself: no
/// interval of two different values lies wholly on either side, so it is
/// inconclusive on any machine, and the policy decides what it earns.
#[test]
fn an_undecidable_check_is_inconclusive_and_the_policy_prices_it() {
    let dir = tempfile::tempdir().unwrap();
    for (policy, earned, code) in [("fail", 0.0, 1), ("half", 1.0, 1), ("pass", 2.0, 0)] {
        let text = format!(
            "[scenario]\nname = \"undecided\"\nrepeat = 3\nwarmup = 0\n{SMALL}\n\
             [[expect]]\nname = \"undecidable\"\ncheck = 'wall(\"threads\") <= wall(\"threads\")'\npoints = 2\n\n\
             [grading]\ninconclusive = \"{policy}\"\n"
        );
        let file = scenario(dir.path(), &format!("{policy}.toml"), &text);
        let junit = dir.path().join(format!("{policy}.xml"));
        let gradescope = dir.path().join(format!("{policy}.json"));
        let out = runner("uncertainty-policy")
            .arg(&file)
            .args(["--format", "json", "--junit"])
            .arg(&junit)
            .arg("--gradescope")
            .arg(&gradescope)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(code), "{policy}");
        let doc = json(&out.stdout);
        let e = &doc["expectations"][0];
        assert_eq!(e["state"], "inconclusive", "{policy}: {e}");
        assert_eq!(e["passed"], false, "{policy}");
        assert_eq!(e["earned"], earned, "{policy}: {e}");
        assert!(e["inconclusive"].as_str().unwrap().contains("too noisy to decide"), "{e}");
        assert_eq!(doc["inconclusive_policy"], policy);
        assert_eq!(doc["score"]["earned"], earned);
        let junit = std::fs::read_to_string(&junit).unwrap();
        assert!(junit.contains(r#"type="inconclusive""#), "{junit}");
        let results: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&gradescope).unwrap()).unwrap();
        assert_eq!(results["score"], earned, "{results}");
        assert!(
            results["tests"][0]["output"].as_str().unwrap().contains("**inconclusive:** the machine was too noisy")
        );
    }
}

#[test]
fn auto_rounds_stop_by_target_or_budget_and_say_which() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        format!("[scenario]\nname = \"auto\"\nrepeat = \"auto\"\ntarget = 0.5\nbudget = \"3 s\"\nwarmup = 0\n{SMALL}");
    let file = scenario(dir.path(), "auto.toml", &text);
    let out = runner("uncertainty-auto").arg(&file).args(["--format", "json"]).assert().success();
    let doc = json(&out.get_output().stdout);
    let rounds = &doc["scenario"]["rounds"];
    assert_eq!(rounds["mode"], "auto", "{rounds}");
    assert_eq!(rounds["target"], 0.5);
    assert_eq!(rounds["budget_s"], 3.0);
    let measured = rounds["measured"].as_u64().unwrap();
    assert!(measured >= 6, "{rounds}");
    let threads = strategy(&doc, "threads");
    assert_eq!(threads["runs"].as_array().unwrap().len() as u64, measured);
    match rounds["ended_by"].as_str().unwrap() {
        "target" => assert!(rounds["widest"].as_f64().unwrap() <= 0.5, "{rounds}"),
        "budget" => {}
        other => panic!("ended by {other}: {rounds}"),
    }
    // `--repeat` overrides the scenario, either way.
    let out = runner("uncertainty-override").arg(&file).args(["--format", "json", "--repeat", "2"]).assert().success();
    let doc = json(&out.get_output().stdout);
    assert_eq!(doc["scenario"]["rounds"]["mode"], "fixed");
    assert_eq!(strategy(&doc, "threads")["runs"].as_array().unwrap().len(), 2);
    runner("uncertainty-override").arg(&file).args(["--repeat", "many"]).assert().code(2);
}
