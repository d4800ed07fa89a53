//! `runner`: turns a concurrency lecture into runnable, measurable, gradable
//! experiments.
//!
//! Data flows one way: CLI ([`cli`]) → scenario ([`scenario`]) → plan
//! ([`plan`]) → runs, each in a supervised child process ([`execute`],
//! [`supervise`], [`worker`], [`strategy`]) streaming events ([`event`]) →
//! records ([`record`]) → statistics ([`stats`]) → reports ([`report`]).

pub mod cli;
pub mod commands;
pub mod contain;
pub mod event;
pub mod execute;
pub mod exit_code;
pub mod expect;
pub mod io;
pub mod plan;
pub mod plugin;
pub mod record;
pub mod report;
pub mod scenario;
pub mod serve;
pub mod server_process;
pub mod stats;
pub mod strategy;
pub mod supervise;
pub mod timeline;
pub mod worker;
