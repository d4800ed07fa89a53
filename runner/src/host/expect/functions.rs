//! The registry of expectation functions: each one's name, arguments, result
//! type, where its figure comes from and what it means, in one place. The
//! parser checks calls against it, `runner list` prints it, and the grader
//! evaluates its [`Meaning`] (a typed value, not a string to match).

/// What a function's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Returns {
    Number,
    Bool,
}

impl Returns {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Returns::Number => "number",
            Returns::Bool => "bool",
        }
    }
}

/// Who produced the figure a function reads: the host measured it, or the
/// plugin reported it (its verdict and its figures). Reports say which, so a
/// grade on a figure the submission could have made up is labelled so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Host,
    Plugin,
}

impl Source {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Source::Host => "host-measured",
            Source::Plugin => "plugin-reported",
        }
    }
}

/// What a function means, for the grader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Meaning {
    Speedup,
    Wall,
    Cpu,
    Efficiency,
    UnitsPerSecond,
    Errors,
    Requests,
    /// A figure the plugin's verdict named: `figure("name", "label")`.
    Figure,
    /// A figure with a fixed name, e.g. `lost_updates("label")`.
    NamedFigure(&'static str),
    Verified,
    Ok,
    Failed,
    /// A run ended by the plugin with `fail_run` (the race plugin's deadlock
    /// watchdog does that).
    Aborted,
}

/// A function the language knows.
#[derive(Debug, PartialEq)]
pub(crate) struct Function {
    pub(crate) name: &'static str,
    pub(crate) meaning: Meaning,
    pub(crate) returns: Returns,
    pub(crate) source: Source,
    pub(crate) help: &'static str,
}

impl Function {
    /// `figure` takes the figure's name before the label.
    pub(crate) fn takes_figure_name(&self) -> bool {
        self.meaning == Meaning::Figure
    }

    /// How a call is written, for `runner list` and error messages.
    pub(crate) fn signature(&self) -> String {
        if self.takes_figure_name() {
            format!("{}(\"figure\", \"label\")", self.name)
        } else {
            format!("{}(\"label\")", self.name)
        }
    }
}

const fn function(
    name: &'static str,
    meaning: Meaning,
    returns: Returns,
    source: Source,
    help: &'static str,
) -> Function {
    Function { name, meaning, returns, source, help }
}

use Meaning as M;
use Returns::{Bool, Number};
use Source::{Host, Plugin};

pub(crate) const FUNCTIONS: &[Function] = &[
    function("speedup", M::Speedup, Number, Host, "how many times faster than the baseline (baseline wall / wall)"),
    function("wall", M::Wall, Number, Host, "wall-clock time in seconds, median"),
    function(
        "cpu",
        M::Cpu,
        Number,
        Host,
        "CPU time in seconds (user + sys) of the run's process and its workers, median",
    ),
    function(
        "efficiency",
        M::Efficiency,
        Number,
        Host,
        "ideal time / measured time for IO scenarios with an embedded server delay (1.0 = at the limit)",
    ),
    function("units_per_s", M::UnitsPerSecond, Number, Host, "work units completed per second of wall time"),
    function("errors", M::Errors, Number, Host, "units that failed, summed over the measured runs"),
    function(
        "requests",
        M::Requests,
        Number,
        Host,
        "requests the embedded [server] answered per run, median (the server's count, not the plugin's)",
    ),
    function("figure", M::Figure, Number, Plugin, "a figure the plugin's verdict reported, median over the runs"),
    function(
        "lost_updates",
        M::NamedFigure("lost_updates"),
        Number,
        Plugin,
        "updates lost to races (expected minus counted): figure(\"lost_updates\", …)",
    ),
    function("verified", M::Verified, Bool, Plugin, "the result passed its correctness check"),
    function("ok", M::Ok, Bool, Host, "every run succeeded"),
    function("aborted", M::Aborted, Bool, Plugin, "a run was ended by the plugin with `fail_run`"),
    function(
        "deadlocked",
        M::Aborted,
        Bool,
        Plugin,
        "a run was ended by a deadlock the plugin detected: aborted(…) (the race plugin's watchdog)",
    ),
    function("failed", M::Failed, Bool, Host, "some run failed"),
];

/// The function called `name`.
pub(crate) fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}
