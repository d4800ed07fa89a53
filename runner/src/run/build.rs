//! `runner __build`: a submission's build, contained as a run is. The process
//! reads its [`BuildSpec`], applies the same protections a run applies to
//! itself (rlimits, Landlock with only the build's scratch directory
//! writable and the lab's and the other submissions' folders unreadable, no
//! network, capabilities dropped, seccomp), closes the event pipe and
//! replaces itself with `/bin/sh -c COMMAND`: everything the build starts
//! inherits the protections, and the host supervises it like a run (its own
//! process group and cgroup, a time limit, leftovers killed).

use std::io::BufRead;
use std::os::unix::process::CommandExt;
use std::process::ExitCode;

use super::contain::protect;
use crate::protocol::{BuildSpec, EVENT_FD};

/// Exit code when the build could not even start (a message on stderr says why).
const COULD_NOT_START: u8 = 127;

pub(crate) fn build_main() -> ExitCode {
    if let Err(e) = super::contain::pidns::enter() {
        eprintln!("error: {e}");
        return ExitCode::from(COULD_NOT_START);
    }
    let mut line = String::new();
    let spec = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| e.to_string())
        .and_then(|_| serde_json::from_str::<BuildSpec>(&line).map_err(|e| e.to_string()));
    let spec = match spec {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("error: unreadable build description: {e}");
            return ExitCode::from(COULD_NOT_START);
        }
    };
    let protections = protect(&spec.contain);
    let missing = protections.missing();
    if !missing.is_empty() {
        eprintln!("runner: the build runs without: {}", missing.join(", "));
    }
    // The build has no events to send; the pipe must not reach its processes.
    // SAFETY: closing a descriptor this process owns and no Rust object holds.
    unsafe { nix::libc::close(EVENT_FD) };
    let error = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(&spec.command)
        .current_dir(&spec.dir)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .exec();
    eprintln!("error: cannot start `/bin/sh -c {}`: {error}", spec.command);
    ExitCode::from(COULD_NOT_START)
}
