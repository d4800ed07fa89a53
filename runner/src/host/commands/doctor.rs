//! `runner doctor`: which protections this machine gives runs, and whether
//! it is quiet enough to measure (see `host::contain::doctor`).

use crate::host::contain::doctor;
use crate::host::exit_code;

pub(crate) fn doctor(json: bool) -> u8 {
    let report = doctor::examine();
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("error: cannot write the report as JSON: {e}");
                return exit_code::INPUT_UNUSABLE;
            }
        }
    } else {
        print!("{report}");
    }
    exit_code::OK
}
