//! Grading: the example labs pass with the demo plugins; an honest `mix`
//! counts correctly for cpu_lab; flawed submissions (wrong count, crash, hang,
//! race) lose the right points with the cause in the output, and the grader always finishes; JUnit parses as XML and the
//! Gradescope file's scores add up; shards split files exactly.

mod common;

use std::path::{Path, PathBuf};

use common::{fixture, json, runner, scenario};

fn lab(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../scenarios/assessments/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The CPU lab made quick: fewer steps, one round, a short timeout, no retries.
fn quick_cpu_lab() -> String {
    lab("cpu_lab.toml")
        .replace("steps = 600_000_000", "steps = 20_000_000")
        .replace("repeat = 3", "repeat = 1")
        .replace("warmup = 1", "warmup = 0")
        .replace("timeout = 60", "timeout = 2")
        .replace("retries = 2", "retries = 0")
        .replace("retries = 1", "retries = 0")
}

struct Graded {
    code: i32,
    doc: serde_json::Value,
    gradescope: serde_json::Value,
    junit: String,
}

fn grade(dir: &Path, text: &str, plugin: Option<(&str, PathBuf)>, flaw: &str) -> Graded {
    let file = scenario(dir, "lab.toml", text);
    let (gradescope, junit) = (dir.join("results.json"), dir.join("junit.xml"));
    let mut cmd = runner(&format!("grading-{flaw}"));
    cmd.arg(&file).args(["--format", "json", "--gradescope"]).arg(&gradescope).arg("--junit").arg(&junit);
    if let Some((name, path)) = plugin {
        cmd.arg("--plugin").arg(format!("{name}={}", path.display()));
    }
    let out = cmd.env("RUNNER_FIXTURE_FLAW", flaw).output().unwrap();
    Graded {
        code: out.status.code().unwrap_or(-1),
        doc: json(&out.stdout),
        gradescope: serde_json::from_str(&std::fs::read_to_string(gradescope).unwrap()).unwrap(),
        junit: std::fs::read_to_string(junit).unwrap(),
    }
}

fn expectation<'a>(doc: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    doc["expectations"].as_array().unwrap().iter().find(|e| e["name"] == name).unwrap_or_else(|| panic!("{name}"))
}

/// Gradescope's fields are there and its scores add up.
fn check_gradescope(results: &serde_json::Value, expected_max: f64) {
    let tests = results["tests"].as_array().unwrap();
    let sum: f64 = tests.iter().map(|t| t["score"].as_f64().unwrap()).sum();
    let max: f64 = tests.iter().map(|t| t["max_score"].as_f64().unwrap()).sum();
    assert_eq!(results["score"].as_f64().unwrap(), sum, "{results}");
    assert_eq!(results["max_score"].as_f64().unwrap(), max);
    assert_eq!(max, expected_max);
    for test in tests {
        for field in ["name", "status", "output", "visibility"] {
            assert!(test[field].is_string(), "{field} in {test}");
        }
        assert!(test["status"] == "passed" || test["status"] == "failed");
    }
}

/// The JUnit file is XML with one testsuite per scenario and a testcase per
/// expectation (and per failed run); returns the failed expectation cases.
fn check_junit(xml: &str, suite: &str, expectations: usize) -> usize {
    let document = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not XML ({e}):\n{xml}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), 1);
    assert_eq!(suites[0].attribute("name"), Some(suite));
    let cases: Vec<_> = suites[0].children().filter(|n| n.has_tag_name("testcase")).collect();
    let graded: Vec<_> =
        cases.iter().filter(|c| c.attribute("classname").is_some_and(|n| n.ends_with(".expectations"))).collect();
    assert_eq!(graded.len(), expectations, "{xml}");
    graded.iter().filter(|c| c.children().any(|n| n.has_tag_name("failure") || n.has_tag_name("error"))).count()
}

#[test]
fn the_example_labs_pass_with_the_demo_plugins() {
    for name in ["race_lab.toml", "deadlock_lab.toml", "io_lab.toml"] {
        let dir = tempfile::tempdir().unwrap();
        let graded = grade(dir.path(), &lab(name), None, "none");
        assert_eq!(graded.code, 0, "{name}: {}", graded.doc["expectations"]);
        assert_eq!(graded.doc["score"]["earned"], graded.doc["score"]["possible"], "{name}");
        check_gradescope(&graded.gradescope, 10.0);
        assert_eq!(check_junit(&graded.junit, name.trim_end_matches(".toml"), 4), 0, "{name}");
    }
}

