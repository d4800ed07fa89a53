//! How the host starts a run's process and where the two talk: the hidden
//! subcommands of the same binary, and the descriptor the events travel on.

/// `runner __run`: one measured run, described by a [`super::RunSpec`] on stdin.
pub(crate) const RUN_SUBCOMMAND: &str = "__run";
/// `runner __describe LIBRARY`: load a plugin and answer with its manifest.
pub(crate) const DESCRIBE_SUBCOMMAND: &str = "__describe";
/// The file descriptor on which a run's process writes its events, one JSON
/// [`super::Event`] per line.
pub(crate) const EVENT_FD: i32 = 3;
