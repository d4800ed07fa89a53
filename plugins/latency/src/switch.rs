//! Context switches: one byte passed back and forth over two pipes between
//! two threads, and between two processes, both pinned to one CPU so that
//! each hand-off is a real switch (not a wake-up on the other core).

use std::io::{PipeReader, PipeWriter, Read, Write};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use crate::measure::{self, Budget};
use crate::{Outcome, Row, sys};

#[derive(Debug)]
pub struct ThreadSwitch;

impl Row for ThreadSwitch {
    const NAME: &'static str = "thread_switch";
    const DESCRIPTION: &'static str = "thread context switch: two threads pinned to one CPU pass a byte back and \
        forth over two pipes; a round trip is two switches (each with a pipe write and read), the figure is half";

    fn prepare() -> Result<Self, String> {
        Ok(ThreadSwitch)
    }

    fn measure(&self, budget: Budget) -> Result<Outcome, String> {
        let (cpu, pinned) = sys::pin_here();
        let (to_echo, mut from_echo, echo_in, echo_out) = pipes()?;
        // The writer is moved into the scope's closure and dropped when it
        // returns or unwinds: the echo thread then reads end of file and ends
        // before the scope joins it.
        let trials = std::thread::scope(move |scope| {
            scope.spawn(move || {
                let _pinned = cpu.map(sys::pin);
                echo(&echo_in, &echo_out);
            });
            let mut to_echo = to_echo;
            measure::trials(budget, |n| round_trips(&mut to_echo, &mut from_echo, n))
        })?;
        drop(pinned);
        Ok(Outcome::measured(trials.scaled(0.5), what("threads", cpu)))
    }
}

#[derive(Debug)]
pub struct ProcessSwitch;

impl Row for ProcessSwitch {
    const NAME: &'static str = "process_switch";
    const DESCRIPTION: &'static str = "process context switch: as thread_switch, with a forked child process at the \
        other end of the pipes (so each switch also changes address space); the child is reaped before the unit ends";

    fn prepare() -> Result<Self, String> {
        Ok(ProcessSwitch)
    }

    fn measure(&self, budget: Budget) -> Result<Outcome, String> {
        // The child inherits the pinning.
        let (cpu, pinned) = sys::pin_here();
        let (to_echo, mut from_echo, echo_in, echo_out) = pipes()?;
        let child = sys::fork(|| {
            // The parent's ends, closed in the child so that it reads end of
            // file when the parent closes its own (or dies).
            close(&to_echo);
            close(&from_echo);
            echo(&echo_in, &echo_out);
            0
        })?;
        drop((echo_in, echo_out));
        let mut to_echo = to_echo;
        let trials = measure::trials(budget, |n| round_trips(&mut to_echo, &mut from_echo, n));
        drop(to_echo);
        let reaped = child.wait();
        drop(pinned);
        let trials = trials?;
        reaped?;
        Ok(Outcome::measured(trials.scaled(0.5), what("processes", cpu)))
    }
}

fn what(between: &str, cpu: Option<usize>) -> String {
    match cpu {
        Some(cpu) => format!("per switch between two {between} on CPU {cpu} (half a pipe round trip)"),
        None => format!("per switch between two {between}, not pinned (half a pipe round trip)"),
    }
}

/// Two pipes: to the echo and back, as (to_echo, from_echo, echo_in, echo_out).
fn pipes() -> Result<(PipeWriter, PipeReader, PipeReader, PipeWriter), String> {
    let (echo_in, to_echo) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
    let (from_echo, echo_out) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
    Ok((to_echo, from_echo, echo_in, echo_out))
}

/// Sends back every byte until end of file. Only `read` and `write`: safe in
/// a forked child.
fn echo(mut input: &PipeReader, mut output: &PipeWriter) {
    let mut byte = [0u8; 1];
    while let Ok(1) = input.read(&mut byte) {
        if output.write_all(&byte).is_err() {
            break;
        }
    }
}

/// Closes the descriptor of `end` in a forked child, which never drops it
/// (it `_exit`s), so the descriptor is closed exactly once in each process.
fn close(end: &impl AsRawFd) {
    // SAFETY: the descriptor is open and owned by `end`, whose destructor
    // never runs in the child; async-signal-safe.
    unsafe { libc::close(end.as_raw_fd()) };
}

/// `n` round trips, timed: two switches each.
fn round_trips(to_echo: &mut PipeWriter, from_echo: &mut PipeReader, n: u64) -> Result<Duration, String> {
    let mut byte = [0u8; 1];
    let start = Instant::now();
    for _ in 0..n {
        to_echo.write_all(&byte).map_err(|e| format!("pipe write: {e}"))?;
        from_echo.read_exact(&mut byte).map_err(|e| format!("pipe read: {e}"))?;
    }
    Ok(start.elapsed())
}
