//! The instructor's verdict on a run: when a submission stands in for a
//! scenario's plugin, the scenario's own library checks the results the units
//! returned to the host, in a process of its own (`runner __verify`) that the
//! submission never touches, on an instance prepared afresh.

use std::path::Path;
use std::time::Duration;

use crate::host::record::{Verdict, VerdictSource};
use crate::host::supervise::{ChildCommand, ChildExit, supervise};
use crate::protocol::{Event, VERIFY_SUBCOMMAND, VerifySpec};

/// Time between SIGTERM and SIGKILL for a verifier that overstays.
const GRACE: Duration = Duration::from_millis(500);

/// What a verification is about.
#[derive(Debug)]
pub(crate) struct Verification<'a> {
    pub(crate) library: &'a Path,
    pub(crate) workload: &'a str,
    pub(crate) params_json: &'a str,
    pub(crate) units: u64,
    pub(crate) timeout: Duration,
}

/// The instructor's verdict on `results`; never fails: a verifier that cannot
/// give one gives a verdict of "not verified" saying why.
pub(crate) fn verify(what: &Verification<'_>, results: Vec<Option<String>>) -> Verdict {
    let spec = VerifySpec {
        plugin: what.library.to_owned(),
        workload: what.workload.to_owned(),
        params_json: what.params_json.to_owned(),
        units: what.units,
        results,
    };
    let command = ChildCommand {
        args: vec![VERIFY_SUBCOMMAND.into()],
        stdin: serde_json::to_vec(&spec).unwrap_or_default(),
        hold_stdin: false,
        timeout: what.timeout,
        grace: GRACE,
        limits: Default::default(),
        workers: 1,
        pid_namespace: false,
    };
    let refused = |message: String| Verdict {
        verified: false,
        message,
        figures: Default::default(),
        source: VerdictSource::Instructor,
    };
    let mut verdict = None;
    let mut fatal = None;
    let report = supervise(&command, |event, _, _| match event {
        Event::Verified { verified, message, figures } if verdict.is_none() => {
            verdict = Some(Verdict { verified, message, figures, source: VerdictSource::Instructor });
        }
        Event::Fatal { error } => fatal = Some(error.to_string()),
        _ => {}
    });
    match (verdict, fatal, report) {
        (Some(verdict), _, _) => verdict,
        (None, Some(error), _) => refused(format!("the instructor's verifier could not run: {error}")),
        (None, None, Ok(report)) => match report.exit {
            ChildExit::TimedOut(after) => {
                refused(format!("the instructor's verifier took longer than {} s", after.as_secs_f64()))
            }
            exit => refused(format!("the instructor's verifier gave no verdict ({exit:?})")),
        },
        (None, None, Err(e)) => refused(format!("the instructor's verifier could not start: {e}")),
    }
}
