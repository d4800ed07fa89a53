//! The command line (clap). Parsing only; the work is in `crate::commands`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  runner scenarios/cpu_bound.toml              run a scenario, print a table
  runner scenarios/*.toml --format json        one JSON document per scenario
  runner validate scenarios/*.toml             check scenarios without running them
  runner list                                  plugins, workloads, parameters, strategies
  runner --plugin-dir ./build run lab.toml     look for plugins in ./build first

  runner lab.toml --plugin lab=./student/liblab.so --gradescope results.json
  runner scenarios/assessments/*.toml --shard 2/4 --junit junit.xml

Exit codes: 0 everything held (every expectation, or without [[expect]] every run
verified), 1 an expectation or a run failed, 2 unusable input, 130/143 interrupted.";

/// Runs the concurrency lecture's experiments: a scenario names a workload from
/// a plugin and the strategies to run it with; the runner runs, times,
/// verifies and reports each.
#[derive(Debug, Parser)]
#[command(name = "runner", version, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Options every subcommand understands.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Look for plugins in DIR before `RUNNER_PLUGIN_PATH` and the runner's own directory (repeatable).
    #[arg(long = "plugin-dir", value_name = "DIR", global = true)]
    pub plugin_dirs: Vec<PathBuf>,

    /// Use the library at PATH wherever a scenario says `plugin = "NAME"` (grade a submission
    /// against an instructor's scenario). Repeatable.
    #[arg(long = "plugin", value_name = "NAME=PATH", global = true, value_parser = parse_override)]
    pub plugin_overrides: Vec<(String, PathBuf)>,

    /// More logging on stderr (-v info, -vv debug); `RUST_LOG` overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
}

/// `runner [run] FILE...`
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files to run.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,

    /// Stop after the first scenario that does not hold.
    #[arg(long)]
    pub fail_fast: bool,

    /// Run only shard K of N (1-based): the files, sorted by path, whose position modulo N is K-1.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,

    /// Write a JUnit XML report: one testsuite per scenario, one testcase per expectation and failed run.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Write a Gradescope results.json with the expectations' points.
    #[arg(long, value_name = "FILE")]
    pub gradescope: Option<PathBuf>,

    /// Write one self-contained HTML page: results, each strategy's median run as a timeline with CPU load per
    /// core, the verdicts and the scenario text.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,

    /// After the table, draw each strategy's median run: a lane per worker and the load of each core.
    #[arg(long)]
    pub timeline: bool,

    /// No progress bar (it is only ever drawn on stderr when stderr is a terminal).
    #[arg(long)]
    pub no_progress: bool,
}

impl RunArgs {
    /// Whether any output needs the per-core CPU samples.
    pub fn wants_pictures(&self) -> bool {
        self.timeline || self.report.is_some()
    }
}

/// `NAME=PATH`.
fn parse_override(text: &str) -> Result<(String, PathBuf), String> {
    match text.split_once('=') {
        Some((name, path)) if !name.is_empty() && !path.is_empty() => Ok((name.to_owned(), PathBuf::from(path))),
        _ => Err(format!("`{text}` is not NAME=PATH")),
    }
}

/// `K/N` with 1 <= K <= N.
fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let parsed = text.split_once('/').and_then(|(k, n)| Some((k.trim().parse().ok()?, n.trim().parse().ok()?)));
    match parsed {
        Some((k, n)) if k >= 1 && k <= n => Ok((k, n)),
        _ => Err(format!("`{text}` is not a shard K/N with 1 <= K <= N")),
    }
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A table for people.
    Table,
    /// One JSON document per scenario (schema in README.md).
    Json,
    /// A Markdown table (and expectations checklist) per scenario.
    Markdown,
    /// One CSV row per strategy.
    Csv,
}

/// What `runner new` creates.
#[derive(Debug, Subcommand)]
pub enum NewWhat {
    /// A Rust plugin crate that builds and passes its own starter scenario.
    Plugin {
        /// Plugin name (lowercase letters, digits, `-`, `_`).
        name: String,
        /// Directory to create (default: NAME).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Path of runner's plugin SDK (default: where this runner was built from).
        #[arg(long)]
        sdk: Option<PathBuf>,
    },
}

/// `runner serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to bind (only 127.0.0.1 unless you say otherwise).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Port; 0 picks a free one (printed on stdout).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// Delay before each answer, e.g. `100ms`, `1s`.
    #[arg(long, default_value = "0ms", value_parser = parse_duration)]
    pub delay: std::time::Duration,
    /// Up to this much more delay, uniformly random, per request.
    #[arg(long, default_value = "0ms", value_parser = parse_duration)]
    pub jitter: std::time::Duration,
    /// Body size of each page (the lecture's pages are 383 bytes).
    #[arg(long, default_value_t = 383)]
    pub body_bytes: usize,
    /// Fraction of requests answered with 500.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub fail_rate: f64,
    /// Fraction of requests whose connection is closed without an answer.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub drop_rate: f64,
}

/// `250us`, `100ms`, `1.5s`.
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = text.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else {
        return Err(format!("`{text}` needs a unit: us, ms or s (e.g. 100ms)"));
    };
    let value: f64 = number.trim().parse().map_err(|_| format!("`{text}` is not a duration (e.g. 100ms)"))?;
    std::time::Duration::try_from_secs_f64(value * scale).map_err(|e| format!("`{text}`: {e}"))
}

/// A probability from 0 to 1.
fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("`{text}` is not a rate between 0 and 1")),
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run scenario files (the default when files are given).
    Run(RunArgs),
    /// List plugins found on the search path, their workloads and parameters, and the strategies.
    List,
    /// Check scenario files, and the plugins they name, without running anything.
    Validate {
        /// Scenario files to check.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
    /// Create something new: `runner new plugin NAME` scaffolds a Rust plugin crate with a starter scenario.
    New {
        #[command(subcommand)]
        what: NewWhat,
    },
    /// Serve pages over HTTP/1.1: the lecture's server on 127.0.0.1:8000, and the mock of the outside world.
    Serve(ServeArgs),
    /// Which protections this machine gives runs (Landlock, seccomp, cgroups, namespaces), and whether it is quiet enough to measure.
    Doctor {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Internal: one supervised run (the runner starts it).
    #[command(name = "__worker", hide = true)]
    Worker,
    /// Internal: describe a plugin from a child process (the runner starts it).
    #[command(name = "__describe", hide = true)]
    Describe { library: PathBuf },
}
