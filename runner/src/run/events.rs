//! Writing the event stream: one JSON object per line.
//!
//! Workers buffer their events and write them in batches (every 32 KiB or
//! 50 ms) so that a million tiny units cost the measured run little, while a
//! long run still streams as it goes.

use std::fs::File;
use std::io::Write;
use std::os::fd::{FromRawFd, OwnedFd};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::protocol::{Event, UnitSpan, WaitSpan};

const FLUSH_BYTES: usize = 32 * 1024;
const FLUSH_EVERY: Duration = Duration::from_millis(50);

/// The run's event stream (fd 3 of the run's process, or a worker's pipe).
#[derive(Debug)]
pub(crate) struct EventSink {
    out: Mutex<File>,
}

impl EventSink {
    /// Writes to `file`.
    pub(crate) fn new(file: File) -> EventSink {
        EventSink { out: Mutex::new(file) }
    }

    /// Takes over file descriptor `fd`, after checking that it is open.
    pub(crate) fn from_fd(fd: i32) -> std::io::Result<EventSink> {
        // SAFETY: F_GETFD only queries the descriptor.
        if unsafe { nix::libc::fcntl(fd, nix::libc::F_GETFD) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: the descriptor is open and nothing else in this process owns it.
        Ok(EventSink::new(File::from(unsafe { OwnedFd::from_raw_fd(fd) })))
    }

    /// Writes one event at once.
    pub(crate) fn send(&self, event: &Event) {
        let mut line = serde_json::to_vec(event).unwrap_or_default();
        line.push(b'\n');
        self.write(&line);
    }

    fn write(&self, bytes: &[u8]) {
        if let Ok(mut out) = self.out.lock() {
            // The host may be gone (interrupted); nothing useful to do then.
            let _ = out.write_all(bytes);
        }
    }
}

/// A worker's buffer in front of the sink.
#[derive(Debug)]
pub(crate) struct WorkerLog<'a> {
    sink: &'a EventSink,
    worker: u32,
    buffer: Vec<u8>,
    spans: Vec<UnitSpan>,
    waits: Vec<WaitSpan>,
    last_flush: Instant,
}

impl<'a> WorkerLog<'a> {
    /// An empty buffer in front of `sink` for worker `worker`.
    pub(crate) fn new(sink: &'a EventSink, worker: u32) -> Self {
        WorkerLog {
            sink,
            worker,
            buffer: Vec::with_capacity(FLUSH_BYTES),
            spans: Vec::new(),
            waits: Vec::new(),
            last_flush: Instant::now(),
        }
    }

    /// Buffers one event.
    pub(crate) fn push(&mut self, event: &Event) {
        if serde_json::to_writer(&mut self.buffer, event).is_ok() {
            self.buffer.push(b'\n');
        }
        self.flush_if_due();
    }

    /// Records a successful unit; sent in the next [`Event::UnitsDone`] batch.
    pub(crate) fn push_span(&mut self, span: UnitSpan) {
        self.spans.push(span);
        self.flush_if_due();
    }

    /// Records a wait (in a unit, or at the lock between two); sent in the next [`Event::Waits`] batch.
    pub(crate) fn push_wait(&mut self, wait: WaitSpan) {
        self.waits.push(wait);
        self.flush_if_due();
    }

    /// Buffers one already-encoded event line (without its newline).
    pub(crate) fn push_line(&mut self, line: &[u8]) {
        self.buffer.extend_from_slice(line);
        self.buffer.push(b'\n');
        self.flush_if_due();
    }

    fn flush_if_due(&mut self) {
        // A span takes about 30 bytes on the wire.
        let pending = self.buffer.len() + (self.spans.len() + self.waits.len()) * 30;
        if pending >= FLUSH_BYTES || self.last_flush.elapsed() >= FLUSH_EVERY {
            self.flush();
        }
    }

    /// Writes out what is buffered.
    pub(crate) fn flush(&mut self) {
        if !self.spans.is_empty() {
            let batch = Event::UnitsDone { worker: self.worker, spans: std::mem::take(&mut self.spans) };
            if serde_json::to_writer(&mut self.buffer, &batch).is_ok() {
                self.buffer.push(b'\n');
            }
        }
        if !self.waits.is_empty() {
            let batch = Event::Waits { worker: self.worker, spans: std::mem::take(&mut self.waits) };
            if serde_json::to_writer(&mut self.buffer, &batch).is_ok() {
                self.buffer.push(b'\n');
            }
        }
        if !self.buffer.is_empty() {
            self.sink.write(&self.buffer);
            self.buffer.clear();
        }
        self.last_flush = Instant::now();
    }
}

impl Drop for WorkerLog<'_> {
    fn drop(&mut self) {
        self.flush();
    }
}
