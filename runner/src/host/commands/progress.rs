//! What `runner run` shows while runs go: a progress bar on stderr (only when
//! stderr is a terminal, never in piped or JSON output) and a log line per run.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::host::execute::Observer;
use crate::host::plan::{PlannedRun, Round};
use crate::host::record::RunRecord;
use crate::host::scenario::Scenario;

/// Logs each run and, on a terminal, draws the progress.
#[derive(Debug)]
pub(crate) struct RunProgress {
    bar: Option<ProgressBar>,
    units: u64,
}

impl RunProgress {
    /// Progress for the run command; `enabled` is false for `--no-progress`,
    /// `--quiet` and machine-readable formats.
    pub(crate) fn new(enabled: bool) -> RunProgress {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(10));
            let style = ProgressStyle::with_template("{spinner} [{pos}/{len}] {wide_msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        RunProgress { bar, units: 0 }
    }

    /// Removes the bar (before the report is printed).
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    /// Runs `f` (a log line) without tearing the bar.
    fn quietly(&self, f: impl FnOnce()) {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }
}

impl Observer for RunProgress {
    fn run_started(&mut self, scenario: &Scenario, run: PlannedRun, index: usize, total: usize) {
        self.units = scenario.workload.units;
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            bar.set_position(index as u64);
            let label = &scenario.strategies[run.strategy].label;
            let round = match run.round {
                Round::Warmup(n) => format!("warmup {}/{}", n + 1, scenario.warmup),
                Round::Measured(n) => format!("round {}/{}", n + 1, scenario.repeat),
            };
            let head = crate::host::sanitize::line(&format!("{} · {label}", scenario.name)).into_owned();
            bar.set_message(format!("{head} · {round} · 0/{} units", self.units));
        }
    }

    fn units_done(&mut self, units: u64) {
        if let Some(bar) = &self.bar {
            let message = bar.message();
            let head = message.rsplit_once(" · ").map_or(message.as_str(), |(head, _)| head);
            bar.set_message(format!("{head} · {units}/{} units", self.units));
        }
    }

    fn run_finished(&mut self, scenario: &Scenario, record: &RunRecord, index: usize, total: usize) {
        let label = crate::host::sanitize::line(&scenario.strategies[record.strategy].label);
        let problem = record.problem().map(|p| crate::host::sanitize::multiline(&p).into_owned());
        self.quietly(|| match &problem {
            None => tracing::info!(
                "[{}/{total}] {label} {:?}: {:.3} s",
                index + 1,
                record.round,
                record.wall_s().unwrap_or(0.0)
            ),
            Some(problem) => tracing::warn!("[{}/{total}] {label} {:?}: {problem}", index + 1, record.round),
        });
        if let Some(bar) = &self.bar {
            bar.set_position(index as u64 + 1);
        }
    }
}
