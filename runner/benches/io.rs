//! IO throughput and scale, printed as a table (`cargo bench -p runner --bench io`;
//! build the plugins first with `cargo build --release --workspace`):
//!
//! - requests per second of the `async` strategy (64 units in flight,
//!   keep-alive) against `runner serve --delay 0ms`, beside `wrk -t1 -c64` on
//!   the same server in the same run (Debian package `wrk`; skipped if absent);
//! - 10,000 downloads at 100 ms with `async` and 3,300 units in flight: wall
//!   time and peak RSS of the measuring process.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(delay: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_runner"))
            .args(["serve", "--port", "0", "--delay", delay])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start runner serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.trim().trim_start_matches("listening on ").to_owned();
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let _ = self.child.wait();
    }
}

fn runner(url: &str, units: u64, in_flight: u64, repeat: u32) -> serde_json::Value {
    let dir = std::env::temp_dir().join(format!("runner-bench-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("io.toml");
    std::fs::write(
        &file,
        format!(
            "[scenario]\nname = \"io-bench\"\nrepeat = {repeat}\nwarmup = 1\n\n[server]\nurl = \"{url}\"\n\n\
             [workload]\nplugin = \"io\"\nworkload = \"download\"\nunits = {units}\n\n\
             [[strategy]]\nkind = \"async\"\noptions = {{ units_in_flight = {in_flight} }}\n"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_runner")).arg(&file).args(["--format", "json"]).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "runner failed:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn wrk(url: &str) -> Option<f64> {
    let out = Command::new("wrk").args(["-t1", "-c64", "-d3s", &format!("{url}/page/1")]).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().find_map(|l| l.strip_prefix("Requests/sec:")).and_then(|v| v.trim().parse().ok())
}

fn main() {
    let server = Server::start("0ms");
    let doc = runner(&server.url, 20_000, 64, 3);
    let async_rps = doc["strategies"][0]["units_per_s"].as_f64().unwrap();
    let wrk_rps = wrk(&server.url);
    drop(server);

    println!("requests/s against `runner serve --delay 0ms` (same server, same run)");
    println!("| client                              | requests/s |");
    println!("|-------------------------------------|------------|");
    println!("| runner async, 64 in flight, 20,000  | {async_rps:>10.0} |");
    match wrk_rps {
        Some(rps) => {
            println!("| wrk -t1 -c64 -d3s                   | {rps:>10.0} |");
            println!("| runner / wrk                        | {:>10.2} |", async_rps / rps);
        }
        None => println!("| wrk                                 | not installed (apt-get install wrk) |"),
    }
    println!();

    let server = Server::start("100ms");
    let doc = runner(&server.url, 10_000, 3_300, 3);
    let s = &doc["strategies"][0];
    println!("10,000 downloads at 100 ms, async, 3,300 in flight (median of 3)");
    println!("| wall      | peak RSS  | failed |");
    println!("|-----------|-----------|--------|");
    println!(
        "| {:>7.3} s | {:>5.1} MiB | {:>6} |",
        s["wall_s"]["median"].as_f64().unwrap(),
        s["max_rss_bytes"].as_f64().unwrap() / (1024.0 * 1024.0),
        s["units_failed"].as_f64().unwrap_or(0.0)
    );
}
