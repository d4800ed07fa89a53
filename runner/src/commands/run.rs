//! `runner [run] FILE...`: validate every file first (so a typo in the last
//! one does not waste the first one's minutes), then run them in order, grade
//! each scenario's expectations (measuring again for those with `retries`),
//! report each, and write the JUnit / Gradescope files at the end, before
//! the closing summary (stdout may fail; the grade files must not be lost).

use std::path::PathBuf;

use super::progress::RunProgress;
use crate::cli::{OutputFormat, RunArgs};
use crate::execute::{ExecuteOptions, ScenarioRuns, execute};
use crate::exit_code;
use crate::expect::{ExpectationOutcome, evaluate, score};
use crate::plugin::Catalog;
use crate::report::{Csv, Format, Json, Markdown, Report, Table, gradescope, html, junit};
use crate::scenario::{self, Scenario};
use crate::stats::{StrategySummary, summarize};
use crate::stdout::Stdout;
use crate::supervise::Interrupt;
use crate::{output_path, sanitize};

/// One scenario's results, owned until every report is written.
struct Graded {
    scenario: Scenario,
    runs: ScenarioRuns,
    summaries: Vec<StrategySummary>,
    outcomes: Vec<ExpectationOutcome>,
}

impl Graded {
    fn report(&self) -> Report<'_> {
        Report { scenario: &self.scenario, runs: &self.runs, summaries: &self.summaries, expectations: &self.outcomes }
    }
}

/// Whether a scenario held: every expectation when it has some, else every
/// run of every strategy.
pub fn scenario_held(report: &Report<'_>) -> bool {
    if report.scenario.expectations.is_empty() {
        report.summaries.iter().all(|s| s.all_succeeded())
    } else {
        report.expectations.iter().all(|o| o.passed)
    }
}

pub fn run(args: &RunArgs, quiet: bool, catalog: &mut Catalog) -> u8 {
    if args.files.is_empty() {
        eprintln!("error: no scenario file given\n(try `runner scenarios/cpu_bound.toml`, or `runner --help`)");
        return exit_code::INPUT_UNUSABLE;
    }
    let outputs: Vec<(&str, &std::path::Path)> =
        [("--junit", &args.junit), ("--gradescope", &args.gradescope), ("--report", &args.report)]
            .into_iter()
            .filter_map(|(flag, path)| Some((flag, path.as_deref()?)))
            .collect();
    if let Err(e) = output_path::check_all(&outputs) {
        eprintln!("error: {e}");
        return exit_code::INPUT_UNUSABLE;
    }
    let files = shard(&args.files, args.shard);
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut unusable = false;
    for file in &files {
        match scenario::load(file, catalog) {
            Ok(s) => scenarios.push(s),
            Err(e) => {
                // The message may quote a plugin (its panic, its last words).
                eprintln!("error: {}", sanitize::multiline(&e.to_string()));
                unusable = true;
            }
        }
    }
    if unusable {
        return exit_code::INPUT_UNUSABLE;
    }

    crate::execute::remove_stale_scratch();
    let format: Box<dyn Format> = match args.format {
        OutputFormat::Table => Box::new(Table),
        OutputFormat::Json => Box::new(Json),
        OutputFormat::Markdown => Box::new(Markdown),
        OutputFormat::Csv => Box::new(Csv),
    };
    let options = ExecuteOptions { pictures: args.wants_pictures() };
    let show_progress = !args.no_progress && !quiet && args.format == OutputFormat::Table;
    let mut graded: Vec<Graded> = Vec::new();
    let mut code = exit_code::OK;
    let mut interrupted = None;
    let mut stdout = Stdout::new();
    for scenario in scenarios {
        tracing::info!("running `{}` ({})", scenario.name, scenario.path.display());
        // A bar per scenario: a finished indicatif bar stays hidden.
        let mut progress = RunProgress::new(show_progress);
        let runs = execute(&scenario, options, &mut progress);
        let summaries = summarize(&scenario, &runs.records);
        let mut result = Graded { outcomes: Vec::new(), scenario, runs, summaries };
        if result.runs.interrupted.is_none() {
            let (outcomes, signal) = grade(&result, options, &mut progress);
            result.outcomes = outcomes;
            // Interrupted while measuring again: the scenario stops there.
            result.runs.interrupted = signal;
        }
        progress.finish();
        let report = result.report();
        stdout.line(&format.render(&report));
        if args.timeline {
            match args.format {
                OutputFormat::Table => {
                    let timelines = crate::report::timelines_for_terminal(&report, terminal_width());
                    stdout.line(&sanitize::multiline(&timelines));
                }
                _ => tracing::warn!("--timeline draws only under the table format; see --report for a page"),
            }
        }
        let held = scenario_held(&report);
        interrupted = result.runs.interrupted;
        graded.push(result);
        if interrupted.is_some() {
            break;
        }
        if !held {
            code = exit_code::RUN_FAILED;
            if args.fail_fast {
                tracing::warn!("stopping after the first scenario that did not hold (--fail-fast)");
                break;
            }
        }
    }

    let reports: Vec<Report<'_>> = graded.iter().map(Graded::report).collect();
    for (path, rendered) in [
        (&args.junit, args.junit.as_ref().map(|_| junit::render(&reports))),
        (&args.gradescope, args.gradescope.as_ref().map(|_| gradescope::render(&reports))),
        (&args.report, args.report.as_ref().map(|_| Ok(html::render(&reports)))),
    ] {
        if let (Some(path), Some(rendered)) = (path, rendered) {
            let written =
                rendered.and_then(|text| output_path::write(path, text.as_bytes()).map_err(|e| e.to_string()));
            if let Err(e) = written {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                code = code.max(exit_code::RUN_FAILED);
            }
        }
    }
    if reports.len() > 1 && args.format == OutputFormat::Table {
        stdout.line(&sanitize::multiline(&summary(&reports)));
    }
    match interrupted {
        Some(signal) => signal.exit_code(),
        None => code,
    }
}

