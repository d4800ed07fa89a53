//! The command line (clap). Parsing only; the work is in `crate::host::commands`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::host::report::ColorChoice;
use crate::host::serve::ServeConfig;

const EXAMPLES: &str = "\
Examples:
  runner scenarios/cpu_bound.toml              run a scenario, print a table
  runner scenarios/*.toml --format json        one JSON document per scenario
  runner validate scenarios/*.toml             check scenarios without running them
  runner list                                  plugins, workloads, parameters, strategies
  runner --plugin-dir ./build run lab.toml     look for plugins in ./build first

  runner lab.toml --plugin lab=./student/liblab.so --gradescope results.json
  runner scenarios/assessments/*.toml --shard 2/4 --junit junit.xml
  runner grade lab.toml submissions/* --out grades   a class: one gradebook, a folder per submission

Exit codes: 0 everything held (every expectation, or without [[expect]] every run
verified), 1 an expectation or a run failed, 2 unusable input, 130/143 interrupted.";

/// Runs the concurrency lecture's experiments: a scenario names a workload from
/// a plugin and the strategies to run it with; the runner runs, times,
/// verifies and reports each.
#[derive(Debug, Parser)]
#[command(name = "runner", version, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,

    #[command(flatten)]
    pub(crate) run: RunArgs,

    #[command(flatten)]
    pub(crate) global: GlobalArgs,
}

/// Options every subcommand understands.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Look for plugins in DIR before `RUNNER_PLUGIN_PATH` and the runner's own directory (repeatable).
    #[arg(long = "plugin-dir", value_name = "DIR", global = true)]
    pub(crate) plugin_dirs: Vec<PathBuf>,

    /// Use the library at PATH wherever a scenario says `plugin = "NAME"` (grade a submission
    /// against an instructor's scenario). Repeatable.
    #[arg(long = "plugin", value_name = "NAME=PATH", global = true, value_parser = parse_override)]
    pub(crate) plugin_overrides: Vec<(String, PathBuf)>,

    /// More logging on stderr (-v info, -vv debug); `RUST_LOG` overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub(crate) verbose: u8,

    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// Colour the table: `auto` only on a terminal and without `NO_COLOR`, `always` (for `less -R`), `never`.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto, global = true)]
    pub(crate) color: ColorChoice,
}

/// `runner [run] FILE...`
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Scenario files to run.
    #[arg(value_name = "FILE")]
    pub(crate) files: Vec<PathBuf>,

    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) format: OutputFormat,

    /// Stop after the first scenario that does not hold.
    #[arg(long)]
    pub(crate) fail_fast: bool,

    /// Run only shard K of N (1-based): the files, sorted by path, whose position modulo N is K-1.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub(crate) shard: Option<(usize, usize)>,

    /// Write a JUnit XML report: one testsuite per scenario, one testcase per expectation and failed run.
    #[arg(long, value_name = "FILE")]
    pub(crate) junit: Option<PathBuf>,

    /// Write a Gradescope results.json with the expectations' points.
    #[arg(long, value_name = "FILE")]
    pub(crate) gradescope: Option<PathBuf>,

    /// Write one self-contained HTML page: results, each strategy's median run as a timeline with CPU load per
    /// core, the verdicts and the scenario text.
    #[arg(long, value_name = "FILE.html")]
    pub(crate) report: Option<PathBuf>,

    /// Write every run as a Chrome trace-event file for Perfetto UI or chrome://tracing: a process per
    /// run, a track per worker, a slice per unit, lock and IO waits, CPU per core.
    #[arg(long, value_name = "FILE.json")]
    pub(crate) trace: Option<PathBuf>,

    /// After the table, draw each strategy's median run: a lane per worker and the load of each core.
    #[arg(long)]
    pub(crate) timeline: bool,

    /// After the table, what each strategy's median run printed, line by line, with the time and the worker
    /// (for plugins that report their lines: the python plugin does).
    #[arg(long)]
    pub(crate) show_output: bool,

    /// No progress bar (it is only ever drawn on stderr when stderr is a terminal).
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// Override a scenario's `[limits]` for every run, e.g. `--limit memory="512 MiB"` (repeatable).
    #[arg(long = "limit", value_name = "NAME=VALUE")]
    pub(crate) limits: Vec<String>,
    /// Refuse to run (exit 2) unless this machine gives runs every protection
    /// (Landlock, seccomp, a cgroup): for graders (see `runner doctor`).
    #[arg(long)]
    pub(crate) require_containment: bool,
    /// Start every run in a PID namespace of its own: the runner and every other process are out of
    /// its sight (costs ~0.6 ms per run; the cgroup already ends everything a run starts).
    #[arg(long)]
    pub(crate) pid_namespace: bool,
    /// Override every scenario's `repeat`: a number of measured rounds, or `auto` (rounds until every
    /// speedup's 95 % interval is within ±5 % or 30 s pass, unless the scenario sets `target` / `budget`).
    #[arg(long, value_name = "N|auto")]
    pub(crate) repeat: Option<String>,
}

impl RunArgs {
    /// Whether any output needs the runs' pictures (timelines with the
    /// per-core CPU samples, printed lines).
    pub(crate) fn wants_pictures(&self) -> bool {
        self.timeline || self.show_output || self.report.is_some() || self.trace.is_some()
    }
}

/// `runner grade LAB.toml... SUBMISSION_DIR... --out DIR`
#[derive(Debug, Args)]
pub(crate) struct GradeArgs {
    /// Lab scenario files and submission directories (a directory is a submission; its name is its id).
    #[arg(value_name = "LAB.toml|SUBMISSION_DIR", required = true)]
    pub(crate) inputs: Vec<PathBuf>,
    /// Folder for gradebook.csv, gradebook.json and submissions/ID/ (created if missing).
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Grade only the submissions the gradebook in `--out` lacks (it must have been graded with the same labs).
    #[arg(long)]
    pub(crate) resume: bool,
    /// Grade N submissions at once; labs with timing checks are graded one at a time.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) jobs: u16,
    /// Grade only shard K of N (1-based): the submissions, sorted by id, whose position modulo N is K-1.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub(crate) shard: Option<(usize, usize)>,
    /// Override the labs' `[limits]` for every run and build, e.g. `--limit memory="512 MiB"` (repeatable).
    #[arg(long = "limit", value_name = "NAME=VALUE")]
    pub(crate) limits: Vec<String>,
    /// No progress bar.
    #[arg(long)]
    pub(crate) no_progress: bool,
    /// Refuse to grade (exit 2) unless this machine gives runs every protection (see `runner doctor`).
    #[arg(long)]
    pub(crate) require_containment: bool,
    /// Start every run in a PID namespace of its own (see `runner --help`).
    #[arg(long)]
    pub(crate) pid_namespace: bool,
    /// A folder builds may not read (what a `--jobs` parent passes on to the runner grading one submission).
    #[arg(long, value_name = "DIR", hide = true)]
    pub(crate) fence: Vec<PathBuf>,
}

/// `runner merge OUT_DIR... --out DIR`
#[derive(Debug, Args)]
pub(crate) struct MergeArgs {
    /// The `--out` folders of the shards.
    #[arg(value_name = "OUT_DIR", required = true)]
    pub(crate) dirs: Vec<PathBuf>,
    /// Folder for the merged gradebook and the submissions' folders.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: PathBuf,
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
pub(crate) enum OutputFormat {
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
pub(crate) enum NewWhat {
    /// A Rust plugin crate that builds and passes its own starter scenario.
    Plugin {
        /// Plugin name (lowercase letters, digits, `-`, `_`).
        name: String,
        /// Directory to create (default: NAME).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Path of runner's plugin SDK (default: where this runner was built from). Inside the SDK's
        /// workspace the crate names it by a relative path, elsewhere by its absolute path.
        #[arg(long)]
        sdk: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
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
    Serve(ServeConfig),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell): `source <(runner completions bash)`.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on stdout: `runner man > runner.1 && man -l runner.1`.
    Man {
        /// Write runner.1 and a page per subcommand (runner-run.1…) into DIR instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Grade a class: every submission directory against every lab, into `--out DIR/gradebook.csv` and
    /// `gradebook.json`, with a folder of reports per submission.
    Grade(GradeArgs),
    /// Combine the `--out` folders of `runner grade --shard` jobs into one gradebook.
    Merge(MergeArgs),
    /// Which protections this machine gives runs (Landlock, seccomp, cgroups, namespaces), and whether it is quiet enough to measure.
    Doctor {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}
