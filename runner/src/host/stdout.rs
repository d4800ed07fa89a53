//! The runner's stdout, written in one place. A reader that stops early
//! (`runner a.toml b.toml | head -1`) or a full disk ends the writing to
//! stdout, never the runner: the runs, the grading and the report files go on,
//! and the exit code stays the scenarios' (README.md, "Exit codes").

use std::io::{ErrorKind, Write};

/// Results on their way to stdout.
#[derive(Debug, Default)]
pub(crate) struct Stdout {
    /// Set by the first failed write; nothing is written after it.
    broken: bool,
}

impl Stdout {
    /// A handle on the process's stdout.
    pub(crate) fn new() -> Stdout {
        Stdout::default()
    }

    /// Writes `text` and a newline, and flushes, unless stdout already failed.
    /// A closed pipe is the reader's choice and passes silently; any other
    /// error is said once on stderr.
    pub(crate) fn line(&mut self, text: &str) {
        if self.broken {
            return;
        }
        let mut out = std::io::stdout().lock();
        let written = out.write_all(text.as_bytes()).and_then(|()| out.write_all(b"\n")).and_then(|()| out.flush());
        if let Err(e) = written {
            self.broken = true;
            if e.kind() != ErrorKind::BrokenPipe {
                eprintln!("warning: cannot write the results to stdout ({e}); the runs and report files go on");
            }
        }
    }
}
