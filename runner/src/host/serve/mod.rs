//! The embedded HTTP server of the IO-bound experiment (the lecture downloads
//! 100 pages of 383 bytes from 127.0.0.1:8000), also the tests' mock of the
//! outside world: a configurable delay, jitter, failures and dropped
//! connections, and counters readable at `/stats`.

mod config;
mod handshake;
pub(crate) mod process;
mod server;

#[cfg(test)]
mod tests;

pub(crate) use config::ServeConfig;
pub(crate) use handshake::announcement;
pub(crate) use process::ServerProcess;
pub(crate) use server::run;
#[cfg(test)]
use server::run_until;
