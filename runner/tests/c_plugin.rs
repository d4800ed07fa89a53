//! A plugin written in C against `runner_plugin.h` alone, compiled here with
//! the system's `cc`, runs under every strategy and verifies: the documented
//! ABI is enough for any language.

mod common;

use std::path::Path;
use std::process::Command;

use common::{json, runner, scenario, strategy};

#[test]
fn a_c_plugin_runs_under_every_strategy() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let dir = tempfile::tempdir().unwrap();
    let library = dir.path().join("librunner_plugin_csum.so");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Werror", "-O2", "-shared", "-fPIC", "-I"])
        .arg(root.join("plugins/sdk/include"))
        .arg("-o")
        .arg(&library)
        .arg(root.join("plugins/c-example/sum.c"))
        .status();
    match status {
        Ok(s) => assert!(s.success(), "{cc} failed to compile the C plugin"),
        Err(e) => panic!("a C compiler (`{cc}`) is needed for this test: {e}"),
    }
    let file = scenario(
        dir.path(),
        "c.toml",
        "[scenario]\nname = \"c\"\nrepeat = 1\nwarmup = 0\n\n[workload]\nplugin = \"csum\"\nworkload = \"sum\"\nunits = 6\n\n\
         [workload.params]\nn = 100000\n\n[[strategy]]\nkind = \"sequential\"\n\n[[strategy]]\nkind = \"threads\"\nworkers = 3\n\n\
         [[strategy]]\nkind = \"threads\"\nlabel = \"gil\"\nworkers = 2\noptions = { gil = true }\n\n\
         [[strategy]]\nkind = \"processes\"\nworkers = 2\n\n[[strategy]]\nkind = \"rayon\"\nworkers = 2\n",
    );
    let doc = run_json(dir.path(), &file);
    assert_eq!(doc["workload"]["plugin"], "csum");
    for label in ["sequential", "threads", "gil", "processes", "rayon"] {
        let s = strategy(&doc, label);
        assert_eq!(s["verified"], true, "{s}");
        assert_eq!(s["verdict"], "6 of 6 units summed to \"5000050000\"", "{s}");
    }

    // The ABI's sinks are host-owned: a C plugin gets one for a body from the host.
    let file = scenario(
        dir.path(),
        "fetch.toml",
        "[scenario]\nname = \"fetch\"\nrepeat = 1\nwarmup = 0\n\n[workload]\nplugin = \"csum\"\nworkload = \"fetch\"\n\
         units = 8\n\n[server]\ndelay_ms = 1\n\n[[strategy]]\nkind = \"threads\"\nworkers = 4\n\n\
         [[strategy]]\nkind = \"processes\"\nworkers = 2\n",
    );
    let doc = run_json(dir.path(), &file);
    for label in ["threads", "processes"] {
        let s = strategy(&doc, label);
        assert_eq!(s["verdict"], "8 of 8 units got \"200:383\"", "{s}");
    }
}

/// Runs `file` with the plugins of `dir` and returns its JSON report.
fn run_json(dir: &Path, file: &Path) -> serde_json::Value {
    let out = runner("c-plugin")
        .arg("--plugin-dir")
        .arg(dir)
        .arg(file)
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    json(&out.stdout)
}
