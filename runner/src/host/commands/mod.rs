//! One file per subcommand.

mod completions;
mod doctor;
mod grade;
mod list;
mod new;
mod progress;
mod run;
mod serve;
mod validate;

pub(crate) use completions::{completions, man};
pub(crate) use doctor::doctor;
pub(crate) use grade::{grade, merge};
pub(crate) use list::list;
pub(crate) use new::new_plugin;
pub(crate) use run::run;
pub(crate) use serve::serve;
pub(crate) use validate::validate;
