//! The host: the `runner` the user starts. It reads scenario files, plans the
//! runs, starts and supervises each run's process, turns their event streams
//! into records, statistics, grades and reports, and serves the lecture's HTTP
//! server. It never loads a plugin; it talks to a run only through
//! [`crate::protocol`].
//!
//! Data flows one way: [`cli`] → [`scenario`] → [`plan`] → [`execute`] (runs,
//! each under [`supervise`]) → [`record`] → [`stats`] → [`grade`] → [`report`].

pub(crate) mod cli;
pub(crate) mod commands;
pub(crate) mod contain;
mod entry;
pub(crate) mod execute;
pub(crate) mod exit_code;
pub(crate) mod expect;
pub(crate) mod grade;
pub(crate) mod gradebook;
mod output_path;
pub(crate) mod plan;
pub(crate) mod plugin;
pub(crate) mod record;
pub(crate) mod report;
mod sanitize;
pub(crate) mod scenario;
pub(crate) mod serve;
pub(crate) mod stats;
mod stdout;
pub(crate) mod supervise;
pub(crate) mod timeline;
pub(crate) mod verifier;
pub(crate) mod witness;
pub(crate) use entry::main;
