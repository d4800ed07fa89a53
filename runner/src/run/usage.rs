//! Wall time and `getrusage` figures around one strategy: CPU time, peak
//! memory and context switches of the run's process and of the worker
//! processes it forked and reaped.

use std::time::Instant;

use nix::sys::resource::{Usage, UsageWho, getrusage};
use nix::sys::time::TimeVal;

use crate::protocol::Measurement;

/// Started before a strategy, finished after it.
#[derive(Debug)]
pub(crate) struct UsageMeter {
    wall: Instant,
    own: Option<Usage>,
    children: Option<Usage>,
}

impl UsageMeter {
    /// Takes the "before" readings.
    pub(crate) fn start() -> UsageMeter {
        UsageMeter {
            own: getrusage(UsageWho::RUSAGE_SELF).ok(),
            children: getrusage(UsageWho::RUSAGE_CHILDREN).ok(),
            wall: Instant::now(),
        }
    }

    /// Takes the "after" readings and returns the differences. Peak memory is
    /// a high-water mark, not a difference: the larger of this process's and of
    /// its largest reaped child's.
    pub(crate) fn finish(self) -> Measurement {
        let wall_ns = self.wall.elapsed().as_nanos() as u64;
        let own = delta(self.own, getrusage(UsageWho::RUSAGE_SELF).ok());
        let children = delta(self.children, getrusage(UsageWho::RUSAGE_CHILDREN).ok());
        Measurement {
            wall_ns,
            user_ns: own.user_ns + children.user_ns,
            sys_ns: own.sys_ns + children.sys_ns,
            max_rss_bytes: own.max_rss_bytes.max(children.max_rss_bytes),
            voluntary_switches: own.voluntary_switches + children.voluntary_switches,
            involuntary_switches: own.involuntary_switches + children.involuntary_switches,
            gil: None,
        }
    }
}

fn delta(before: Option<Usage>, after: Option<Usage>) -> Measurement {
    let (Some(before), Some(after)) = (before, after) else {
        return Measurement::default();
    };
    Measurement {
        wall_ns: 0,
        user_ns: nanos(after.user_time()).saturating_sub(nanos(before.user_time())),
        sys_ns: nanos(after.system_time()).saturating_sub(nanos(before.system_time())),
        // Linux reports kilobytes.
        max_rss_bytes: after.max_rss().max(0) as u64 * 1024,
        voluntary_switches: (after.voluntary_context_switches() - before.voluntary_context_switches()).max(0) as u64,
        involuntary_switches: (after.involuntary_context_switches() - before.involuntary_context_switches()).max(0)
            as u64,
        gil: None,
    }
}

fn nanos(t: TimeVal) -> u64 {
    (t.tv_sec() as u64) * 1_000_000_000 + (t.tv_usec() as u64) * 1_000
}
