//! Bad input that is not a malformed TOML file, and bad outputs: a FIFO, a
//! device or a huge file given as the scenario, a stdout closed early or on a
//! full disk, unusable `--junit`/`--gradescope`/`--report` paths, and text from
//! the scenario with control characters and HTML. Each is exit 2 with a message
//! (or, for output, visible escapes), never a panic or a hang, and the grade
//! files are written whatever happens to stdout.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{runner, scenario};

/// A scenario that runs in milliseconds, with one failing 10-point check.
fn quick(name: &str, label: &str) -> String {
    format!(
        "[scenario]\nname = \"{name}\"\ndescription = \"<script>alert(1)</script> \\u001b[2J\"\nrepeat = 1\nwarmup = 0\n\n\
         [workload]\nplugin = \"cpu\"\nworkload = \"count\"\n\n[workload.params]\nsteps = 1000\n\n\
         [[strategy]]\nkind = \"sequential\"\nlabel = \"{label}\"\n\n\
         [[expect]]\nname = \"it failed\"\ncheck = \"failed(\\\"{label}\\\")\"\npoints = 10\n"
    )
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn refused(out: &std::process::Output, message: &str) {
    let stderr = stderr_of(out);
    assert_eq!(out.status.code(), Some(2), "exit code; stderr:\n{stderr}");
    assert!(stderr.contains(message), "expected `{message}` in:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.stdout.is_empty(), "nothing runs: {}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn a_fifo_given_as_the_scenario_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("scenario.toml");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    for subcommand in ["validate", "run"] {
        let out = runner("fifo").timeout(Duration::from_secs(20)).arg(subcommand).arg(&fifo).output().unwrap();
        refused(&out, "it is a FIFO (named pipe), not a regular file");
    }
}

#[test]
fn a_device_or_a_huge_file_is_refused_without_reading_it_all() {
    let out = runner("dev-zero").timeout(Duration::from_secs(20)).args(["validate", "/dev/zero"]).output().unwrap();
    refused(&out, "cannot read scenario `/dev/zero`: it is a character device, not a regular file");
    let dir = tempfile::tempdir().unwrap();
    let big = scenario(dir.path(), "big.toml", &"#".repeat(5 << 20));
    let out = runner("big").args(["validate"]).arg(&big).output().unwrap();
    refused(&out, "it is larger than 4 MiB, the most a scenario file may hold");
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        "[scenario]\nname = \"deep\"\n\n[workload]\nplugin = \"cpu\"\nworkload = \"count\"\n\n[workload.params]\nsteps = {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let file = scenario(dir.path(), "deep.toml", &deep);
    let out = runner("deep").arg("validate").arg(&file).output().unwrap();
    refused(&out, "deep.toml:9:");
    assert!(stderr_of(&out).contains("cannot recurse further"), "{}", stderr_of(&out));
    assert!(stderr_of(&out).len() < 2000, "the 200 000-character line is cut: {}", stderr_of(&out).len());
}

/// Runs two quick scenarios with grade files, stdout going to `stdout`.
fn graded_run(dir: &Path, stdout: Stdio) -> (std::process::Output, PathBuf, PathBuf) {
    let a = scenario(dir, "a.toml", &quick("a", "sequential"));
    let b = scenario(dir, "b.toml", &quick("b", "sequential"));
    let (gradescope, junit) = (dir.join("results.json"), dir.join("junit.xml"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_runner"))
        .env_remove("RUNNER_PLUGIN_PATH")
        .args([&a, &b])
        .arg("--gradescope")
        .arg(&gradescope)
        .arg("--junit")
        .arg(&junit)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A reader that stops at once (`| head -0`): every write to stdout fails.
    drop(child.stdout.take());
    (child.wait_with_output().unwrap(), gradescope, junit)
}

fn check_grade_files(gradescope: &Path, junit: &Path) {
    let results: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(gradescope).unwrap()).unwrap();
    assert_eq!(results["max_score"], 20.0);
    let text = std::fs::read_to_string(gradescope).unwrap();
    assert!(!text.contains("-0"), "no `-0` score: {text}");
    assert!(std::fs::read_to_string(junit).unwrap().contains("<testsuites"));
}

#[test]
fn a_closed_stdout_stops_the_printing_not_the_grading() {
    let dir = tempfile::tempdir().unwrap();
    let (out, gradescope, junit) = graded_run(dir.path(), Stdio::piped());
    let stderr = stderr_of(&out);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "the scenarios' code (their check failed); stderr:\n{stderr}");
    assert!(!stderr.contains("cannot write the results"), "a closed pipe is the reader's choice: {stderr}");
    check_grade_files(&gradescope, &junit);
}

#[test]
fn stdout_on_a_full_disk_is_said_once_and_the_grade_files_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let (out, gradescope, junit) = graded_run(dir.path(), Stdio::from(full));
    let stderr = stderr_of(&out);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.matches("warning: cannot write the results to stdout").count(), 1, "{stderr}");
    check_grade_files(&gradescope, &junit);
}

#[test]
fn unusable_output_paths_are_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "a.toml", &quick("a", "sequential"));
    let fifo = dir.path().join("fifo.json");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(dir.path().join("elsewhere.json"), &link).unwrap();
    let cases: [(&str, &Path, &str); 5] = [
        (
            "--junit",
            Path::new("/nonexistent/dir/j.xml"),
            "cannot write `--junit` to `/nonexistent/dir/j.xml`: directory",
        ),
        ("--gradescope", Path::new("/dev/full"), "it is a device, not a regular file"),
        ("--gradescope", &fifo, "it is a FIFO (named pipe), not a regular file"),
        ("--report", dir.path(), "it is a directory, not a regular file"),
        ("--junit", &link, "it is a symbolic link"),
    ];
    for (flag, path, message) in cases {
        let out = runner("outputs").timeout(Duration::from_secs(20)).arg(&file).arg(flag).arg(path).output().unwrap();
        refused(&out, message);
    }
    assert!(!dir.path().join("elsewhere.json").exists(), "the link is not followed");
    let same = dir.path().join("x.xml");
    let out = runner("outputs").arg(&file).arg("--junit").arg(&same).arg("--report").arg(&same).output().unwrap();
    refused(&out, "`--junit` and `--report` both name");
}

#[test]
fn control_characters_and_html_from_a_scenario_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let label = "evil\\u001b[2J\\u001b]0;owned\\u0007\\u202e|x";
    let file = scenario(dir.path(), "evil.toml", &quick("evil\\u009b31m", label));
    for format in ["table", "markdown", "csv"] {
        let out = runner("escapes").arg(&file).args(["--format", format]).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr_of(&out));
        let raw = stdout.chars().find(|&c| c != '\n' && (c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)));
        assert_eq!(raw, None, "{format}: no raw control character in:\n{stdout}");
        assert!(stdout.contains("evil\\x1b[2J\\x1b]0;owned\\x07\\u{202e}"), "{format}:\n{stdout}");
        assert!(!stdout.contains("-0"), "{format}: no `-0` points:\n{stdout}");
        match format {
            "table" => assert!(stdout.contains("expectations: 0 of 10 points"), "{stdout}"),
            "markdown" => {
                assert!(!stdout.contains("<script>"), "{stdout}");
                assert!(stdout.contains("&lt;script&gt;"), "{stdout}");
                assert!(stdout.contains("\\|x"), "the pipe cannot end the cell:\n{stdout}");
            }
            _ => assert_eq!(stdout.lines().count(), 2, "a header and one row:\n{stdout}"),
        }
    }
}