/// cpu_lab grades `mix`: the cpu plugin's own and an honest submission's (the
/// student fixture without a flaw, its own copy of the step) count correctly
/// under every strategy. Only the correctness check: the speedups need a quiet
/// machine. Once the verdict of a substituted plugin comes from the cpu plugin,
/// the second half checks the copy against the reference too.
#[test]
fn an_honest_mix_counts_correctly_for_the_cpu_lab() {
    for (plugin, verdict) in [
        (None, "count = 20000000 = steps, trails checked (1 of 16 segments per unit)"),
        (Some(("cpu", fixture("student"))), "count = 20000000"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let student = plugin.is_some();
        let graded = grade(dir.path(), &quick_cpu_lab(), plugin, "none");
        let correct = expectation(&graded.doc, "counts correctly everywhere");
        assert_eq!(correct["passed"], true, "student: {student}: {correct}");
        let strategies = graded.doc["strategies"].to_string();
        assert!(strategies.contains(verdict), "student: {student}: {strategies}");
        check_gradescope(&graded.gradescope, 10.0);
    }
}

#[test]
fn a_wrong_count_loses_the_correctness_points() {
    let dir = tempfile::tempdir().unwrap();
    let graded = grade(dir.path(), &quick_cpu_lab(), Some(("cpu", fixture("student"))), "wrong");
    assert_eq!(graded.code, 1);
    let correct = expectation(&graded.doc, "counts correctly everywhere");
    assert_eq!(correct["passed"], false);
    assert!(correct["values"].to_string().contains("verified(\\\"sequential\\\") = false"), "{correct}");
    // The verdict is the instructor's (the cpu plugin's, in a process of its
    // own); the submission's own is kept beside it as information.
    let problems = graded.doc["strategies"].to_string();
    assert!(problems.contains("not verified: unit 0 counted 9999999 steps, expected its share"), "{problems}");
    assert!(problems.contains(r#""verdict_source":"instructor""#), "{problems}");
    assert!(problems.contains(r#""own_verdict":{"message":"counted 19999998, not 20000000""#), "{problems}");
    check_gradescope(&graded.gradescope, 10.0);
    assert!(graded.gradescope["score"].as_f64().unwrap() <= 6.0);
    assert!(check_junit(&graded.junit, "cpu_lab", 4) >= 1);
}

#[test]
fn a_crashing_submission_loses_its_points_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let graded = grade(dir.path(), &quick_cpu_lab(), Some(("cpu", fixture("student"))), "crash");
    assert_eq!(graded.code, 1);
    assert_eq!(graded.gradescope["score"].as_f64().unwrap(), 0.0, "{}", graded.gradescope);
    assert!(graded.doc["strategies"].to_string().contains("killed by SIGABRT"));
    let speedup = expectation(&graded.doc, "processes speed up CPU-bound work");
    // A strategy whose runs failed has no timing to grade.
    let error = speedup["error"].as_str().unwrap();
    assert!(error.contains("a run failed") && error.contains("SIGABRT"), "{speedup}");
    check_junit(&graded.junit, "cpu_lab", 4);
}

#[test]
fn a_hanging_submission_times_out_and_the_grader_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let graded = grade(dir.path(), &quick_cpu_lab(), Some(("cpu", fixture("student"))), "hang");
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "{:?}", started.elapsed());
    assert_eq!(graded.code, 1);
    assert_eq!(graded.gradescope["score"].as_f64().unwrap(), 0.0);
    assert!(graded.doc["strategies"].to_string().contains("timed out after 2 s"));
}

#[test]
fn a_racy_submission_loses_the_lock_points() {
    let dir = tempfile::tempdir().unwrap();
    let text = lab("race_lab.toml").replace("repeat = 2", "repeat = 1");
    let graded = grade(dir.path(), &text, Some(("race", fixture("student"))), "none");
    assert_eq!(graded.code, 1);
    assert_eq!(expectation(&graded.doc, "the race loses updates")["passed"], true);
    for name in ["a lock makes it exact", "an atomic makes it exact"] {
        let e = expectation(&graded.doc, name);
        assert_eq!(e["passed"], false, "{e}");
        assert!(e["values"].to_string().contains("lost_updates"), "{e}");
    }
    check_gradescope(&graded.gradescope, 10.0);
    assert!(graded.gradescope["score"].as_f64().unwrap() <= 4.0);
}

#[test]
fn shards_split_the_files_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = (0..5)
        .map(|i| {
            scenario(
                dir.path(),
                &format!("s{i}.toml"),
                &format!(
                    "[scenario]\nname = \"s{i}\"\nrepeat = 1\nwarmup = 0\n\n[workload]\nplugin = \"io\"\nworkload = \"sleep\"\n\n\
                     [workload.params]\nseconds = 0.001\n\n[[strategy]]\nkind = \"sequential\"\n"
                ),
            )
        })
        .collect();
    let mut seen = Vec::new();
    for k in 1..=3 {
        let out =
            runner("shard").args(&files).args(["--format", "json", "--shard", &format!("{k}/3")]).output().unwrap();
        assert!(out.status.success());
        for line in String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.is_empty()) {
            seen.push(json(line.as_bytes())["scenario"]["name"].as_str().unwrap().to_owned());
        }
    }
    seen.sort();
    assert_eq!(seen, ["s0", "s1", "s2", "s3", "s4"]);
}

#[test]
fn a_malformed_expectation_points_at_its_column() {
    let dir = tempfile::tempdir().unwrap();
    let text = "[scenario]\nname = \"x\"\n\n[workload]\nplugin = \"cpu\"\nworkload = \"count\"\n\n[[strategy]]\nkind = \"sequential\"\n\n\
                [[expect]]\ncheck = 'speedup(\"sequential\") >= '\n\n[[expect]]\ncheck = 'ok(\"nope\")'\n";
    let file = scenario(dir.path(), "bad.toml", text);
    runner("bad-expect")
        .arg("validate")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.toml:12:35: in expectation: expected a number, a call or `(`"));
    let unknown = text.replace("'speedup(\"sequential\") >= '", "'speedup(\"sequential\") >= 1'");
    let file = scenario(dir.path(), "bad2.toml", &unknown);
    runner("bad-expect")
        .arg("validate")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("`ok(\"nope\")` names no strategy of this scenario"));
}
