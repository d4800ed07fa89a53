//! `runner serve`: the embedded HTTP server in the foreground, until SIGINT or
//! SIGTERM. Prints `listening on http://ADDR` once it accepts connections (the
//! runner reads that line when it starts the server for a scenario).

use std::io::Write;

use crate::host::cli::ServeArgs;
use crate::host::exit_code;
use crate::host::serve::{self, ServeConfig};

pub(crate) fn serve(args: &ServeArgs) -> u8 {
    let config = ServeConfig {
        bind: args.bind,
        port: args.port,
        delay: args.delay,
        jitter: args.jitter,
        body_bytes: args.body_bytes,
        fail_rate: args.fail_rate,
        drop_rate: args.drop_rate,
    };
    let result = serve::run(config, |ready| {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", serve::announcement(ready.addr));
        let _ = stdout.flush();
    });
    match result {
        Ok(()) => exit_code::OK,
        Err(e) => {
            eprintln!("error: cannot serve on {}:{}: {e}", args.bind, args.port);
            exit_code::INPUT_UNUSABLE
        }
    }
}
