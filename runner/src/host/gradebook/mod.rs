//! A class's gradebook: one row per submission (its status, total, and each
//! expectation's points), written as `gradebook.csv` for spreadsheets and
//! `gradebook.json` (versioned, read back by `--resume` and `runner merge`).
//! The model is format-free ([`model`]); each file format has its own file.

mod csv;
mod json;
mod lab_hash;
mod model;

pub(crate) use csv::to_csv;
pub(crate) use json::{GRADEBOOK_VERSION, read, to_json};
pub(crate) use lab_hash::lab_hash;
pub(crate) use model::{Gradebook, LabColumns, Mark, Status, SubmissionRow};
