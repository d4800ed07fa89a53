//! `runner grade` over a class (issue 19): submissions generated here from
//! one C source (`tests/class/submission.c`) in every kind a class hands in
//! — honest, wrong answers, a build error, a crash, a hang, a leaked
//! process, output spam — built by the lab's `[grading] build` with the
//! system's `cc`, graded against a lab whose reference plugin is
//! `plugins/c-example/sum.c`. Behaviour and points only: nothing here
//! asserts a timing.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{processes_with_marker, runner};

fn root() -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).to_owned()
}

/// What a generated submission is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Honest,
    Wrong,
    BuildError,
    Crash,
    Hang,
    Leak,
    Spam,
    /// Opens the first submission's source: blocked, so it is graded as honest.
    Peek,
}

impl Kind {
    /// The gradebook's status and total for this kind.
    fn expected(self) -> (&'static str, f64) {
        match self {
            Kind::Honest => ("graded", 5.0),
            Kind::Wrong => ("graded", 0.0),
            Kind::BuildError => ("build failed", 0.0),
            Kind::Crash => ("crashed", 0.0),
            Kind::Hang => ("timed out", 0.0),
            Kind::Leak => ("left processes", 0.0),
            Kind::Spam => ("over limit", 0.0),
            Kind::Peek => ("graded", 5.0),
        }
    }

    fn source(self) -> String {
        let template = std::fs::read_to_string(root().join("runner/tests/class/submission.c")).unwrap();
        let define = |kind: &str| format!("#define KIND_{kind} 1\n{template}");
        match self {
            Kind::Honest => template,
            Kind::Wrong => define("WRONG"),
            Kind::BuildError => format!("{template}\nthis is not C\n"),
            Kind::Crash => define("CRASH"),
            Kind::Hang => define("HANG"),
            Kind::Leak => define("LEAK"),
            Kind::Spam => define("SPAM"),
            Kind::Peek => format!("#define KIND_PEEK \"@CLASS@/00-honest/sum.c\"\n{template}"),
        }
    }
}

/// The lab: three checks (5 points) that read no timing, quick runs.
fn lab(dir: &Path, name: &str, points: u32) -> PathBuf {
    let include = root().join("plugins/sdk/include");
    let text = format!(
        r#"[scenario]
name = "sum_lab"
repeat = 1
warmup = 0
timeout = 1

[grading]
build = "cc -std=c11 -D_DEFAULT_SOURCE -shared -fPIC -I {include} -o librunner_plugin_csum.so sum.c"
build_timeout = 60

[limits]
output = "1 MiB"

[workload]
plugin = "csum"
workload = "sum"
units = 4

[workload.params]
n = 100000

[[strategy]]
kind = "sequential"

[[strategy]]
kind = "threads"
workers = 2

[[strategy]]
kind = "processes"
workers = 2

[[expect]]
name = "sums right, one after another"
check = 'verified("sequential")'
points = {points}

[[expect]]
name = "sums right on threads"
check = 'verified("threads")'
points = 1

[[expect]]
name = "sums right in processes"
check = 'verified("processes") && ok("processes")'
points = 2
"#,
        include = include.display()
    );
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The instructor's plugin (the c-example `csum`) in `dir/ref`.
fn reference(dir: &Path) -> PathBuf {
    let out = dir.join("ref");
    std::fs::create_dir_all(&out).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&cc)
        .args(["-std=c11", "-O2", "-shared", "-fPIC", "-I"])
        .arg(root().join("plugins/sdk/include"))
        .arg("-o")
        .arg(out.join("librunner_plugin_csum.so"))
        .arg(root().join("plugins/c-example/sum.c"))
        .status()
        .unwrap_or_else(|e| panic!("a C compiler (`{cc}`) is needed for this test: {e}"));
    assert!(status.success());
    out
}

/// Submission folders `dir/class/NN-kind`, one per entry of `kinds`.
fn class(dir: &Path, kinds: &[Kind]) -> Vec<(String, Kind)> {
    let class = dir.join("class");
    std::fs::create_dir_all(&class).unwrap();
    kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            let id = format!("{i:02}-{kind:?}").to_lowercase();
            std::fs::create_dir(class.join(&id)).unwrap();
            let source = kind.source().replace("@CLASS@", &class.display().to_string());
            std::fs::write(class.join(&id).join("sum.c"), source).unwrap();
            (id, *kind)
        })
        .collect()
}

