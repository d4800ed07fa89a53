//! Confidence intervals for a median, by order statistics: distribution-free
//! (timings are skewed, with a long tail of disturbed rounds, so no normal
//! approximation), deterministic (the same runs give the same interval, so
//! reports and verdicts can be snapshot-tested), and exact about their own
//! confidence. The same interval over the paired per-round ratios
//! (baseline wall / strategy wall, each pair from one round) is a speedup's.
//!
//! Why order statistics and not a bootstrap: with the 3–20 rounds a scenario
//! has, a bootstrap's percentile interval covers the median less often than
//! it claims (it cannot reach past the sample), while the order-statistic
//! interval `[x(k), x(n+1-k)]` covers it with a probability known exactly
//! from the binomial distribution, whatever the distribution of the timings.
//! Below 6 values no pair of order statistics reaches 95 %: the interval is
//! then min–max, and says the confidence it really has (n = 5: 93.8 %,
//! n = 3: 75 %).
//!
//! Nothing here prints.

/// The confidence intervals aim for.
pub(crate) const LEVEL: f64 = 0.95;

/// A median and the interval around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Interval {
    pub(crate) median: f64,
    pub(crate) lo: f64,
    pub(crate) hi: f64,
    /// The probability that such an interval covers the true median
    /// (exact, from the binomial distribution): at least [`LEVEL`] from 6
    /// values on, less below.
    pub(crate) confidence: f64,
    /// How many values it was made from.
    pub(crate) n: usize,
}

impl Interval {
    /// The order-statistic interval of the median of `values` (non-finite
    /// values are ignored); `None` for none.
    pub(crate) fn of_median(values: &[f64]) -> Option<Interval> {
        let (sorted, median) = super::sorted_with_median(values)?;
        let n = sorted.len();
        let (k, confidence) = rank(n);
        Some(Interval { median, lo: sorted[k - 1], hi: sorted[n - k], confidence, n })
    }

    /// The larger distance from the median to either end, as a fraction of
    /// the median: `0.05` is "±5 %". Infinite for a median of 0.
    pub(crate) fn relative_half_width(&self) -> f64 {
        let half = (self.median - self.lo).max(self.hi - self.median);
        if self.median == 0.0 { if half == 0.0 { 0.0 } else { f64::INFINITY } } else { half / self.median.abs() }
    }

    /// Reached the aimed-for confidence (enough values for a 95 % interval).
    pub(crate) fn is_full_confidence(&self) -> bool {
        self.confidence >= LEVEL
    }
}

/// The rank `k` (1-based) of the interval `[x(k), x(n+1-k)]` for `n` sorted
/// values: the largest with a coverage of at least [`LEVEL`], or 1 (min–max)
/// when even that falls short; and the coverage it has.
fn rank(n: usize) -> (usize, f64) {
    // Coverage of [x(k), x(n+1-k)] = 1 - 2 P(B <= k-1), B ~ Binomial(n, 1/2).
    let coverage = |k: usize| 1.0 - 2.0 * binomial_half_cdf(n, k - 1);
    let mut k = 1;
    while k < n.div_ceil(2) && coverage(k + 1) >= LEVEL {
        k += 1;
    }
    (k, coverage(k).max(0.0))
}

