//! `runner completions SHELL` and `runner man`: the shell completion script
//! (clap_complete) and the manual page (clap_mangen), both generated from the
//! clap definitions in [`crate::host::cli`], so neither can drift from the
//! options the runner really takes.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::host::cli::Cli;
use crate::host::exit_code;

/// Prints the completion script for `shell` on stdout.
pub(crate) fn completions(shell: Shell) -> u8 {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "runner", &mut script);
    write_stdout(&script)
}

/// Prints runner(1) on stdout, or writes it and a page per subcommand into `dir`.
pub(crate) fn man(dir: Option<&Path>) -> u8 {
    let command = Cli::command();
    match dir {
        Some(dir) => match clap_mangen::generate_to(command, dir) {
            Ok(()) => {
                println!("wrote the manual pages into {}", dir.display());
                exit_code::OK
            }
            Err(e) => {
                eprintln!("error: cannot write the manual pages into `{}`: {e}", dir.display());
                exit_code::INPUT_UNUSABLE
            }
        },
        None => {
            let mut page = Vec::new();
            match clap_mangen::Man::new(command).render(&mut page) {
                Ok(()) => write_stdout(&page),
                Err(e) => {
                    eprintln!("error: cannot render the manual page: {e}");
                    exit_code::RUN_FAILED
                }
            }
        }
    }
}

/// A closed pipe (`runner man | head`) is not an error.
fn write_stdout(bytes: &[u8]) -> u8 {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => exit_code::OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit_code::OK,
        Err(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            exit_code::RUN_FAILED
        }
    }
}
