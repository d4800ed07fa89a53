//! SIGINT and SIGTERM to the runner end the current run's whole process group,
//! report what was measured, and exit 130 / 143 with nothing left behind.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{fixture, processes_with_marker, scenario};

fn interrupt_with(signal: nix::sys::signal::Signal, expected_code: i32) {
    let marker = format!("signal-{signal}");
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(
        dir.path(),
        "hang.toml",
        &format!(
            "[scenario]\nname = \"hang\"\nrepeat = 1\nwarmup = 0\ntimeout = 600\n\n[workload]\nplugin = \"{}\"\n\
             workload = \"hang\"\nunits = 4\n\n[[strategy]]\nkind = \"processes\"\nworkers = 3\n",
            fixture("hostile").display()
        ),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_runner"))
        .arg(&file)
        .env("RUNNER_TEST_MARKER", &marker)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the run's workers exist (runner + run process + 3 workers).
    let deadline = Instant::now() + Duration::from_secs(10);
    while processes_with_marker(&marker).len() < 5 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(processes_with_marker(&marker).len() >= 5, "workers did not start");
    let sent = Instant::now();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(sent.elapsed() < Duration::from_secs(5), "runner did not stop after {signal}");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(sent.elapsed() < Duration::from_secs(3), "took {:?}", sent.elapsed());
    assert_eq!(status.code(), Some(expected_code));
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("interrupted"), "{stdout}");
    assert_eq!(processes_with_marker(&marker), Vec::<u32>::new(), "processes left behind");
}

#[test]
fn sigint_ends_every_child_and_exits_130() {
    interrupt_with(nix::sys::signal::Signal::SIGINT, 130);
}

#[test]
fn sigterm_ends_every_child_and_exits_143() {
    interrupt_with(nix::sys::signal::Signal::SIGTERM, 143);
}
