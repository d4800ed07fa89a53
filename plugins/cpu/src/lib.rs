//! CPU-bound workloads: the lecture's `worker(n)` counting loop, its graded form
//! `mix` (a count that cannot be returned without counting, in [`mix`]), and a
//! unit that does nothing, to measure what the runner itself costs per unit.

use std::hint::black_box;

use runner_sdk::{ParamSpec, Params, UnitContext, Workload, export_plugin};

mod mix;

/// Steps between two checkpoints: about 2 µs of counting, so the simulated
/// interpreter lock can switch threads at CPython's 5 ms granularity while the
/// checkpoint itself (one atomic load behind a function pointer) costs well
/// under 1 % of the loop.
const DEFAULT_CHECKPOINT_EVERY: i64 = 4096;

/// Steps unit `unit` of `units` counts out of `steps`: an even share, the
/// remainder spread over the first units, so the shares always add up to
/// `steps`. `count` and `mix` share it (and `mix` splits a unit into segments by
/// it), so a submission implements one rule.
fn share(steps: u64, units: u64, unit: u64) -> u64 {
    steps / units + u64::from(unit < steps % units)
}

/// The lecture's loop: `while count < n: count += 1`, split over the units.
#[derive(Debug)]
struct Count {
    steps: u64,
    units: u64,
    checkpoint_every: u64,
}

impl Count {
    fn share(&self, unit: u64) -> u64 {
        share(self.steps, self.units, unit)
    }
}

impl Workload for Count {
    const NAME: &'static str = "count";
    const DESCRIPTION: &'static str = "the lecture's `worker(n)`: counts to `steps` one increment at a time, \
        split evenly over the units; verifies that every unit reached its share and the shares add up to `steps`";

    fn params() -> Vec<ParamSpec> {
        vec![
            ParamSpec::int("steps", 10_000_000, "total increments over all units (the lecture's COUNT)"),
            ParamSpec::int(
                "checkpoint_every",
                DEFAULT_CHECKPOINT_EVERY,
                "increments between two checkpoints (where the simulated interpreter lock may switch)",
            ),
        ]
    }

    fn prepare(params: &Params, units: u64) -> Result<Self, String> {
        let steps = u64::try_from(params.int("steps")?).map_err(|_| "`steps` must not be negative".to_owned())?;
        let checkpoint_every = u64::try_from(params.int("checkpoint_every")?)
            .ok()
            .filter(|&n| n > 0)
            .ok_or("`checkpoint_every` must be at least 1")?;
        Ok(Count { steps, units: units.max(1), checkpoint_every })
    }

    fn run_unit(&self, unit: u64, cx: &UnitContext<'_>) -> Result<String, String> {
        let target = self.share(unit);
        let mut count = 0u64;
        while count < target {
            let stop = target.min(count + self.checkpoint_every);
            // black_box keeps the optimiser from turning the loop into `count = stop`.
            while count < stop {
                count = black_box(count + 1);
            }
            cx.checkpoint();
        }
        Ok(count.to_string())
    }

    fn verify(&self, results: &[Option<String>]) -> Result<String, String> {
        let mut total = 0u64;
        for (unit, result) in results.iter().enumerate() {
            let unit = unit as u64;
            let text = result.as_deref().ok_or_else(|| format!("unit {unit} produced no count"))?;
            let count: u64 = text.parse().map_err(|_| format!("unit {unit} returned {text:?}, not a count"))?;
            if count != self.share(unit) {
                return Err(format!("unit {unit} counted {count}, expected {}", self.share(unit)));
            }
            total += count;
        }
        if total == self.steps {
            Ok(format!("count = {total} = steps"))
        } else {
            Err(format!("counted {total} in all, expected {}", self.steps))
        }
    }
}

/// A unit that does nothing: what is left is the runner's own cost per unit.
#[derive(Debug)]
struct Noop;

impl Workload for Noop {
    const NAME: &'static str = "noop";
    const DESCRIPTION: &'static str = "does nothing: measures the runner's dispatch cost per unit; \
        verifies that every unit ran exactly once";

    fn prepare(_params: &Params, _units: u64) -> Result<Self, String> {
        Ok(Noop)
    }

    fn run_unit(&self, _unit: u64, _cx: &UnitContext<'_>) -> Result<String, String> {
        Ok(String::new())
    }

    fn verify(&self, results: &[Option<String>]) -> Result<String, String> {
        match results.iter().position(Option::is_none) {
            None => Ok(format!("all {} units ran", results.len())),
            Some(unit) => Err(format!("unit {unit} did not run")),
        }
    }
}

export_plugin! {
    name: "cpu",
    description: "CPU-bound work: the lecture's counting loop, and its graded form",
    workloads: [Count, mix::Mix, Noop],
}

#[cfg(test)]
mod tests {
    use super::share;

    #[test]
    fn shares_add_up_and_differ_by_at_most_one() {
        for (steps, units) in [(0, 1), (1, 2), (10, 3), (600_000_001, 2), (7, 16)] {
            let shares: Vec<u64> = (0..units).map(|u| share(steps, units, u)).collect();
            assert_eq!(shares.iter().sum::<u64>(), steps, "{steps} over {units}");
            assert!(shares.windows(2).all(|w| w[0] == w[1] || w[0] == w[1] + 1), "{shares:?}");
        }
        assert_eq!(share(10, 3, 0), 4);
        assert_eq!(share(10, 3, 2), 3);
    }
}
