//! What `runner grade` shows while it goes: on a terminal, one bar over the
//! submissions with the time left (indicatif's estimate from those done),
//! the current submission and run; elsewhere, a log line per submission.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::host::execute::Observer;
use crate::host::gradebook::SubmissionRow;
use crate::host::plan::PlannedRun;
use crate::host::sanitize;
use crate::host::scenario::Scenario;

/// The class's progress.
#[derive(Debug)]
pub(crate) struct ClassProgress {
    bar: Option<ProgressBar>,
    current: String,
}

impl ClassProgress {
    /// A bar over `total` submissions, drawn only when `enabled` and stderr is a terminal.
    pub(crate) fn new(total: usize, enabled: bool) -> ClassProgress {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr_with_hz(10));
            let style = ProgressStyle::with_template(
                "{spinner} [{bar:30}] {pos}/{len} submissions · {elapsed} · ETA {eta} · {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        ClassProgress { bar, current: String::new() }
    }

    /// Submission `id` is next.
    pub(crate) fn start(&mut self, id: &str) {
        self.current = sanitize::line(id).into_owned();
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} · building", self.current));
        }
    }

    /// A submission is done.
    pub(crate) fn finished(&mut self, row: &SubmissionRow) {
        let line = format!(
            "{}: {} / {} ({}, {:.2} s)",
            sanitize::line(&row.id),
            row.total,
            row.max,
            row.status.words(),
            row.seconds
        );
        match &self.bar {
            Some(bar) => {
                bar.suspend(|| tracing::info!("{line}"));
                bar.inc(1);
            }
            None => tracing::info!("{line}"),
        }
    }

    /// Removes the bar (before the summary).
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Observer for ClassProgress {
    fn run_started(&mut self, scenario: &Scenario, run: PlannedRun, index: usize, total: usize) {
        if let Some(bar) = &self.bar {
            let label = sanitize::line(&scenario.strategies[run.strategy].label).into_owned();
            bar.set_message(format!("{} · {} · {label} · run {}/{total}", self.current, scenario.name, index + 1));
        }
    }
}
