//! What crosses about containment: the [`Limits`] a run may use and the
//! [`ChildPlan`] the host gives the run's process (in its run description),
//! and the [`Protections`] report of what was applied or was not, and why.

mod limits;
mod plan;

pub use limits::Limits;
pub(crate) use limits::{LIMIT_NAMES, parse_duration};
pub use plan::{ChildPlan, NetPlan, Protections};
