//! `runner grade` (a class of submissions against labs, into a gradebook)
//! and `runner merge` (the gradebooks of shards into one).

mod build;
mod command;
mod merge;
mod outputs;
mod parallel;
mod progress;
mod submission;
mod summary;

pub(crate) use command::grade;
pub(crate) use merge::merge;
