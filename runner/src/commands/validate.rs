//! `runner validate FILE...`: load every scenario and its plugin, run nothing.

use std::path::PathBuf;

use crate::exit_code;
use crate::plugin::Catalog;
use crate::scenario;
use crate::{sanitize, stdout::Stdout};

pub fn validate(files: &[PathBuf], catalog: &mut Catalog) -> u8 {
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
