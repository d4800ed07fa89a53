//! Which figures a check may read. A strategy whose runs failed, did not
//! verify or did nothing has no timing to grade ("every unit failed, fast" is
//! not a speedup); and a figure past what the machine physically allows (more
//! cores than there are, a server answering faster than its delay) is
//! impossible, not a result.

use crate::host::stats::{LIMIT_SLACK, StrategySummary};

/// Why `s`'s timing (wall, CPU, speedup, throughput, efficiency) cannot be
/// graded, if it cannot.
pub(super) fn timing_refused(s: &StrategySummary) -> Option<String> {
    if let Some(why) = completion_refused(s) {
        return Some(why);
    }
    if s.runs.iter().any(|r| !r.verdict.as_ref().is_some_and(|v| v.verified)) {
        return Some("a run's results did not verify, so its timing does not count".to_owned());
    }
    if s.runs.iter().any(|r| r.units_ok == 0) {
        return Some("a run did nothing (no unit succeeded), so its timing does not count".to_owned());
    }
    None
}

/// Why `s`'s counts and plugin figures cannot be graded: no run, or a run
/// that failed as a whole.
pub(super) fn completion_refused(s: &StrategySummary) -> Option<String> {
    if s.runs.is_empty() {
        return Some("no measured run".to_owned());
    }
    s.runs.iter().find_map(|r| r.failure.as_ref()).map(|failure| format!("a run failed ({failure})"))
}

/// Why a speedup of `s` is impossible: more than the cores `s` could use,
/// when the baseline kept a core busy (the statistics found the limit).
pub(super) fn impossible_speedup(s: &StrategySummary) -> Option<String> {
    let speedup = s.speedup?.median;
    s.noise.speedup_above.map(|_| {
        let usable = s.noise.usable_cores;
        format!("impossible: a speedup of {speedup:.2}× with {usable} usable core(s) over a CPU-bound baseline")
    })
}

/// Why an efficiency is impossible: faster than the server's delay allows.
pub(super) fn impossible_efficiency(efficiency: f64) -> Option<String> {
    (efficiency > LIMIT_SLACK)
        .then(|| format!("impossible: an efficiency of {efficiency:.2} (faster than the server's delay allows)"))
}