/// `runner grade LAB dir/class/* --out OUT` plus `extra`.
fn grade(dir: &Path, marker: &str, lab: &Path, out: &str, extra: &[&str]) -> std::process::Output {
    let mut cmd = runner(marker);
    cmd.arg("grade").arg(lab).args(submissions(dir)).arg("--out").arg(dir.join(out));
    cmd.arg("--plugin-dir").arg(dir.join("ref")).args(extra).timeout(Duration::from_secs(300));
    cmd.output().unwrap()
}

fn submissions(dir: &Path) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir.join("class")).unwrap().map(|e| e.unwrap().path()).collect();
    all.sort();
    all
}

fn gradebook(dir: &Path, out: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join(out).join("gradebook.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The rows without what differs from one grading to the next: the
/// host-measured times, and the feedback (it names the pids that crashed).
fn rows_without_times(book: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut rows = book["submissions"].as_array().unwrap().clone();
    for row in &mut rows {
        let row = row.as_object_mut().unwrap();
        row.remove("seconds");
        row.remove("runs_seconds");
        row.remove("feedback");
    }
    rows
}

fn thirty() -> Vec<Kind> {
    use Kind::*;
    let mut kinds = vec![Honest; 11];
    kinds.extend([Peek]);
    kinds.extend([Wrong; 4]);
    kinds.extend([BuildError; 3]);
    kinds.extend([Crash; 3]);
    kinds.extend([Hang; 2]);
    kinds.extend([Leak; 3]);
    kinds.extend([Spam; 3]);
    kinds
}

#[test]
fn a_class_of_thirty_is_graded_in_one_command_and_three_shards_merge_to_the_same_gradebook() {
    let dir = tempfile::tempdir().unwrap();
    let marker = format!("grade-class-{}", std::process::id());
    reference(dir.path());
    let lab = lab(dir.path(), "lab.toml", 2);
    let kinds = class(dir.path(), &thirty());
    assert_eq!(kinds.len(), 30);

    let out = grade(dir.path(), &marker, &lab, "all", &["--no-progress"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert_eq!(processes_with_marker(&marker), Vec::<u32>::new(), "processes left running");
    assert!(stdout.contains("30 submission(s), 5 point(s) possible"), "{stdout}");
    assert!(stdout.contains("most failed checks:") && stdout.contains("slowest submissions"), "{stdout}");

    let csv = std::fs::read_to_string(dir.path().join("all/gradebook.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "id,status,total,max,\"sums right, one after another\",sums right on threads,sums right in processes"
    );
    assert_eq!(lines.len(), 31, "{csv}");
    for ((id, kind), line) in kinds.iter().zip(&lines[1..]) {
        let (status, total) = kind.expected();
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!((fields[0], fields[1]), (id.as_str(), status), "{line}");
        assert_eq!(fields[2].parse::<f64>().unwrap(), total, "{line}");
        assert_eq!(fields[3], "5", "{line}");

        let folder = dir.path().join("all/submissions").join(id);
        let results: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(folder.join("results.json")).unwrap()).unwrap();
        assert_eq!(results["score"].as_f64(), Some(total), "{id}: {results}");
        assert_eq!(results["max_score"].as_f64(), Some(5.0), "{id}");
        let ran = *kind != Kind::BuildError;
        assert_eq!(folder.join("junit.xml").is_file(), ran, "{id}");
        assert_eq!(folder.join("report.html").is_file(), ran, "{id}");
        assert_eq!(folder.join("feedback.txt").is_file(), !matches!(kind, Kind::Honest | Kind::Peek), "{id}");
    }
    let feedback = |id: &str| std::fs::read_to_string(dir.path().join("all/submissions").join(id).join("feedback.txt"));
    let broken = kinds.iter().find(|(_, k)| *k == Kind::BuildError).unwrap();
    let text = feedback(&broken.0).unwrap();
    assert!(text.contains("failed with exit code") && text.contains("this is not C"), "{text}");

    // Three at a time (the lab reads no timing): the same gradebook.
    let out = grade(dir.path(), &marker, &lab, "jobs", &["--no-progress", "--jobs", "3"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(dir.path().join("jobs/gradebook.csv")).unwrap(), csv);
    assert!(!dir.path().join("jobs/.jobs").exists());
    assert_eq!(std::fs::read_dir(dir.path().join("jobs/submissions")).unwrap().count(), 30);

    // Three shards, as three CI jobs would run them, then merged.
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let out = grade(dir.path(), &marker, &lab, &format!("shard{k}"), &["--no-progress", "--shard", &shard]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(gradebook(dir.path(), &format!("shard{k}"))["submissions"].as_array().unwrap().len(), 10);
    }
    let merged = runner(&marker)
        .args(["merge", "shard1", "shard2", "shard3", "--out", "merged"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(merged.status.code(), Some(0), "{}", String::from_utf8_lossy(&merged.stderr));
    let merged_csv = std::fs::read_to_string(dir.path().join("merged/gradebook.csv")).unwrap();
    assert_eq!(merged_csv, csv, "the merged gradebook differs from the unsharded one");
    let (all, merged) = (gradebook(dir.path(), "all"), gradebook(dir.path(), "merged"));
    assert_eq!(rows_without_times(&merged), rows_without_times(&all));
    assert_eq!(merged["lab_hash"], all["lab_hash"]);
    assert_eq!(std::fs::read_dir(dir.path().join("merged/submissions")).unwrap().count(), 30);
    assert_eq!(processes_with_marker(&marker), Vec::<u32>::new(), "processes left running");
}

#[test]
fn an_interrupted_class_keeps_a_consistent_gradebook_and_resuming_grades_only_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let marker = format!("grade-resume-{}", std::process::id());
    reference(dir.path());
    let lab = lab(dir.path(), "lab.toml", 2);
    // Hangs make it slow enough to interrupt in the middle.
    let kinds = class(dir.path(), &[Kind::Honest, Kind::Hang, Kind::Honest, Kind::Hang, Kind::Honest, Kind::Hang]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_runner"))
        .arg("grade")
        .arg(&lab)
        .args(submissions(dir.path()))
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--plugin-dir")
        .arg(dir.path().join("ref"))
        .env("RUNNER_TEST_MARKER", &marker)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let graded = |dir: &Path| {
        std::fs::read_to_string(dir.join("out/gradebook.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .map_or(0, |b| b["submissions"].as_array().map_or(0, Vec::len))
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while graded(dir.path()) < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGINT).unwrap();
    let status = child.wait().unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("`--resume` grades them"), "{stderr}");
    assert_eq!(processes_with_marker(&marker), Vec::<u32>::new(), "processes left running");

    let before = gradebook(dir.path(), "out");
    let done = before["submissions"].as_array().unwrap().clone();
    assert!(done.len() >= 2 && done.len() < 6, "{} graded", done.len());
    // Every row is a whole row, and in the CSV too.
    let csv = std::fs::read_to_string(dir.path().join("out/gradebook.csv")).unwrap();
    assert_eq!(csv.lines().count(), done.len() + 1, "{csv}");

    // Without --resume, the gradebook is not overwritten.
    let refused = grade(dir.path(), &marker, &lab, "out", &[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--resume"));

    let resumed = grade(dir.path(), &marker, &lab, "out", &["--resume"]);
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert_eq!(resumed.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains(&format!("resuming: {} of 6 submission(s) already graded", done.len())), "{stderr}");
    let after = gradebook(dir.path(), "out");
    let rows = after["submissions"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    for row in &done {
        // Untouched, to the host-measured second: not graded again.
        assert!(rows.contains(row), "{row} was graded again");
    }
    for ((id, kind), row) in kinds.iter().zip(rows) {
        assert_eq!(row["id"], id.as_str());
        assert_eq!(row["total"].as_f64(), Some(kind.expected().1), "{row}");
    }
    assert_eq!(processes_with_marker(&marker), Vec::<u32>::new(), "processes left running");
}

#[test]
fn gradebooks_of_other_labs_are_neither_resumed_nor_merged() {
    let dir = tempfile::tempdir().unwrap();
    let marker = format!("grade-labs-{}", std::process::id());
    reference(dir.path());
    let first = lab(dir.path(), "lab.toml", 2);
    class(dir.path(), &[Kind::Honest]);
    assert_eq!(grade(dir.path(), &marker, &first, "a", &[]).status.code(), Some(0));
    // The same lab with other points is another lab.
    let second = lab(dir.path(), "lab2.toml", 3);
    let resumed = grade(dir.path(), &marker, &second, "a", &["--resume"]);
    assert_eq!(resumed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&resumed.stderr).contains("graded with other labs"));
    assert_eq!(grade(dir.path(), &marker, &second, "b", &[]).status.code(), Some(0));
    let merged = runner(&marker).args(["merge", "a", "b", "--out", "m"]).current_dir(dir.path()).output().unwrap();
    assert_eq!(merged.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&merged.stderr).contains("graded with other labs"));
    assert!(!dir.path().join("m/gradebook.json").exists());
}

#[test]
fn without_a_build_the_library_is_found_by_the_plugin_name_and_a_missing_one_is_a_zero() {
    let dir = tempfile::tempdir().unwrap();
    let marker = format!("grade-prebuilt-{}", std::process::id());
    let reference = reference(dir.path());
    let text = std::fs::read_to_string(lab(dir.path(), "built.toml", 2)).unwrap();
    let without_build: String = text.lines().filter(|l| !l.starts_with("build")).collect::<Vec<_>>().join("\n");
    let lab = dir.path().join("lab.toml");
    std::fs::write(&lab, without_build).unwrap();
    let class = dir.path().join("class");
    for id in ["alice", "bob"] {
        std::fs::create_dir_all(class.join(id)).unwrap();
    }
    std::fs::copy(reference.join("librunner_plugin_csum.so"), class.join("alice/librunner_plugin_csum.so")).unwrap();
    // A link out of the submission (to another one's library) is no library.
    std::os::unix::fs::symlink(
        class.join("alice/librunner_plugin_csum.so"),
        class.join("bob/librunner_plugin_csum.so"),
    )
    .unwrap();
    let out = grade(dir.path(), &marker, &lab, "out", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = std::fs::read_to_string(dir.path().join("out/gradebook.csv")).unwrap();
    assert!(csv.contains("\nalice,graded,5,5,2,1,2\n"), "{csv}");
    assert!(csv.contains("\nbob,missing library,0,5,0,0,0\n"), "{csv}");
}

#[test]
fn a_build_writes_only_in_its_own_copy_and_reads_no_other_submission() {
    let dir = tempfile::tempdir().unwrap();
    let marker = format!("grade-build-{}", std::process::id());
    reference(dir.path());
    let kinds = class(dir.path(), &[Kind::Honest, Kind::Honest]);
    let other = dir.path().join("class").join(&kinds[1].0).join("sum.c");
    let planted = dir.path().join("planted");
    let text = std::fs::read_to_string(lab(dir.path(), "plain.toml", 2)).unwrap();
    let build = format!(
        "build = \"echo x > {}; cat {} > stolen.c; echo x > sum.c; exit 3\"",
        planted.display(),
        other.display()
    );
    let text: Vec<String> =
        text.lines().map(|l| if l.starts_with("build =") { build.clone() } else { l.to_owned() }).collect();
    let lab = dir.path().join("lab.toml");
    std::fs::write(&lab, text.join("\n")).unwrap();
    let out = grade(dir.path(), &marker, &lab, "out", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let feedback = std::fs::read_to_string(dir.path().join("out/submissions").join(&kinds[0].0).join("feedback.txt"));
    let feedback = feedback.unwrap();
    assert!(feedback.contains("failed with exit code 3"), "{feedback}");
    assert_eq!(feedback.matches("Permission denied").count(), 2, "{feedback}");
    assert!(!planted.exists(), "the build wrote outside its directory");
    // It wrote `sum.c` in its copy; the submission itself is untouched.
    assert_eq!(std::fs::read_to_string(&other).unwrap(), Kind::Honest.source());
    let own = dir.path().join("class").join(&kinds[0].0).join("sum.c");
    assert_eq!(std::fs::read_to_string(own).unwrap(), Kind::Honest.source());
}

#[test]
fn a_lab_with_timing_checks_is_graded_one_submission_at_a_time_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let marker = format!("grade-timed-{}", std::process::id());
    reference(dir.path());
    let text = std::fs::read_to_string(lab(dir.path(), "plain.toml", 2)).unwrap();
    let lab = dir.path().join("lab.toml");
    std::fs::write(&lab, text.replace("check = 'verified(\"threads\")'", "check = 'wall(\"threads\") < 60'")).unwrap();
    class(dir.path(), &[Kind::Honest, Kind::Wrong]);
    let out = grade(dir.path(), &marker, &lab, "out", &["--jobs", "2"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("checks timing (`wall(\"threads\") < 60`), so submissions are graded one at a time"),
        "{stderr}"
    );
    let csv = std::fs::read_to_string(dir.path().join("out/gradebook.csv")).unwrap();
    assert!(csv.contains("\n00-honest,graded,5,5,2,1,2\n"), "{csv}");
}
