//! Relaying a forked worker's events: read its pipe until the worker is gone
//! and the pipe is drained, not until end of file.
//!
//! Why not end of file: a process the plugin forks inherits the worker's
//! write end; one that outlives the worker would hold the pipe open and
//! keep the run waiting until its timeout. Here the run ends on time and the
//! host's cgroup kills the survivor and counts it as left behind.

use std::io::{PipeReader, Read};
use std::os::fd::AsRawFd;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use nix::libc;

use crate::protocol::Event;
use crate::run::{EventSink, WorkerLog};

/// How a serialized [`Event::UnitResult`] begins.
const RESULT_PREFIX: &[u8] = br#"{"event":"unit_result""#;

/// How often the relay looks whether its worker is gone, in ms.
const LOOK_MS: i32 = 20;

/// What is still read after the worker is gone: what it left in the pipe
/// (at most the pipe's size), not what a survivor keeps writing.
const DRAIN_BYTES: usize = 2 << 20;

/// Forwards a worker's events to the run's stream, keeping unit results
/// (which the host does not need) for verification here, until `gone` is set
/// (the worker was reaped) and nothing more is waiting in the pipe.
pub(super) fn relay(
    id: u32,
    mut reader: PipeReader,
    gone: &AtomicBool,
    events: &EventSink,
    results: &Mutex<Vec<Option<String>>>,
) {
    let mut log = WorkerLog::new(events, id);
    let mut pending = Vec::new();
    let mut chunk = vec![0u8; 64 << 10];
    let mut after_gone = 0usize;
    loop {
        // Read before looking: whatever the worker wrote before it was
        // reaped is then in the pipe when the look says so.
        let worker_gone = gone.load(Ordering::Acquire);
        if !readable(&reader, LOOK_MS) {
            if worker_gone {
                break;
            }
            continue;
        }
        let n = match reader.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if worker_gone {
            after_gone += n;
        }
        pending.extend_from_slice(&chunk[..n]);
        let mut start = 0;
        while let Some(end) = pending[start..].iter().position(|&b| b == b'\n') {
            handle(&pending[start..start + end], &mut log, results);
            start += end + 1;
        }
        pending.drain(..start);
        if after_gone > DRAIN_BYTES {
            break;
        }
    }
    if !pending.is_empty() {
        handle(&pending, &mut log, results);
    }
}

/// Only result lines are parsed; the rest pass through untouched.
fn handle(line: &[u8], log: &mut WorkerLog<'_>, results: &Mutex<Vec<Option<String>>>) {
    if line.starts_with(RESULT_PREFIX) {
        if let Ok(Event::UnitResult { unit, output }) = serde_json::from_slice(line)
            && let Ok(mut results) = results.lock()
            && let Some(slot) = results.get_mut(unit as usize)
        {
            *slot = Some(output);
        }
        return;
    }
    log.push_line(line);
}

/// Whether a read would not block (data, end of file or an error), within `ms`.
fn readable(reader: &PipeReader, ms: i32) -> bool {
    let mut fd = libc::pollfd { fd: reader.as_raw_fd(), events: libc::POLLIN, revents: 0 };
    // SAFETY: one valid pollfd for a descriptor this function borrows.
    let ready = unsafe { libc::poll(&mut fd, 1, ms) };
    ready > 0 && fd.revents != 0
}