/// The files of shard `k` of `n`: sorted by path, every n-th from k-1, so a CI
/// matrix of n jobs runs each file exactly once whatever order the shell gave.
fn shard(files: &[PathBuf], shard: Option<(usize, usize)>) -> Vec<PathBuf> {
    let Some((k, n)) = shard else { return files.to_vec() };
    let mut sorted = files.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted.into_iter().enumerate().filter(|(i, _)| i % n == k - 1).map(|(_, f)| f).collect()
}

/// Evaluates every expectation; a failing one with `retries` measures its
/// strategies again (up to that many times) and passes as flaky if it holds.
/// Stops measuring when the runner is interrupted, and says so.
fn grade(
    result: &Graded,
    options: ExecuteOptions,
    progress: &mut RunProgress,
) -> (Vec<ExpectationOutcome>, Option<Interrupt>) {
    let scenario = &result.scenario;
    let mut outcomes = Vec::new();
    for index in 0..scenario.expectations.len() {
        let mut outcome = evaluate(scenario, &result.summaries, index);
        let expectation = &scenario.expectations[index];
        while !outcome.passed && outcome.attempts <= expectation.retries {
            let attempts = outcome.attempts;
            tracing::info!("`{}` failed; measuring again (retry {attempts})", expectation.name);
            let again = remeasure(scenario, index, options, progress);
            if let Some(signal) = again.runs.interrupted {
                outcomes.push(outcome);
                return (outcomes, Some(signal));
            }
            let summaries = summarize(&again.scenario, &again.runs.records);
            outcome = evaluate(&again.scenario, &summaries, index);
            outcome.attempts = attempts + 1;
            outcome.flaky = outcome.passed;
        }
        outcomes.push(outcome);
    }
    (outcomes, None)
}

struct Remeasured {
    scenario: Scenario,
    runs: ScenarioRuns,
}

/// Runs again the strategies expectation `index` names (and the baseline,
/// which speedups need).
fn remeasure(scenario: &Scenario, index: usize, options: ExecuteOptions, progress: &mut RunProgress) -> Remeasured {
    let labels: Vec<String> = scenario.expectations[index].check.calls().into_iter().map(|(_, l)| l).collect();
    let baseline = &scenario.strategies[scenario.baseline].label;
    let mut subset = scenario.clone();
    subset.strategies.retain(|s| labels.contains(&s.label) || &s.label == baseline);
    subset.baseline = subset.strategies.iter().position(|s| &s.label == baseline).unwrap_or(0);
    let runs = execute(&subset, options, progress);
    Remeasured { scenario: subset, runs }
}

/// Columns of the terminal on stdout, else `COLUMNS`, else 100.
fn terminal_width() -> usize {
    let columns = console::Term::stdout().size_checked().map(|(_, columns)| usize::from(columns));
    let columns = columns.or_else(|| std::env::var("COLUMNS").ok()?.parse().ok());
    columns.unwrap_or(100).clamp(40, 400)
}

/// The closing summary of a multi-scenario call.
fn summary(reports: &[Report<'_>]) -> String {
    let mut lines = vec!["summary:".to_owned()];
    let (mut earned, mut possible) = (0.0, 0.0);
    for report in reports {
        let mark = if scenario_held(report) { "✓" } else { "✗" };
        let total = score(report.scenario, report.expectations);
        earned += total.earned;
        possible += total.possible;
        let points = if total.possible > 0.0 {
            format!(" — {} / {} points", total.earned, total.possible)
        } else {
            String::new()
        };
        lines.push(format!("  {mark} {} ({}){points}", report.scenario.name, report.scenario.path.display()));
    }
    if possible > 0.0 {
        lines.push(format!("  total: {earned} / {possible} points"));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::shard;
    use std::path::PathBuf;

    #[test]
    fn every_file_lands_in_exactly_one_shard() {
        let files: Vec<PathBuf> =
            ["d.toml", "a.toml", "c.toml", "b.toml", "e.toml"].iter().map(PathBuf::from).collect();
        for n in 1..=6 {
            let mut seen: Vec<PathBuf> = (1..=n).flat_map(|k| shard(&files, Some((k, n)))).collect();
            seen.sort();
            let mut all = files.clone();
            all.sort();
            assert_eq!(seen, all, "n = {n}");
        }
        assert_eq!(shard(&files, Some((1, 2))), vec![PathBuf::from("a.toml"), "c.toml".into(), "e.toml".into()]);
    }
}
