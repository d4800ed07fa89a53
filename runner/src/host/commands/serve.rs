//! `runner serve`: the embedded HTTP server in the foreground, until SIGINT or
//! SIGTERM. Prints `listening on http://ADDR` once it accepts connections (the
//! runner reads that line when it starts the server for a scenario).

use std::io::Write;

use crate::host::exit_code;
use crate::host::serve::{self, ServeConfig};

pub(crate) fn serve(config: &ServeConfig) -> u8 {
    let result = serve::run(config.clone(), |ready| {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", serve::announcement(ready.addr));
        let _ = stdout.flush();
    });
    match result {
        Ok(()) => exit_code::OK,
        Err(e) => {
            eprintln!("error: cannot serve on {}:{}: {e}", config.bind, config.port);
            exit_code::INPUT_UNUSABLE
        }
    }
}
