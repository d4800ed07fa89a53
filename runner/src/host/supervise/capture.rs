//! Draining a child's stdout or stderr on a thread, keeping only the tail.
//!
//! A plugin may print megabytes; the runner must neither block on a full pipe
//! nor hold it all in memory, and must never pass it through to its own output.

use std::io::Read;
use std::sync::mpsc;
use std::time::Duration;

/// Bytes kept from the end of a stream, for failure reports.
const TAIL_BYTES: usize = 16 * 1024;

/// What a captured stream held.
#[derive(Debug, Clone, Default)]
pub(crate) struct Captured {
    /// Total bytes the child wrote.
    pub(crate) bytes: u64,
    /// The last [`TAIL_BYTES`] of it, lossily decoded.
    pub(crate) tail: String,
}

impl Captured {
    /// The last non-empty line, trimmed: a crashed process's last words.
    pub(crate) fn last_line(&self) -> Option<&str> {
        self.tail.lines().rev().map(str::trim).find(|l| !l.is_empty())
    }
}

/// A stream being drained in the background.
#[derive(Debug)]
pub(crate) struct Capture {
    done: mpsc::Receiver<Captured>,
}

impl Capture {
    /// Starts draining `stream`.
    pub(crate) fn start(mut stream: impl Read + Send + 'static, name: &str) -> Capture {
        let (tx, done) = mpsc::channel();
        let spawned = std::thread::Builder::new().name(format!("capture-{name}")).spawn(move || {
            let mut total = 0u64;
            let mut tail: Vec<u8> = Vec::new();
            let mut buf = [0u8; 8192];
            loop {
                match stream.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        total += n as u64;
                        tail.extend_from_slice(&buf[..n]);
                        if tail.len() > 2 * TAIL_BYTES {
                            tail.drain(..tail.len() - TAIL_BYTES);
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => break,
                }
            }
            let start = tail.len().saturating_sub(TAIL_BYTES);
            let _ = tx.send(Captured { bytes: total, tail: String::from_utf8_lossy(&tail[start..]).into_owned() });
        });
        if spawned.is_err() {
            tracing::warn!("could not start a thread to capture {name}; its output is lost");
        }
        Capture { done }
    }

    /// Waits up to `patience` for the stream to end. A process that escaped the
    /// run's group may hold the pipe open forever; then the thread is left
    /// behind and an empty capture returned.
    pub(crate) fn finish(self, patience: Duration) -> Captured {
        self.done.recv_timeout(patience).unwrap_or_default()
    }
}
