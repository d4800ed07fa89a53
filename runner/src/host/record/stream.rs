//! The event stream is not an oracle: a plugin can write to it. What the run's
//! process sends has an order (prepared; after the host's go, units and waits;
//! measured; results; the verdict), each unit at most once, ids in range and
//! times inside the window the host saw. A stream that cannot be right fails
//! its run as tampered, naming the first thing that gave it away.

/// Units above this are counted but not checked one by one for repeats
/// (the bitmap would cost more memory than the check is worth).
const MAX_TRACKED_UNITS: u64 = 1 << 27;
/// How far a unit's times may stray outside the host's window: clock reads
/// and pipe latency, with room for a loaded machine.
const SLACK_NS: u64 = 5_000_000;

/// Where in its life the stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Phase {
    Starting,
    Prepared,
    /// The host said go at this `CLOCK_MONOTONIC` time, in ns since the run
    /// clock's origin.
    Running,
    Measured,
    Verified,
}

/// The checks, fed one event at a time.
#[derive(Debug)]
pub(super) struct StreamCheck {
    pub(super) phase: Phase,
    units: u64,
    seen: Vec<u64>,
    /// Start of the measured phase on the run clock (ns), once known.
    go_ns: Option<u64>,
    results_next: u64,
    problem: Option<String>,
}

impl StreamCheck {
    pub(super) fn new(units: u64) -> StreamCheck {
        let words = if units <= MAX_TRACKED_UNITS { units.div_ceil(64) as usize } else { 0 };
        StreamCheck { phase: Phase::Starting, units, seen: vec![0; words], go_ns: None, results_next: 0, problem: None }
    }

    /// The first thing that gave the stream away, if anything did.
    pub(super) fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    pub(super) fn fail(&mut self, why: impl FnOnce() -> String) {
        if self.problem.is_none() {
            self.problem = Some(why());
        }
    }

    /// An event that may come only once, in `from`, moving the stream to `to`.
    pub(super) fn advance(&mut self, name: &str, from: Phase, to: Phase) {
        if self.phase != from {
            let at = self.where_();
            self.fail(|| format!("`{name}` arrived {at}"));
        }
        self.phase = self.phase.max(to);
    }

    /// The host said go; `go_ns` is when, on the run clock.
    pub(super) fn started(&mut self, go_ns: u64) {
        self.go_ns = Some(go_ns);
        self.phase = Phase::Running;
    }

    /// Something a running strategy sends (units, waits, workers).
    pub(super) fn while_running(&mut self, name: &str) {
        if self.phase != Phase::Running {
            let at = self.where_();
            self.fail(|| format!("`{name}` arrived {at}"));
        }
    }

    /// One unit's outcome, with its times on the run clock; `now_ns` is the
    /// host's time of reading it on the same clock.
    pub(super) fn unit(&mut self, unit: u64, started_ns: u64, finished_ns: u64, now_ns: u64) {
        if unit >= self.units {
            let units = self.units;
            return self.fail(|| format!("unit {unit} reported, but the run has {units} units"));
        }
        if let Some(word) = self.seen.get_mut((unit / 64) as usize) {
            let bit = 1u64 << (unit % 64);
            if *word & bit != 0 {
                return self.fail(|| format!("unit {unit} reported twice"));
            }
            *word |= bit;
        }
        if started_ns > finished_ns {
            return self.fail(|| format!("unit {unit} finished before it started"));
        }
        if let Some(go) = self.go_ns
            && started_ns + SLACK_NS < go
        {
            return self.fail(|| format!("unit {unit} started before the host said go"));
        }
        if finished_ns > now_ns + SLACK_NS {
            self.fail(|| format!("unit {unit} finished after the host read that it had"));
        }
    }

    /// A batch of results for units `first..first + len`, which must follow
    /// the previous batch.
    pub(super) fn results(&mut self, first: u64, len: u64) {
        if self.phase != Phase::Measured {
            let at = self.where_();
            return self.fail(|| format!("`results` arrived {at}"));
        }
        if first != self.results_next || first + len > self.units {
            return self.fail(|| format!("results for units {first}..{} out of order", first + len));
        }
        self.results_next = first + len;
    }

    /// Whether every unit's result has arrived.
    pub(super) fn all_results(&self) -> bool {
        self.results_next == self.units
    }

    fn where_(&self) -> &'static str {
        match self.phase {
            Phase::Starting => "before `prepared`",
            Phase::Prepared => "before the host said go",
            Phase::Running => "while the units ran",
            Phase::Measured => "after `measured`",
            Phase::Verified => "after the verdict",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_twice_out_of_range_or_early_is_caught() {
        let mut check = StreamCheck::new(4);
        check.advance("prepared", Phase::Starting, Phase::Prepared);
        check.started(1_000_000_000);
        check.unit(0, 1_000_000_100, 1_000_000_200, 2_000_000_000);
        assert_eq!(check.problem(), None);
        check.unit(0, 1_000_000_100, 1_000_000_200, 2_000_000_000);
        assert_eq!(check.problem(), Some("unit 0 reported twice"));

        let mut check = StreamCheck::new(4);
        check.started(1_000_000_000);
        check.unit(7, 1_000_000_100, 1_000_000_200, 2_000_000_000);
        assert!(check.problem().unwrap().contains("the run has 4 units"));

        let mut check = StreamCheck::new(4);
        check.started(1_000_000_000);
        check.unit(1, 10, 20, 2_000_000_000);
        assert_eq!(check.problem(), Some("unit 1 started before the host said go"));

        let mut check = StreamCheck::new(4);
        check.started(0);
        check.unit(1, 10, 900_000_000, 100_000_000);
        assert_eq!(check.problem(), Some("unit 1 finished after the host read that it had"));
    }

    #[test]
    fn events_out_of_order_are_caught() {
        let mut check = StreamCheck::new(2);
        check.while_running("units_done");
        assert_eq!(check.problem(), Some("`units_done` arrived before `prepared`"));

        let mut check = StreamCheck::new(2);
        check.started(0);
        check.advance("measured", Phase::Running, Phase::Measured);
        check.results(0, 1);
        check.results(1, 1);
        assert!(check.all_results());
        check.advance("verified", Phase::Measured, Phase::Verified);
        check.advance("measured", Phase::Running, Phase::Measured);
        assert_eq!(check.problem(), Some("`measured` arrived after the verdict"));
    }
}
