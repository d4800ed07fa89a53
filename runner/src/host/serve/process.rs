//! The embedded server as a child process of the runner for one scenario
//! (`[server]`): started before the first run, waited for until it answers
//! (it prints its address once it accepts connections), stopped after the
//! last, whatever happened. A child of its own, not a thread, so that its CPU
//! never counts as the runner's and a measured run cannot starve it of locks.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::ServeConfig;
use super::handshake;
use crate::host::supervise::{die_with_parent, forget_child, keep_child};

/// How long `/stats` may take to answer.
const STATS_PATIENCE: Duration = Duration::from_secs(2);
/// How long the server gets to start listening.
const START_PATIENCE: Duration = Duration::from_secs(10);

/// A running embedded server; stopped on drop.
#[derive(Debug)]
pub(crate) struct ServerProcess {
    child: Child,
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub(crate) url: String,
}

impl ServerProcess {
    /// Starts `runner serve` on a free port of 127.0.0.1 with `options`.
    pub(crate) fn start(options: &ServeConfig) -> Result<ServerProcess, String> {
        let mut cmd = Command::new("/proc/self/exe");
        cmd.arg("serve").args(["--port", "0"]).args(options.to_args());
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit()).process_group(0);
        let parent = std::process::id() as i32;
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || die_with_parent(parent));
        }
        let mut child = cmd.spawn().map_err(|e| format!("could not start the embedded server: {e}"))?;
        // Not an orphan to clean up after each run.
        keep_child(child.id());
        let stdout = child.stdout.take().expect("piped");
        // From here on, an early return stops the server through `Drop`.
        let mut server = ServerProcess { child, url: String::new() };
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("server-stdout".into())
            .spawn(move || {
                let mut lines = BufReader::new(stdout).lines();
                if let Some(Ok(first)) = lines.next() {
                    let _ = tx.send(first);
                }
                // Keep draining so the server never blocks on a full pipe.
                for _ in lines {}
            })
            .map_err(|e| e.to_string())?;
        let started = Instant::now();
        match rx.recv_timeout(START_PATIENCE) {
            Ok(line) if handshake::parse(&line).is_some() => {
                server.url = handshake::parse(&line).unwrap_or_default().to_owned();
                tracing::info!("embedded server at {} after {:?}", server.url, started.elapsed());
                Ok(server)
            }
            Ok(line) => Err(format!("the embedded server said `{line}` instead of its address")),
            Err(_) => Err(format!("the embedded server did not start within {} s", START_PATIENCE.as_secs())),
        }
    }
}

impl ServerProcess {
    /// Requests the server has answered so far (its `/stats`, which is never
    /// counted itself): the host's own witness of what a run really asked
    /// for, since the server is the host's and not the run's.
    pub(crate) fn requests(&self) -> Option<u64> {
        use std::io::{Read, Write};
        let addr = self.url.strip_prefix("http://")?;
        let mut stream = std::net::TcpStream::connect(addr).ok()?;
        stream.set_read_timeout(Some(STATS_PATIENCE)).ok()?;
        stream.set_write_timeout(Some(STATS_PATIENCE)).ok()?;
        write!(stream, "GET /stats HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").ok()?;
        let mut answer = String::new();
        stream.take(64 << 10).read_to_string(&mut answer).ok()?;
        let body = &answer[answer.find("\r\n\r\n")? + 4..];
        let stats: serde_json::Value = serde_json::from_str(body.trim()).ok()?;
        stats.get("requests")?.as_u64()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        forget_child(self.child.id());
        let pid = Pid::from_raw(self.child.id() as i32);
        let _ = kill(pid, Signal::SIGTERM);
        let until = Instant::now() + Duration::from_secs(2);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
