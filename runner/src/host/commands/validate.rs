//! `runner validate FILE...`: load every scenario and its plugin, run nothing.

use std::path::PathBuf;

use crate::host::exit_code;
use crate::host::plugin::Catalog;
use crate::host::scenario;
use crate::host::{sanitize, stdout::Stdout};

pub(crate) fn validate(files: &[PathBuf], catalog: &mut Catalog) -> u8 {
    let mut code = exit_code::OK;
    let mut stdout = Stdout::new();
    for file in files {
        match scenario::load(file, catalog) {
            Ok(s) => stdout.line(&sanitize::line(&format!(
                "{}: ok — `{}`, {}/{} × {} unit(s), {} strateg{}",
                file.display(),
                s.name,
                s.workload.manifest.name,
                s.workload.name,
                s.workload.units,
                s.strategies.len(),
                if s.strategies.len() == 1 { "y" } else { "ies" }
            ))),
            Err(e) => {
                eprintln!("error: {}", sanitize::multiline(&e.to_string()));
                code = exit_code::INPUT_UNUSABLE;
            }
        }
    }
    code
}