/// P(B <= j) for B ~ Binomial(n, 1/2), in logarithms so that n in the
/// thousands neither overflows nor underflows.
fn binomial_half_cdf(n: usize, j: usize) -> f64 {
    let ln_half_n = n as f64 * 0.5f64.ln();
    let mut ln_choose = 0.0; // ln C(n, 0)
    let mut total = 0.0;
    for i in 0..=j.min(n) {
        if i > 0 {
            ln_choose += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        total += (ln_choose + ln_half_n).exp();
    }
    total.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// splitmix64: a fixed, seeded stream, so the coverage test is the same every time.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }

        /// Exponential with rate 1: median ln 2, a long right tail like timings.
        fn exponential(&mut self) -> f64 {
            -self.next().ln()
        }

        /// Log-normal through Box–Muller: median e^0 = 1.
        fn log_normal(&mut self, sigma: f64) -> f64 {
            let (u, v) = (self.next(), self.next());
            ((-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos() * sigma).exp()
        }
    }

    #[test]
    fn ranks_and_their_exact_coverage() {
        // Below 6 values: min–max, with the confidence it has.
        assert_eq!(rank(1), (1, 0.0));
        let (k, c) = rank(3);
        assert_eq!(k, 1);
        assert!((c - 0.75).abs() < 1e-12, "{c}");
        let (k, c) = rank(5);
        assert_eq!(k, 1);
        assert!((c - 0.9375).abs() < 1e-12, "{c}");
        // From 6 on, at least 95 %: n = 9 → [x(2), x(8)], 96.1 %; n = 17 → [x(5), x(13)], 95.1 %.
        assert_eq!(rank(6).0, 1);
        let (k, c) = rank(9);
        assert_eq!(k, 2);
        assert!((c - 0.9609375).abs() < 1e-9, "{c}");
        let (k, c) = rank(17);
        assert_eq!(k, 5);
        assert!((LEVEL..0.96).contains(&c), "{c}");
        for n in 6..400 {
            assert!(rank(n).1 >= LEVEL, "n = {n}");
        }
        // Large n: no overflow, and close to the normal approximation's width.
        let (k, _) = rank(10_000);
        assert!((4890..4910).contains(&k), "{k}");
    }

    #[test]
    fn an_interval_holds_its_median_and_says_its_width() {
        let i = Interval::of_median(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]).unwrap();
        assert_eq!((i.median, i.lo, i.hi, i.n), (5.0, 2.0, 8.0, 9));
        assert!(i.is_full_confidence());
        assert!((i.relative_half_width() - 0.6).abs() < 1e-12);
        let few = Interval::of_median(&[2.0, 1.0, f64::NAN, 3.0]).unwrap();
        assert_eq!((few.median, few.lo, few.hi, few.n), (2.0, 1.0, 3.0, 3));
        assert!(!few.is_full_confidence());
        assert_eq!(Interval::of_median(&[]), None);
        assert_eq!(Interval::of_median(&[4.0]).map(|i| (i.lo, i.hi)), Some((4.0, 4.0)));
    }

    /// The check the issue asks for: over 2,000 simulated samples of known
    /// distribution, 95 % intervals cover the true median 93–97 % of the time.
    /// n = 17 and 25 are sizes whose exact coverage is close to 95 % (95.1 %,
    /// 95.7 %); others are conservative by the binomial's steps.
    #[test]
    fn intervals_cover_the_true_median_as_often_as_they_claim() {
        let mut rng = Rng(17);
        type Draw<'a> = &'a dyn Fn(&mut Rng) -> f64;
        let cases: [(&str, usize, f64, Draw<'_>); 4] = [
            ("exponential, n = 17", 17, std::f64::consts::LN_2, &|r| r.exponential()),
            ("log-normal σ = 0.3, n = 17", 17, 1.0, &|r| r.log_normal(0.3)),
            ("log-normal σ = 1, n = 25", 25, 1.0, &|r| r.log_normal(1.0)),
            ("uniform, n = 17", 17, 0.5, &|r| r.next()),
        ];
        for (name, n, true_median, draw) in cases {
            let trials = 2_000;
            let covered = (0..trials)
                .filter(|_| {
                    let sample: Vec<f64> = (0..n).map(|_| draw(&mut rng)).collect();
                    let i = Interval::of_median(&sample).unwrap();
                    i.lo <= true_median && true_median <= i.hi
                })
                .count();
            let rate = covered as f64 / trials as f64;
            assert!((0.93..=0.97).contains(&rate), "{name}: covered {rate}");
        }
    }

    /// A speedup's interval is the same interval over per-round ratios: a
    /// drift that slows both strategies of a round alike cancels in each
    /// ratio, so the ratios' interval is narrow where the walls' are wide.
    #[test]
    fn paired_ratios_cancel_drift_that_the_walls_carry() {
        let mut rng = Rng(3);
        let (mut base, mut fast) = (Vec::new(), Vec::new());
        for round in 0..15 {
            let drift = 1.0 + round as f64 * 0.1; // the machine slows down by 2.4× over the run
            let jitter = 1.0 + (rng.next() - 0.5) * 0.02;
            base.push(1.0 * drift);
            fast.push(0.5 * drift * jitter);
        }
        let ratios: Vec<f64> = base.iter().zip(&fast).map(|(b, f)| b / f).collect();
        let speedup = Interval::of_median(&ratios).unwrap();
        let wall = Interval::of_median(&fast).unwrap();
        assert!(speedup.relative_half_width() < 0.02, "{speedup:?}");
        assert!(wall.relative_half_width() > 0.2, "{wall:?}");
        assert!((speedup.median - 2.0).abs() < 0.03);
    }
}
