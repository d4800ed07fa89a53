//! The order of a scenario's runs: warmup rounds, then measured rounds, each
//! round running every strategy once, so that whatever the machine does
//! meanwhile (thermal throttling, a noisy neighbour) spreads over all
//! strategies instead of landing on one.
//!
//! Measured rounds alternate direction (ABBA: A B C, then C B A, then A B C…):
//! with a steady drift, plain A B C A B C always runs C later than A, so a
//! machine that slows down favours A in every round; reversing every other
//! round gives each strategy the same mean position over each pair of rounds,
//! and cancels a linear drift exactly. It is deterministic (unlike a shuffled
//! order), so a report can be compared with the next. Pairing is untouched:
//! a speedup still divides the baseline's run by the strategy's run of the
//! same round.

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
    rounds.flat_map(|round| round_runs(strategies, round)).collect()
}

/// The runs of one round, in its order: forward, or backward for odd
/// measured rounds (ABBA).
pub(crate) fn round_runs(strategies: usize, round: Round) -> Vec<PlannedRun> {
    let mut order: Vec<usize> = (0..strategies).collect();
    if matches!(round, Round::Measured(n) if n % 2 == 1) {
        order.reverse();
    }
    order.into_iter().map(|strategy| PlannedRun { strategy, round }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_interleave_strategies_in_abba_order() {
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
                (2, Round::Measured(1)),
                (1, Round::Measured(1)),
                (0, Round::Measured(1)),
            ]
        );
    }

    #[test]
    fn abba_gives_every_strategy_the_same_mean_position() {
        let runs = plan(4, 0, 6);
        for strategy in 0..4 {
            let positions: usize =
                (0..6).map(|r| runs.iter().skip(r * 4).take(4).position(|p| p.strategy == strategy).unwrap_or(0)).sum();
            assert_eq!(positions, 9, "strategy {strategy}: mean position 1.5 over 6 rounds");
        }
        // Every round still has every strategy once: pairs by round are intact.
        for r in 0..6 {
            let mut round: Vec<usize> =
                runs.iter().filter(|p| p.round == Round::Measured(r)).map(|p| p.strategy).collect();
            round.sort_unstable();
            assert_eq!(round, vec![0, 1, 2, 3]);
        }
    }
}
