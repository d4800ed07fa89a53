//! Colour: only on a terminal (a real pseudo-terminal, through `script`),
//! never into a pipe unless `--color always`, never with `NO_COLOR`.

mod common;

use std::process::Command;

use common::{runner, scenario};

const SCENARIO: &str = r#"
[scenario]
name = "colours"
repeat = 1
warmup = 0

[workload]
plugin = "cpu"
workload = "count"
units = 2

[workload.params]
steps = 1_000_000

[[strategy]]
kind = "sequential"

[[strategy]]
kind = "threads"
workers = 2

[[expect]]
check = 'verified("threads")'

[[expect]]
check = 'speedup("threads") > 1000'
"#;

const ESC: &str = "\x1b[";

#[test]
fn colour_only_on_a_terminal_or_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "colours.toml", SCENARIO);
    let piped = runner("color").arg(&file).output().unwrap();
    assert_eq!(piped.status.code(), Some(1), "one check fails");
    let text = String::from_utf8(piped.stdout).unwrap();
    assert!(text.contains("✓") && text.contains("✗") && !text.contains(ESC), "{text}");

    let always = runner("color").arg(&file).args(["--color", "always"]).output().unwrap();
    let text = String::from_utf8(always.stdout).unwrap();
    assert!(text.contains("\x1b[32m✓\x1b[0m"), "{text}");
    assert!(text.contains("\x1b[31m  \x1b[1;31m✗"), "the failed check is red: {text}");
    let json = runner("color").arg(&file).args(["--color", "always", "--format", "json"]).output().unwrap();
    assert!(!String::from_utf8(json.stdout).unwrap().contains(ESC), "JSON is never painted");

    // A real terminal: `script` runs the runner on a pseudo-terminal.
    let on_terminal = |no_color: Option<&str>| {
        let command = format!("'{}' '{}' --no-progress", env!("CARGO_BIN_EXE_runner"), file.display());
        let mut script = Command::new("script");
        script.args(["-qec", &command, "/dev/null"]).env_remove("NO_COLOR").env("TERM", "xterm");
        if let Some(value) = no_color {
            script.env("NO_COLOR", value);
        }
        String::from_utf8_lossy(&script.output().expect("util-linux `script`").stdout).into_owned()
    };
    let text = on_terminal(None);
    assert!(text.contains("\x1b[32m✓"), "coloured on a terminal: {text}");
    let text = on_terminal(Some("1"));
    assert!(text.contains("✓") && !text.contains(ESC), "NO_COLOR: {text}");
    let text = on_terminal(Some(""));
    assert!(text.contains(ESC), "an empty NO_COLOR does not count: {text}");
}
