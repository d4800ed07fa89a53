//! IO-bound work against the real embedded server: `runner serve` itself, the
//! `[server]` table, every strategy downloading, failures counted by cause,
//! and the server gone afterwards.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{json, processes_with_marker, runner, scenario, strategy};

const EVERY_STRATEGY: &str = "[[strategy]]\nkind = \"sequential\"\n\n[[strategy]]\nkind = \"threads\"\nworkers = 8\n\n\
    [[strategy]]\nkind = \"processes\"\nworkers = 4\n\n[[strategy]]\nkind = \"pool\"\nworkers = 8\n\n\
    [[strategy]]\nkind = \"process-pool\"\nworkers = 4\n\n[[strategy]]\nkind = \"async\"\n\n\
    [[strategy]]\nkind = \"async-processes\"\nworkers = 2\n\n[[strategy]]\nkind = \"rayon\"\nworkers = 4\n";

fn downloads(server: &str, units: u32) -> String {
    format!(
        "[scenario]\nname = \"io\"\nrepeat = 1\nwarmup = 0\ntimeout = 60\n\n[server]\n{server}\n\n\
         [workload]\nplugin = \"io\"\nworkload = \"download\"\nunits = {units}\n\n{EVERY_STRATEGY}"
    )
}

/// Kills the server if the test fails before it stops it.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_answers_pages_and_stats_and_stops_on_sigterm() {
    let mut guard = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_runner"))
            .args(["serve", "--port", "0", "--body-bytes", "100"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let server = &mut guard.0;
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let address = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("{line}")).to_owned();
    assert!(address.starts_with("127.0.0.1:"), "{address}");

    let get = |path: &str| {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    };
    let page = get("/page/1");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.to_ascii_lowercase().contains("content-length: 100"), "{page}");
    let stats = get("/stats");
    assert!(stats.contains("\"requests\":1"), "{stats}");

    nix::sys::signal::kill(nix::unistd::Pid::from_raw(server.id() as i32), nix::sys::signal::Signal::SIGTERM).unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "server did not stop");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(status.success(), "{status:?}");
}

#[test]
fn every_strategy_downloads_every_page_and_the_server_is_gone_after() {
    let marker = "io-every";
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "io.toml", &downloads("delay_ms = 20", 24));
    let out = runner(marker).arg(&file).args(["--format", "json"]).assert().success().get_output().clone();
    let doc = json(&out.stdout);
    for s in doc["strategies"].as_array().unwrap() {
        assert_eq!(s["ok"], true, "{s}");
        assert_eq!(s["verdict"], "all 24 pages arrived, 9192 bytes in all", "{s}");
        assert!(s["units_per_s"].as_f64().unwrap() > 0.0, "{s}");
        // Ideal / measured: never above 1 (nothing beats the server's delay).
        let efficiency = s["efficiency"].as_f64().unwrap();
        assert!(efficiency > 0.0 && efficiency <= 1.0, "{s}");
    }
    // Overlapping the waits is the point: async beats one-at-a-time by far.
    assert!(strategy(&doc, "async")["speedup"].as_f64().unwrap() > 4.0, "{doc}");
    assert_eq!(processes_with_marker(marker), Vec::<u32>::new(), "server or workers left behind");
}

#[test]
fn failed_and_dropped_requests_are_counted_by_cause_and_the_run_completes() {
    let marker = "io-failures";
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path(), "flaky.toml", &downloads("fail_rate = 0.3\ndrop_rate = 0.1", 60));
    let out = runner(marker).arg(&file).args(["--format", "json"]).assert().code(1).get_output().clone();
    let doc = json(&out.stdout);
    for s in doc["strategies"].as_array().unwrap() {
        let run = &s["runs"][0];
        // Completed (timed, verdict given) despite the failures.
        assert!(run["wall_s"].as_f64().is_some(), "{s}");
        let failed = run["units_failed"].as_u64().unwrap();
        assert!(failed > 0 && failed < 60, "{s}");
        assert_eq!(run["units_ok"].as_u64().unwrap() + failed, 60, "{s}");
        let causes = s["failure_causes"].as_array().unwrap();
        assert!(causes.iter().any(|c| c["message"] == "HTTP 500"), "{s}");
        let counted: u64 = causes.iter().map(|c| c["units"].as_u64().unwrap()).sum();
        assert_eq!(counted, failed, "{s}");
        assert_eq!(s["verdict"], format!("{failed} of 60 downloads failed"), "{s}");
    }
    assert_eq!(processes_with_marker(marker), Vec::<u32>::new());
}

#[test]
fn sleeping_units_overlap_on_threads_and_async_but_not_in_sequence() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(
        dir.path(),
        "sleep.toml",
        "[scenario]\nname = \"sleep\"\nrepeat = 1\nwarmup = 0\n\n[workload]\nplugin = \"io\"\nworkload = \"sleep\"\nunits = 5\n\n\
         [workload.params]\nseconds = 0.2\n\n[[strategy]]\nkind = \"sequential\"\n\n[[strategy]]\nkind = \"threads\"\nworkers = 5\n\n\
         [[strategy]]\nkind = \"async\"\n\n[[strategy]]\nkind = \"threads\"\nlabel = \"gil\"\nworkers = 5\noptions = { gil = true }\n",
    );
    let out = runner("sleep").arg(&file).args(["--format", "json"]).assert().success().get_output().clone();
    let doc = json(&out.stdout);
    let wall = |label: &str| strategy(&doc, label)["wall_s"]["median"].as_f64().unwrap();
    assert!(wall("sequential") >= 1.0, "five 0.2 s sleeps in a row: {}", wall("sequential"));
    // Blocking IO releases the simulated lock, so even the GIL threads overlap.
    for label in ["threads", "async", "gil"] {
        assert!(wall(label) < 0.6, "{label}: {}", wall(label));
    }
}

#[test]
fn an_async_strategy_needs_a_workload_with_an_async_form() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(
        dir.path(),
        "s.toml",
        "[scenario]\nname = \"x\"\n\n[workload]\nplugin = \"cpu\"\nworkload = \"count\"\n\n[[strategy]]\nkind = \"async\"\n",
    );
    runner("async-needs")
        .arg("validate")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("s.toml:9:8: workload `count` has no async form, which `async` needs"));
}
