//! `runner [run] FILE...`: validate every file first (so a typo in the last
//! one does not waste the first one's minutes), then run them in order, grade
//! each scenario's expectations (measuring again for those with `retries`),
//! report each, and write the JUnit / Gradescope files at the end, before
//! the closing summary (stdout may fail; the grade files must not be lost).

use std::path::PathBuf;

use super::progress::RunProgress;
use crate::host::cli::{OutputFormat, RunArgs};
use crate::host::execute::{ExecuteOptions, Observer, execute};
use crate::host::exit_code;
use crate::host::grade::grade;
use crate::host::plugin::Catalog;
use crate::host::report::{
    Csv, Exporter, Gradescope, Html, Json, Junit, Markdown, Report, ScenarioResult, Table, Trace, paint,
    printed_for_terminal, timelines_for_terminal,
};
use crate::host::scenario::{self, Scenario};
use crate::host::stats::summarize;
use crate::host::stdout::Stdout;
use crate::host::{output_path, sanitize};

/// `color`: paint the table (`--color`, decided once for stdout).
pub(crate) fn run(args: &RunArgs, quiet: bool, color: bool, catalog: &mut Catalog) -> u8 {
    if args.files.is_empty() {
        eprintln!("error: no scenario file given\n(try `runner scenarios/cpu_bound.toml`, or `runner --help`)");
        return exit_code::INPUT_UNUSABLE;
    }
    let outputs: Vec<(&str, &std::path::Path)> = [
        ("--junit", &args.junit),
        ("--gradescope", &args.gradescope),
        ("--report", &args.report),
        ("--trace", &args.trace),
    ]
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
    for scenario in &mut scenarios {
        if let Some(repeat) = &args.repeat {
            match crate::host::scenario::Repeat::from_arg(repeat, scenario.rounds) {
                Ok(rounds) => {
                    scenario.rounds = rounds;
                    scenario.repeat = rounds.initial_rounds();
                }
                Err(e) => {
                    eprintln!("error: --repeat: {}", sanitize::line(&e));
                    unusable = true;
                }
            }
        }
        if let Err(e) = apply_limit_args(scenario, &args.limits) {
            eprintln!("error: {e}");
            unusable = true;
        }
    }
    if args.require_containment
        && let Some(missing) = missing_containment()
    {
        eprintln!("error: --require-containment, but this machine lacks: {missing}\n(see `runner doctor`)");
        return exit_code::INPUT_UNUSABLE;
    }
    if unusable {
        return exit_code::INPUT_UNUSABLE;
    }

    crate::host::execute::remove_stale_scratch();
    let format: Box<dyn Exporter> = match args.format {
        OutputFormat::Table => Box::new(Table),
        OutputFormat::Json => Box::new(Json),
        OutputFormat::Markdown => Box::new(Markdown),
        OutputFormat::Csv => Box::new(Csv),
    };
    let options = ExecuteOptions { pictures: args.wants_pictures(), pid_namespace: args.pid_namespace };
    let show_progress = !args.no_progress && !quiet && args.format == OutputFormat::Table;
    let mut results: Vec<ScenarioResult> = Vec::new();
    let mut code = exit_code::OK;
    let mut interrupted = None;
    let mut stdout = Stdout::new();
    let color = color && args.format == OutputFormat::Table;
    let colored = |text: String| if color { paint(&text) } else { text };
    for scenario in scenarios {
        tracing::info!("running `{}` ({})", scenario.name, scenario.path.display());
        // A bar per scenario: a finished indicatif bar stays hidden.
        let mut progress = RunProgress::new(show_progress);
        let result = measure_and_grade(scenario, options, &mut progress);
        progress.finish();
        let report = result.report();
        match format.export(&[report]) {
            Ok(text) => stdout.line(&colored(text)),
            Err(e) => tracing::error!("cannot render `{}`: {e}", report.scenario.name),
        }
        if args.timeline {
            match args.format {
                OutputFormat::Table => {
                    let timelines = timelines_for_terminal(&report, terminal_width());
                    stdout.line(&sanitize::multiline(&timelines));
                }
                _ => tracing::warn!("--timeline draws only under the table format; see --report for a page"),
            }
        }
        if args.show_output {
            match args.format {
                OutputFormat::Table => stdout.line(&sanitize::multiline(&printed_for_terminal(&report))),
                _ => tracing::warn!("--show-output lists only under the table format; see --report for a page"),
            }
        }
        let held = report.grade.held;
        interrupted = result.runs.interrupted;
        results.push(result);
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

    let reports: Vec<Report<'_>> = results.iter().map(ScenarioResult::report).collect();
    let files: [(&Option<PathBuf>, &dyn Exporter); 4] =
        [(&args.junit, &Junit), (&args.gradescope, &Gradescope), (&args.report, &Html), (&args.trace, &Trace)];
    for (path, exporter) in files {
        if let Some(path) = path {
            let written = exporter
                .export(&reports)
                .and_then(|text| output_path::write(path, text.as_bytes()).map_err(|e| e.to_string()));
            if let Err(e) = written {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                code = code.max(exit_code::RUN_FAILED);
            }
        }
    }
    if reports.len() > 1 && args.format == OutputFormat::Table {
        stdout.line(&colored(sanitize::multiline(&summary(&reports)).into_owned()));
    }
    match interrupted {
        Some(signal) => signal.exit_code(),
        None => code,
    }
}

/// Runs every planned run of `scenario` and grades its expectations,
/// measuring again those with `retries` that failed.
pub(super) fn measure_and_grade(
    scenario: Scenario,
    options: ExecuteOptions,
    observer: &mut dyn Observer,
) -> ScenarioResult {
    let runs = execute(&scenario, options, observer);
    let mut result = ScenarioResult::new(scenario, runs);
    if result.runs.interrupted.is_none() {
        let mut remeasure = |subset: &Scenario| {
            let again = execute(subset, options, observer);
            // Interrupted while measuring again: the scenario stops there.
            result.runs.interrupted = again.interrupted;
            again.interrupted.is_none().then(|| summarize(subset, &again.records))
        };
        result.grade = grade(&result.scenario, &result.summaries, &mut remeasure);
    }
    result
}

/// Applies each `--limit NAME=VALUE` to the scenario and every strategy.
pub(super) fn apply_limit_args(scenario: &mut Scenario, limits: &[String]) -> Result<(), String> {
    for limit in limits {
        let all = std::iter::once(&mut scenario.limits).chain(scenario.strategies.iter_mut().map(|s| &mut s.limits));
        if let Some(Err(e)) = all.map(|limits| limits.set_from_arg(limit)).find(Result::is_err) {
            return Err(format!("--limit {}: {}", sanitize::line(limit), sanitize::multiline(&e)));
        }
    }
    Ok(())
}

/// The protections a run would go without on this machine, if any.
pub(super) fn missing_containment() -> Option<String> {
    let doctor = crate::host::contain::doctor::examine();
    let mut missing = Vec::new();
    if let Err(e) = &doctor.landlock_abi {
        missing.push(format!("Landlock ({e})"));
    }
    if let Err(e) = &doctor.seccomp {
        missing.push(format!("seccomp ({e})"));
    }
    if let Err(e) = &doctor.cgroup_creatable {
        missing.push(format!("a cgroup per run ({e})"));
    }
    (!missing.is_empty()).then(|| missing.join(", "))
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
        let mark = if report.grade.held { "✓" } else { "✗" };
        let total = report.grade.score;
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
