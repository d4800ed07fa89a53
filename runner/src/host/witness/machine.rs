//! What the rest of the machine did while a run was measured: the whole
//! machine's CPU counters from `/proc/stat` (read by the host at go and at
//! `measured`, beside the run's own CPU clock), so a report can say that
//! other processes took cores the run needed, or that the hypervisor stole
//! time, instead of showing a disturbed figure as a finding.
//!
//! `/proc/stat` counts in clock ticks (10 ms here): over a 0.3 s run on two
//! cores a reading is good to about ±0.1 of a core, which is why the
//! thresholds that call a run disturbed (in `stats`) are a quarter of a core.

use super::usage::clock_ticks_per_second;

/// The machine's CPU counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MachineTicks {
    /// user + nice + system + irq + softirq over every core, in ticks.
    busy: u64,
    /// Time the hypervisor ran something else while a core wanted to run, in ticks.
    steal: u64,
    /// Cores the kernel counts (`cpuN` lines).
    cores: u32,
}

/// What the machine did over a measured window, in cores (1.0 = one core
/// busy for the whole window).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MachineLoad {
    /// Cores the machine has.
    pub(crate) cores: u32,
    /// CPU the machine used over the window beyond the run's own, per second of wall time.
    pub(crate) others_cores: f64,
    /// Stolen time over the window, per second of wall time.
    pub(crate) steal_cores: f64,
}

impl MachineTicks {
    /// The counters now, or `None` where `/proc/stat` cannot be read.
    pub(crate) fn read() -> Option<MachineTicks> {
        parse(&std::fs::read_to_string("/proc/stat").ok()?)
    }

    /// The load between `earlier` and `self`, over `wall_ns` of wall time in
    /// which the run itself used `own_cpu_ns`.
    pub(crate) fn load_since(self, earlier: MachineTicks, wall_ns: u64, own_cpu_ns: u64) -> Option<MachineLoad> {
        if wall_ns == 0 {
            return None;
        }
        let tick_ns = 1e9 / clock_ticks_per_second() as f64;
        let busy_ns = self.busy.saturating_sub(earlier.busy) as f64 * tick_ns;
        let steal_ns = self.steal.saturating_sub(earlier.steal) as f64 * tick_ns;
        // Each core's counters move a whole tick at a time, so a window can
        // read up to a tick per core more than was used: only what is beyond
        // that is surely others' (a 1 ms run read "8.84 of the 2 cores").
        let quantum_ns = f64::from(self.cores) * tick_ns;
        let beyond = |ns: f64| (ns - quantum_ns).max(0.0) / wall_ns as f64;
        Some(MachineLoad {
            cores: self.cores,
            others_cores: beyond(busy_ns - own_cpu_ns as f64),
            steal_cores: beyond(steal_ns),
        })
    }
}

/// The aggregate `cpu ` line: user nice system idle iowait irq softirq steal….
fn parse(stat: &str) -> Option<MachineTicks> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let fields: Vec<u64> = line.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    let at = |i: usize| fields.get(i).copied().unwrap_or(0);
    let cores = stat.lines().filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit));
    Some(MachineTicks { busy: at(0) + at(1) + at(2) + at(5) + at(6), steal: at(7), cores: cores.count() as u32 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn others_are_the_machine_minus_the_run() {
        let before = parse("cpu  100 0 50 900 0 0 0 5 0 0\ncpu0 1\ncpu1 1\nintr 5\n").unwrap();
        assert_eq!(before, MachineTicks { busy: 150, steal: 5, cores: 2 });
        // One second later (at 100 ticks a second): 150 ticks busy, 10 stolen;
        // the run used 0.5 s itself, so others used one core, less the tick
        // per core the counters may have run ahead.
        let after = parse("cpu  200 0 100 950 0 0 0 15 0 0\ncpu0 1\ncpu1 1\n").unwrap();
        let tick = clock_ticks_per_second() as f64;
        let load = after.load_since(before, 1_000_000_000, 500_000_000).unwrap();
        assert!((load.others_cores - (148.0 / tick - 0.5).max(0.0)).abs() < 1e-9, "{load:?}");
        assert!((load.steal_cores - 8.0 / tick).abs() < 1e-9, "{load:?}");
        // Over 1 ms, one tick of each core is no evidence of anyone.
        let one_tick_each = parse("cpu  102 0 50 900 0 0 0 5 0 0\ncpu0 1\ncpu1 1\n").unwrap();
        assert_eq!(one_tick_each.load_since(before, 1_000_000, 0).unwrap().others_cores, 0.0);
        assert_eq!(after.load_since(before, 0, 0), None);
        assert_eq!(parse("intr 1\n"), None);
    }

    #[test]
    fn reads_this_machine() {
        let Some(ticks) = MachineTicks::read() else { return };
        assert!(ticks.cores >= 1);
    }
}
