//! SIGINT and SIGTERM to the runner: recorded in a flag that the supervision
//! loop polls, so the current run's process group is ended and reaped before
//! the runner reports what it has and exits (130 / 143).
//!
//! Run processes are in their own process groups, so a terminal's Ctrl-C reaches
//! only the runner; it is the runner's job to pass it on.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use nix::sys::signal::Signal;

static RECEIVED: OnceLock<Arc<AtomicUsize>> = OnceLock::new();

/// A signal that asked the runner to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    /// SIGINT (Ctrl-C): exit code 130.
    Int,
    /// SIGTERM: exit code 143.
    Term,
}

impl Interrupt {
    /// The conventional exit code, 128 + signal number.
    pub fn exit_code(self) -> u8 {
        match self {
            Interrupt::Int => 130,
            Interrupt::Term => 143,
        }
    }
}

/// Installs the handlers (once). Until then, the default actions apply.
pub fn install_interrupt_handler() -> std::io::Result<()> {
    let flag = RECEIVED.get_or_init(|| Arc::new(AtomicUsize::new(0)));
    signal_hook::flag::register_usize(Signal::SIGINT as i32, Arc::clone(flag), Signal::SIGINT as usize)?;
    signal_hook::flag::register_usize(Signal::SIGTERM as i32, Arc::clone(flag), Signal::SIGTERM as usize)?;
    Ok(())
}

/// The signal received so far, if any.
pub fn interrupted() -> Option<Interrupt> {
    let value = RECEIVED.get()?.load(Ordering::SeqCst);
    if value == Signal::SIGINT as usize {
        Some(Interrupt::Int)
    } else if value == Signal::SIGTERM as usize {
        Some(Interrupt::Term)
    } else {
        None
    }
}
