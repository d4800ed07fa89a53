//! The host's `main`: parse the command line, set up logging, dispatch to a
//! subcommand; only here does an outcome become an exit code.

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use super::cli::{Cli, Command, GlobalArgs, NewWhat};
use super::plugin::{Catalog, SearchPath};
use super::{commands, exit_code, supervise};

/// `runner …` as the user starts it.
pub(crate) fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit_code::INPUT_UNUSABLE } else { exit_code::OK });
        }
    };
    // Generated from the command line's own definitions; they touch nothing else.
    match &cli.command {
        Some(Command::Completions { shell }) => return ExitCode::from(commands::completions(*shell)),
        Some(Command::Man { dir }) => return ExitCode::from(commands::man(dir.as_deref())),
        _ => {}
    }
    init_logging(&cli.global);
    // The server handles its own signals (tokio) and needs no plugins.
    if let Some(Command::Serve(args)) = &cli.command {
        return ExitCode::from(commands::serve(args));
    }
    supervise::become_subreaper();
    // Out of a run's reach: its memory and descriptors need CAP_SYS_PTRACE.
    if let Err(e) = super::contain::harden_runner() {
        tracing::warn!("{e}");
    }
    // Before any child starts, so that Ctrl-C always ends the children first.
    if let Err(e) = supervise::install_interrupt_handler() {
        tracing::warn!("cannot handle SIGINT/SIGTERM ({e}); Ctrl-C will stop the runner without cleaning up");
    }
    let mut catalog =
        Catalog::new(SearchPath::from_env(&cli.global.plugin_dirs), cli.global.plugin_overrides.iter().cloned());
    let code = match &cli.command {
        Some(Command::Run(args)) => commands::run(args, cli.global.quiet, cli.global.color.enabled(), &mut catalog),
        Some(Command::List) => commands::list(&mut catalog),
        Some(Command::Validate { files }) => commands::validate(files, &mut catalog),
        Some(Command::New { what: NewWhat::Plugin { name, dir, sdk } }) => {
            commands::new_plugin(name, dir.as_deref(), sdk.as_deref())
        }
        Some(Command::Doctor { json }) => commands::doctor(*json),
        Some(Command::Grade(args)) => commands::grade(args, &cli.global, &mut catalog),
        Some(Command::Merge(args)) => commands::merge(args),
        Some(Command::Serve(_) | Command::Completions { .. } | Command::Man { .. }) => {
            unreachable!("dispatched above")
        }
        None => commands::run(&cli.run, cli.global.quiet, cli.global.color.enabled(), &mut catalog),
    };
    ExitCode::from(code)
}

fn init_logging(global: &GlobalArgs) {
    let default = match (global.quiet, global.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}
