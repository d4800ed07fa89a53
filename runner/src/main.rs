//! The `runner` binary: parse the command line, set up logging, dispatch.

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use runner::cli::{Cli, Command, GlobalArgs, NewWhat};
use runner::plugin::{Catalog, SearchPath};
use runner::{commands, exit_code, supervise, worker};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { exit_code::INPUT_UNUSABLE } else { exit_code::OK });
        }
    };
    // The run's child processes: no logging set-up, no extra thread, so that
    // they stay single-threaded until their strategy starts.
    match &cli.command {
        Some(Command::Worker) => return worker::worker_main(),
        // The server handles its own signals (tokio) and needs no plugins.
        Some(Command::Serve(args)) => {
            init_logging(&cli.global);
            return ExitCode::from(commands::serve(args));
        }
        Some(Command::Describe { library }) => return worker::describe_main(library),
        _ => {}
    }
    init_logging(&cli.global);
    supervise::become_subreaper();
    // Before any child starts, so that Ctrl-C always ends the children first.
    if let Err(e) = supervise::install_interrupt_handler() {
        tracing::warn!("cannot handle SIGINT/SIGTERM ({e}); Ctrl-C will stop the runner without cleaning up");
    }
    let mut catalog =
        Catalog::new(SearchPath::from_env(&cli.global.plugin_dirs), cli.global.plugin_overrides.iter().cloned());
    let code = match &cli.command {
        Some(Command::Run(args)) => commands::run(args, cli.global.quiet, &mut catalog),
        Some(Command::List) => commands::list(&mut catalog),
        Some(Command::Validate { files }) => commands::validate(files, &mut catalog),
        Some(Command::Doctor { json }) => commands::doctor(*json),
        Some(Command::New { what: NewWhat::Plugin { name, dir, sdk } }) => {
            commands::new_plugin(name, dir.as_deref(), sdk.as_deref())
        }
        Some(Command::Worker | Command::Describe { .. } | Command::Serve(_)) => unreachable!("dispatched above"),
        None => commands::run(&cli.run, cli.global.quiet, &mut catalog),
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
