//! One file per subcommand.

mod doctor;
mod list;
mod new;
mod progress;
mod run;
mod serve;
mod validate;

pub use doctor::doctor;
pub use list::list;
pub use new::new_plugin;
pub use run::{run, scenario_held};
pub use serve::serve;
pub use validate::validate;
