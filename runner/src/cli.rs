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

Exit codes: 0 all runs verified, 1 a run failed or did not verify, 2 unusable input,
130/143 interrupted by SIGINT/SIGTERM.";

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
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A table for people.
    Table,
    /// One JSON document per scenario (schema in README.md).
    Json,
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
    /// Internal: one supervised run (the runner starts it).
    #[command(name = "__worker", hide = true)]
    Worker,
    /// Internal: describe a plugin from a child process (the runner starts it).
    #[command(name = "__describe", hide = true)]
    Describe { library: PathBuf },
}
