//! Asking a child process for a plugin's manifest, so that the plugin's load
//! and init code never runs in the runner itself.

use std::path::Path;
use std::time::Duration;

use runner_sdk::Manifest;

use crate::host::supervise::{Captured, ChildCommand, ChildExit, supervise};
use crate::protocol::LoadError;
use crate::protocol::{Event, FatalError};

/// The longest event line the supervisor accepts (`supervise::child`'s
/// `MAX_EVENT_LINE`), in MiB: a manifest must fit in one.
const MANIFEST_LIMIT_MIB: u64 = 4;
/// Time a plugin gets to load and describe itself.
const DESCRIBE_TIMEOUT: Duration = Duration::from_secs(10);

/// Loads the plugin at `path` in a child process and returns its manifest.
pub(crate) fn describe(path: &Path) -> Result<Manifest, LoadError> {
    let command = ChildCommand {
        args: vec![crate::protocol::DESCRIBE_SUBCOMMAND.into(), path.as_os_str().to_owned()],
        stdin: Vec::new(),
        hold_stdin: false,
        timeout: DESCRIBE_TIMEOUT,
        grace: Duration::from_millis(200),
        limits: Default::default(),
        workers: 1,
        pid_namespace: false,
    };
    let mut answer: Option<Result<Manifest, LoadError>> = None;
    let crashed = |cause: String| LoadError::CrashedInInit { path: path.to_owned(), cause };
    let report = supervise(&command, |event, _, _| match event {
        Event::Manifest { manifest } => answer = Some(Ok(manifest)),
        Event::Fatal { error: FatalError::Load { error } } => answer = Some(Err(error)),
        Event::Fatal { error } => answer = Some(Err(crashed(error.to_string()))),
        _ => {}
    })
    .map_err(|e| crashed(format!("could not start a process to load it: {e}")))?;
    if let Some(answer) = answer {
        return answer;
    }
    // The only event the describing child sends is its answer, so a dropped
    // line is the manifest, refused for its size.
    if report.malformed_events > 0 {
        return Err(LoadError::ManifestTooLarge { path: path.to_owned(), limit_mib: MANIFEST_LIMIT_MIB });
    }
    Err(crashed(match report.exit {
        ChildExit::Exited(code) => {
            format!("the process loading it exited with code {code}{}", stderr_hint(&report.stderr))
        }
        ChildExit::Signaled(signal) => {
            format!("the process loading it was killed by {signal}{}", stderr_hint(&report.stderr))
        }
        ChildExit::TimedOut(after) => {
            format!("it did not finish loading within {} s", after.as_secs())
        }
        ChildExit::Interrupted(_) => "interrupted".to_owned(),
    }))
}

fn stderr_hint(stderr: &Captured) -> String {
    stderr.last_line().map(|l| format!(" (its last words: {l})")).unwrap_or_default()
}
