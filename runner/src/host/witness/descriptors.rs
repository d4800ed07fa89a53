//! Whether a run's event descriptor is still the host's pipe, and the only
//! descriptor on it: a plugin that keeps a copy of fd 3 and puts something
//! else in its place, to write a stream of its own, is seen here.

use std::os::unix::fs::MetadataExt;

use crate::protocol::EVENT_FD;

/// What is wrong with `pid`'s descriptors for the event pipe `(dev, ino)`,
/// or `None` when fd 3 is that pipe and no other descriptor is. `None` too
/// when the process is gone (nothing left to inspect).
pub(crate) fn event_fd_problem(pid: i32, pipe: (u64, u64)) -> Option<String> {
    // Under a PID namespace (opt-in) the host's child only waits for the
    // namespace's init; the run is pid 2 inside, out of this check's view
    // (the cgroup still bounds and ends it).
    let ns = |name: &str| std::fs::read_link(format!("/proc/{pid}/ns/{name}")).ok();
    if ns("pid_for_children").is_some_and(|children| ns("pid") != Some(children)) {
        return None;
    }
    let dir = format!("/proc/{pid}/fd");
    let entries = std::fs::read_dir(&dir).ok()?;
    let is_pipe = |fd: &str| std::fs::metadata(format!("{dir}/{fd}")).is_ok_and(|m| (m.dev(), m.ino()) == pipe);
    if !is_pipe(&EVENT_FD.to_string()) {
        return Some(format!("fd {EVENT_FD} of the run's process is no longer the event pipe"));
    }
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(fd) = name.to_str() else { continue };
        if fd != EVENT_FD.to_string() && is_pipe(fd) {
            return Some(format!("fd {fd} of the run's process is a copy of the event pipe"));
        }
    }
    None
}
