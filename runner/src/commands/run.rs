//! `runner [run] FILE...`: validate every file first (so a typo in the last
//! one does not waste the first one's minutes), then run them in order and
//! report each.

use std::io::Write;

use crate::cli::{OutputFormat, RunArgs};
use crate::execute::execute;
use crate::exit_code;
use crate::plugin::Catalog;
use crate::report::{Format, Json, Report, Table};
use crate::scenario::{self, Scenario};
use crate::stats::summarize;

pub fn run(args: &RunArgs, catalog: &mut Catalog) -> u8 {
    if args.files.is_empty() {
        eprintln!("error: no scenario file given\n(try `runner scenarios/cpu_bound.toml`, or `runner --help`)");
        return exit_code::INPUT_UNUSABLE;
    }
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut unusable = false;
    for file in &args.files {
        match scenario::load(file, catalog) {
            Ok(s) => scenarios.push(s),
            Err(e) => {
                eprintln!("error: {e}");
                unusable = true;
            }
        }
    }
    if unusable {
        return exit_code::INPUT_UNUSABLE;
    }

    let format: Box<dyn Format> = match args.format {
        OutputFormat::Table => Box::new(Table),
        OutputFormat::Json => Box::new(Json),
    };
    let mut code = exit_code::OK;
    for scenario in &scenarios {
        tracing::info!("running `{}` ({})", scenario.name, scenario.path.display());
        let runs = execute(scenario, |record, index, total| {
            let label = &scenario.strategies[record.strategy].label;
            match record.problem() {
                None => tracing::info!(
                    "[{}/{total}] {label} {:?}: {:.3} s",
                    index + 1,
                    record.round,
                    record.wall_s().unwrap_or(0.0)
                ),
                Some(problem) => tracing::warn!("[{}/{total}] {label} {:?}: {problem}", index + 1, record.round),
            }
        });
        let summaries = summarize(scenario, &runs.records);
        let text = format.render(&Report { scenario, runs: &runs, summaries: &summaries });
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{text}");
        let _ = stdout.flush();
        if let Some(signal) = runs.interrupted {
            return signal.exit_code();
        }
        if !summaries.iter().all(|s| s.all_succeeded()) {
            code = exit_code::RUN_FAILED;
        }
    }
    code
}
