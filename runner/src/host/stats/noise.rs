//! Whether other processes disturbed a strategy's figures: per run, the CPU
//! the rest of the machine used over the measured phase (the machine's
//! `/proc/stat` minus the run's own CPU) and the time the hypervisor stole,
//! against the cores the strategy could use. A sequential run on a 2-core
//! machine is not disturbed by one busy neighbour (a core is left for it);
//! a 2-worker run is. A speedup pairs a strategy's run with the baseline's of
//! the same round, so it is disturbed when either run was.
//!
//! Nothing here prints; [`Noise::explain`] says in words what disturbed a
//! strategy, for every report and every inconclusive check alike.

use crate::host::record::RunRecord;
use crate::host::witness::MachineLoad;

/// Others' CPU beyond the cores a strategy leaves free, in cores, before a
/// run counts as disturbed: above `/proc/stat`'s tick error over short runs
/// (about ±0.1 core over 0.3 s on two cores), below what a neighbour that
/// takes a real share of a core costs.
pub(crate) const OTHERS_MARGIN_CORES: f64 = 0.25;
/// Stolen time, in cores, before a run counts as disturbed.
pub(crate) const STEAL_MARGIN_CORES: f64 = 0.1;

/// How a strategy's measured runs were disturbed, if at all.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Noise {
    /// Measured runs with a machine reading.
    pub(crate) runs_read: usize,
    /// Of those, runs where others took cores this strategy could use, or
    /// the hypervisor stole time.
    pub(crate) disturbed_runs: usize,
    /// Rounds whose speedup pair had a disturbed run (this strategy's or the baseline's).
    pub(crate) disturbed_pairs: usize,
    /// The most others used during one of this strategy's runs, in cores.
    pub(crate) others_cores: f64,
    /// The most stolen during one of them, in cores.
    pub(crate) steal_cores: f64,
    /// The machine's cores.
    pub(crate) cores: u32,
    /// Cores this strategy could use (its workers, at most the machine's).
    pub(crate) usable_cores: u32,
    /// The speedup's median was above what `usable_cores` allow over a
    /// CPU-bound baseline (by more than timing slack): this limit.
    pub(crate) speedup_above: Option<f64>,
}

impl Noise {
    /// Something disturbed the strategy's own figures (wall, CPU).
    pub(crate) fn figures_disturbed(&self) -> bool {
        self.disturbed_runs > 0
    }

    /// Something disturbed its speedup.
    pub(crate) fn speedup_disturbed(&self) -> bool {
        self.disturbed_pairs > 0 || self.speedup_above.is_some()
    }

    /// What disturbed strategy `label`, in words, e.g. "others used up to
    /// 0.93 of the 2 cores during `threads`' runs (5 of 5 runs disturbed)".
    pub(crate) fn explain(&self, label: &str) -> String {
        let mut parts = Vec::new();
        if self.disturbed_runs > 0 || self.disturbed_pairs > 0 {
            let mut what = format!(
                "others used up to {:.2} of the {} cores during the runs of `{label}` ({} of {} runs disturbed",
                self.others_cores, self.cores, self.disturbed_runs, self.runs_read
            );
            if self.disturbed_pairs > self.disturbed_runs {
                what.push_str(&format!(
                    ", {} of its speedup's pairs through the baseline's runs",
                    self.disturbed_pairs
                ));
            }
            what.push(')');
            parts.push(what);
        }
        if self.steal_cores > STEAL_MARGIN_CORES {
            parts.push(format!("the hypervisor stole up to {:.2} of a core", self.steal_cores));
        }
        if let Some(limit) = self.speedup_above {
            parts.push(format!(
                "`{label}`'s speedup is above the {limit:.2}× its {} usable core(s) allow: noise, not a result",
                self.usable_cores
            ));
        }
        parts.join("; ")
    }
}

/// Whether `load` left a strategy that can use `usable` cores fewer than it could use.
pub(crate) fn disturbed(load: &MachineLoad, usable: u32) -> bool {
    let free = f64::from(load.cores.saturating_sub(usable));
    load.others_cores > free + OTHERS_MARGIN_CORES || load.steal_cores > STEAL_MARGIN_CORES
}

/// The cores a strategy of `workers` workers could use on this machine.
pub(crate) fn usable_cores(workers: u32, cores: u32) -> u32 {
    workers.max(1).min(cores.max(1))
}

/// The workers of a strategy and of the baseline it is compared with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Workers {
    pub(crate) strategy: u32,
    pub(crate) baseline: u32,
}

/// The noise over `runs` (a strategy's completed measured runs) paired with
/// `baseline`'s runs of the same rounds.
pub(crate) fn of_runs(runs: &[&RunRecord], baseline: &[RunRecord], workers: Workers, cores: u32) -> Noise {
    let usable = usable_cores(workers.strategy, cores);
    let base_usable = usable_cores(workers.baseline, cores);
    let base_disturbed = |b: &RunRecord| b.machine.is_some_and(|m| disturbed(&m, base_usable));
    let mut noise = Noise { cores, usable_cores: usable, ..Noise::default() };
    for run in runs {
        let own = run.machine.is_some_and(|m| disturbed(&m, usable));
        if let Some(load) = run.machine {
            noise.runs_read += 1;
            noise.others_cores = noise.others_cores.max(load.others_cores);
            noise.steal_cores = noise.steal_cores.max(load.steal_cores);
        }
        noise.disturbed_runs += usize::from(own);
        // The baseline's run of the same round, judged with the cores it could use.
        let partner = baseline.iter().find(|b| b.round == run.round && b.completed());
        noise.disturbed_pairs += usize::from(own || partner.is_some_and(base_disturbed));
    }
    noise
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(others: f64, steal: f64) -> MachineLoad {
        MachineLoad { cores: 2, others_cores: others, steal_cores: steal }
    }

    #[test]
    fn a_neighbour_on_one_core_disturbs_two_workers_not_one() {
        let hog = load(0.9, 0.0);
        assert!(!disturbed(&hog, usable_cores(1, 2)));
        assert!(disturbed(&hog, usable_cores(2, 2)));
        // Tick noise on a quiet machine disturbs nothing.
        assert!(!disturbed(&load(0.15, 0.0), 2));
        // Two busy neighbours disturb even a sequential run; so does steal.
        assert!(disturbed(&load(1.8, 0.0), 1));
        assert!(disturbed(&load(0.0, 0.3), 1));
        assert_eq!(usable_cores(8, 2), 2);
        assert_eq!(usable_cores(0, 2), 1);
    }

    #[test]
    fn noise_says_what_disturbed_it() {
        let noise = Noise {
            runs_read: 5,
            disturbed_runs: 5,
            disturbed_pairs: 5,
            others_cores: 0.93,
            steal_cores: 0.0,
            cores: 2,
            usable_cores: 2,
            speedup_above: None,
        };
        assert_eq!(
            noise.explain("threads"),
            "others used up to 0.93 of the 2 cores during the runs of `threads` (5 of 5 runs disturbed)"
        );
        let quiet_but_fast = Noise { disturbed_runs: 0, disturbed_pairs: 0, speedup_above: Some(2.2), ..noise };
        assert!(quiet_but_fast.speedup_disturbed() && !quiet_but_fast.figures_disturbed());
        assert!(quiet_but_fast.explain("x").contains("above the 2.20×"), "{}", quiet_but_fast.explain("x"));
    }
}
