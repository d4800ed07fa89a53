//! Timing: batches of operations, sized so that one trial lasts a fixed slice
//! of the budget, repeated for several trials; the figure is their median.

use std::time::Duration;

/// How long to measure, and in how many trials.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Target length of one trial.
    pub per_trial: Duration,
    /// Number of trials (their median is the figure).
    pub trials: usize,
}

/// Nanoseconds per operation, one entry per trial.
#[derive(Debug, Clone)]
pub struct Trials(Vec<f64>);

impl Trials {
    /// Number of trials.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The same trials with every figure multiplied by `factor`: per
    /// operation when a batch times `1 / factor` operations per step.
    pub fn scaled(self, factor: f64) -> Self {
        Trials(self.0.into_iter().map(|ns| ns * factor).collect())
    }

    /// Median, minimum and maximum over the trials.
    pub fn summary(&self) -> (f64, f64, f64) {
        let mut sorted = self.0.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
        (median, sorted[0], sorted[n - 1])
    }
}

/// Batches per trial: small enough that the clock is read rarely, large
/// enough that a trial ends close to its target length.
const BATCHES_PER_TRIAL: u32 = 20;

/// Times `batch(n)`, which performs `n` operations and returns how long they
/// took, over `budget.trials` trials of at least `budget.per_trial` each.
///
/// The batch size is found by doubling `n` until a batch lasts a twentieth of
/// a trial; that also serves as the warm-up (caches, branch predictors, page
/// faults, the CPU's clock) and costs about a tenth of a trial. Each trial
/// then runs batches until its time is up, so a slow or fast calibration
/// changes how often the clock is read, never how long a trial lasts.
pub fn trials(budget: Budget, mut batch: impl FnMut(u64) -> Result<Duration, String>) -> Result<Trials, String> {
    let slice = budget.per_trial / BATCHES_PER_TRIAL;
    let mut n = 1u64;
    while batch(n)? < slice && n < 1 << 40 {
        n *= 2;
    }
    (0..budget.trials.max(1))
        .map(|_| {
            let (mut ops, mut spent) = (0u64, Duration::ZERO);
            while spent < budget.per_trial {
                spent += batch(n)?;
                ops += n;
            }
            Ok(spent.as_nanos() as f64 / ops as f64)
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Trials)
}
