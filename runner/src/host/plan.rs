//! The order of a scenario's runs: warmup rounds, then measured rounds, each
//! round running every strategy once (A B C A B C), so that whatever the
//! machine does meanwhile (thermal throttling, a noisy neighbour) spreads over
//! all strategies instead of landing on one.

use serde::Serialize;

/// Which round a run belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "index", rename_all = "snake_case")]
pub(crate) enum Round {
    /// Discarded warmup round `n` (0-based).
    Warmup(u32),
    /// Measured round `n` (0-based).
    Measured(u32),
}

/// One run to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PlannedRun {
    /// Index of the strategy in the scenario.
    pub(crate) strategy: usize,
    pub(crate) round: Round,
}

/// Every run of a scenario, in order.
pub(crate) fn plan(strategies: usize, warmup: u32, repeat: u32) -> Vec<PlannedRun> {
    let rounds = (0..warmup).map(Round::Warmup).chain((0..repeat).map(Round::Measured));
    rounds.flat_map(|round| (0..strategies).map(move |strategy| PlannedRun { strategy, round })).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_interleave_strategies() {
        let order: Vec<(usize, Round)> = plan(3, 1, 2).into_iter().map(|p| (p.strategy, p.round)).collect();
        assert_eq!(
            order,
            vec![
                (0, Round::Warmup(0)),
                (1, Round::Warmup(0)),
                (2, Round::Warmup(0)),
                (0, Round::Measured(0)),
                (1, Round::Measured(0)),
                (2, Round::Measured(0)),
                (0, Round::Measured(1)),
                (1, Round::Measured(1)),
                (2, Round::Measured(1)),
            ]
        );
    }
}
