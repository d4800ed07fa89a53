//! How the host starts a run's process and where the two talk: the hidden
//! subcommands of the same binary, and the descriptor the events travel on.

/// `runner __run`: one measured run, described by a [`super::RunSpec`] on stdin.
pub(crate) const RUN_SUBCOMMAND: &str = "__run";
/// `runner __describe LIBRARY`: load a plugin and answer with its manifest.
pub(crate) const DESCRIBE_SUBCOMMAND: &str = "__describe";
/// `runner __verify`: check a run's results with the instructor's library,
/// described by a [`super::VerifySpec`] on stdin.
pub(crate) const VERIFY_SUBCOMMAND: &str = "__verify";
/// `runner __build`: contain itself as a run would, then run a submission's
/// build command (`runner grade`), described by a [`super::BuildSpec`] on stdin.
pub(crate) const BUILD_SUBCOMMAND: &str = "__build";
/// The byte the host writes on a run's stdin once the run says it is
/// prepared: the measured phase starts when it arrives, and the host's clock
/// with it. The host writes it again once it has read `measured` and looked at
/// the run's process (CPU time, descriptors), which waits for it so that it is
/// still there to be looked at.
pub(crate) const GO: u8 = b'g';
/// The byte the host writes on a run's stdin once the run's process is in
/// its cgroup; the run contains itself and loads the plugin after it. The
/// host joins it there while the process is exec'd, linked and reads its
/// spec, so that the kernel's wait for the join (an RCU grace period on most
/// kernels) overlaps that work instead of adding to it.
pub(crate) const JOINED: u8 = b'j';
/// The file descriptor on which a run's process writes its events, one JSON
/// [`super::Event`] per line.
pub(crate) const EVENT_FD: i32 = 3;
