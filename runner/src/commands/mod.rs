//! One file per subcommand.

mod list;
mod run;
mod validate;

pub use list::list;
pub use run::run;
pub use validate::validate;
