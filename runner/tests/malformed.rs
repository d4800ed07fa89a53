//! The malformed-scenario corpus (`tests/malformed/*.toml`): each file must be
//! refused with exit code 2, its `file:line:column`, and a message that says
//! what was wrong. Adding a file without adding it here fails the test.

mod common;

use std::path::Path;

use common::runner;

/// File, expected `line:column`, and a piece of the message.
const CORPUS: &[(&str, &str, &str)] = &[
    ("syntax_error", "2:21", "invalid basic string"),
    ("unknown_scenario_key", "3:1", "unknown field `repat`, expected one of `name`"),
    ("repeat_wrong_type", "3:10", "`repeat` must be a number of rounds or \"auto\", found \"five\""),
    ("repeat_auto_target", "4:10", "`target` must be from 0.001 to 1, found 5"),
    ("target_without_auto", "4:10", "`target` and `budget` apply only with `repeat = \"auto\"`"),
    ("budget_unknown_unit", "4:10", "`budget`: `20 hours`: unknown unit `hours`"),
    ("inconclusive_unknown", "12:16", "unknown `inconclusive` policy `maybe`"),
    ("repeat_zero", "3:10", "`repeat` must be between 1 and 10000, found 0"),
    ("timeout_negative", "3:11", "`timeout` must be a positive number of seconds"),
    ("empty_name", "2:8", "the scenario's `name` is empty"),
    ("no_workload", "1:1", "missing field `workload`"),
    ("no_strategy", "6:19", "the scenario has no `[[strategy]]`"),
    ("unknown_kind", "9:8", "unknown strategy kind `thread`"),
    ("workers_zero", "10:11", "`workers` must be between 1 and 1024, found 0"),
    ("workers_not_a_number", "10:11", "expected an integer"),
    ("sequential_with_workers", "10:11", "a `sequential` strategy has exactly one worker"),
    ("unknown_strategy_key", "10:1", "unknown field `worker`"),
    ("unknown_option", "10:13", "unknown option `gill` for `threads`"),
    ("gil_on_processes", "10:13", "unknown option `gil` for `processes`"),
    ("interval_without_gil", "10:13", "`switch_interval_ms` only applies with `gil = true`"),
    ("duplicate_label", "13:9", "two strategies are labelled `sequential`"),
    ("two_baselines", "12:1", "more than one strategy says `baseline = true`"),
    ("unknown_workload", "6:12", "plugin `cpu` has no workload `counting`"),
    ("units_zero", "7:9", "`units` must be at least 1, found 0"),
    ("unknown_param", "9:1", "unknown parameter `stepz` for workload `count`"),
    ("param_wrong_type", "9:9", "parameter `steps` expects an integer, found string"),
    ("missing_plugin", "5:10", "plugin `no-such-plugin` not found; searched:"),
    ("missing_plugin_file", "5:10", "libnothing.so` does not exist"),
    ("strategy_unknown_workload", "10:12", "plugin `cpu` has no workload `nop`"),
    ("report_unknown_row", "13:15", "`relative_to`: no strategy is labelled `memory`"),
    ("limits_unknown", "8:1", "[limits] `memoryy`: unknown limit `memoryy`"),
    // A check in each TOML string form, with non-ASCII text and escapes before the error.
    ("expect_multiline_literal_non_ascii", "13:21", "in expectation: expected a number, a call or `(`"),
    ("expect_multiline_basic_escapes", "14:5", "in expectation: expected a number, a call or `(`"),
    ("expect_basic_escapes", "12:29", "in expectation: expected a number, a call or `(`"),
    // Numbers that size an allocation or a duration.
    ("units_huge", "7:9", "`units` must be at most 1000000, found 1000000000000000000"),
    ("timeout_tiny", "3:11", "`timeout` must be a positive number of seconds, from 0.01 to 86400, found 1e-300"),
    ("timeout_huge", "3:11", "`timeout` must be a positive number of seconds, from 0.01 to 86400, found 1e9"),
    ("param_nan", "9:11", "parameter `seconds`: `nan` and `inf` are not numbers a workload can use"),
    ("param_inf", "10:22", "parameter `seconds`: `nan` and `inf` are not numbers a workload can use"),
    ("sweep_inf", "9:17", "parameter `seconds`: `nan` and `inf` are not numbers a workload can use"),
    ("sweep_too_many_rows", "10:1", "make 1024 rows; a scenario has at most 1000"),
    ("switch_interval_tiny", "10:46", "`switch_interval_ms` must be a number of milliseconds from 0.001"),
    ("points_huge", "13:10", "`points` must be between 0 and 10000"),
    // Gradescope's visibility: one of its four values, given once.
    ("expect_unknown_visibility", "13:14", "unknown visibility `after_due`"),
    ("expect_hidden_and_visibility", "13:10", "an expectation has `hidden` or `visibility`, not both"),
    ("deep_nesting", "9:89", "cannot recurse further"),
    // A raw control character in the file: refused, and shown escaped.
    ("control_character", "3:16", "description = \"\\x1b]0;owned\\x07\""),
];

fn corpus_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/malformed"))
}

#[test]
fn every_malformed_scenario_is_refused_with_its_place() {
    for (name, place, message) in CORPUS {
        let file = corpus_dir().join(format!("{name}.toml"));
        for subcommand in [&["validate"][..], &["run"][..]] {
            let out = runner("malformed").args(subcommand).arg(&file).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name} ({subcommand:?}): exit code, stderr:\n{stderr}");
            let located = format!("{}:{place}: ", file.display());
            assert!(stderr.contains(&located), "{name}: expected `{located}` in:\n{stderr}");
            assert!(stderr.contains(message), "{name}: expected `{message}` in:\n{stderr}");
            assert!(!stderr.contains("panicked"), "{name}: {stderr}");
            assert!(!stderr.chars().any(|c| c.is_control() && c != '\n'), "{name}: raw control characters: {stderr:?}");
            assert!(out.stdout.is_empty(), "{name}: nothing on stdout for unusable input");
        }
    }
}

#[test]
fn the_corpus_table_lists_every_file() {
    let mut files: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_owned))
        .collect();
    files.sort();
    let mut listed: Vec<String> = CORPUS.iter().map(|(n, _, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed);
}

#[test]
fn a_missing_plugin_names_every_path_searched_and_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = runner("missing")
        .args(["validate", "--plugin-dir"])
        .arg(dir.path())
        .arg(corpus_dir().join("missing_plugin.toml"))
        .env("RUNNER_PLUGIN_PATH", "/opt/labs/plugins")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    for searched in [
        dir.path().join("librunner_plugin_no_such_plugin.so"),
        "/opt/labs/plugins/librunner_plugin_no_such_plugin.so".into(),
        common::build_dir().join("librunner_plugin_no_such_plugin.so"),
    ] {
        assert!(stderr.contains(&searched.display().to_string()), "{} not in:\n{stderr}", searched.display());
    }
    assert!(stderr.contains("cargo build --release --workspace"), "{stderr}");
}

#[test]
fn a_missing_file_is_unusable_input() {
    runner("nofile")
        .arg("/no/such/scenario.toml")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot read scenario `/no/such/scenario.toml`"));
}
