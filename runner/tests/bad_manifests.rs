//! Plugins whose manifest cannot be used: two workloads of one name, an
//! integer parameter with a string default, a manifest over 4 MiB, and one
//! whose description carries terminal escapes. Each is the C example plugin
//! with its manifest replaced, compiled here with the system's `cc`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{runner, scenario};

/// Builds `librunner_plugin_csum.so` in `dir` from `plugins/c-example/sum.c`,
/// its manifest written by the C statements `manifest_code` instead.
fn plugin(dir: &Path, manifest_code: &str) -> PathBuf {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let example = std::fs::read_to_string(root.join("plugins/c-example/sum.c")).unwrap();
    let original = "    say(host, out, MANIFEST);\n";
    assert!(example.contains(original), "sum.c changed: update this test's manifest hook");
    let source = dir.join("bad.c");
    std::fs::write(&source, example.replace(original, manifest_code)).unwrap();
    let library = dir.join("librunner_plugin_csum.so");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&cc)
        .args(["-std=c11", "-w", "-O1", "-shared", "-fPIC", "-I"])
        .arg(root.join("plugins/sdk/include"))
        .arg("-o")
        .arg(&library)
        .arg(&source)
        .status()
        .unwrap_or_else(|e| panic!("a C compiler (`{cc}`) is needed for this test: {e}"));
    assert!(status.success(), "{cc} failed to compile {}", source.display());
    library
}

/// A manifest with one workload `sum` whose description and parameters are given.
fn manifest_json(workloads: &str) -> String {
    let json =
        format!("{{\"name\":\"csum\",\"version\":\"1.0.0\",\"description\":\"bad\",\"workloads\":[{workloads}]}}");
    format!("    say(host, out, {});\n", serde_json::to_string(&json).unwrap())
}

const SUM: &str =
    r#"{"name":"sum","description":"sums","params":[{"name":"n","type":"int","default":1000,"help":"n"}]}"#;

/// `runner validate` of a scenario using the plugin built from `manifest_code`.
fn validate(manifest_code: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    plugin(dir.path(), manifest_code);
    let file = scenario(
        dir.path(),
        "s.toml",
        "[scenario]\nname = \"s\"\n\n[workload]\nplugin = \"csum\"\nworkload = \"sum\"\n\n[[strategy]]\nkind = \"sequential\"\n",
    );
    let out = runner("manifest").arg("validate").arg("--plugin-dir").arg(dir.path()).arg(&file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code(), stderr)
}

#[test]
fn the_c_example_itself_validates() {
    let (code, stderr) = validate("    say(host, out, MANIFEST);\n");
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn two_workloads_of_one_name_are_refused() {
    let (code, stderr) = validate(&manifest_json(&format!("{SUM},{SUM}")));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("has an unusable manifest: two workloads are named `sum`"), "{stderr}");
}

#[test]
fn an_integer_parameter_with_a_string_default_is_refused() {
    let (code, stderr) = validate(&manifest_json(&SUM.replace("\"default\":1000", "\"default\":\"ten\"")));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("parameter `n` of workload `sum` is declared an integer but its default is \"ten\""));
}

#[test]
fn a_manifest_over_4_mib_is_said_to_be_too_large() {
    let huge = r#"    say(host, out, "{\"name\":\"csum\",\"version\":\"1.0.0\",\"description\":\"");
    static char chunk[4097];
    memset(chunk, 'x', 4096);
    for (int i = 0; i < 1300; i++) say(host, out, chunk);
    say(host, out, "\",\"workloads\":[]}");
"#;
    let (code, stderr) = validate(huge);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("describes itself in more than 4 MiB, the most a manifest may take"), "{stderr}");
    assert!(!stderr.contains("exited with code 0"), "{stderr}");
}

#[test]
fn escapes_in_a_manifest_are_shown_not_obeyed_by_runner_list() {
    let dir = tempfile::tempdir().unwrap();
    let evil = SUM.replace("\"description\":\"sums\"", "\"description\":\"\\u001b]0;owned\\u0007\\u001b[2Jsums\"");
    plugin(dir.path(), &manifest_json(&evil));
    let out = runner("manifest-list").arg("list").arg("--plugin-dir").arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("workload sum: \\x1b]0;owned\\x07\\x1b[2Jsums"), "{stdout}");
    assert!(!stdout.contains('\u{1b}') && !stdout.contains('\u{7}'), "{stdout:?}");
}
