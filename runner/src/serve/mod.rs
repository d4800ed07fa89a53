//! The embedded HTTP server of the IO-bound experiment (the lecture downloads
//! 100 pages of 383 bytes from 127.0.0.1:8000), also the tests' mock of the
//! outside world: a configurable delay, jitter, failures and dropped
//! connections, and counters readable at `/stats`.

mod config;
mod server;

#[cfg(test)]
mod tests;

pub use config::ServeConfig;
pub use server::{Ready, run, run_until};
