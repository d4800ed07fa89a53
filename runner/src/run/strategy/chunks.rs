//! Splitting units among workers as the lecture splits its steps: worker `w`
//! of `n` takes one contiguous chunk, the sizes differing by at most one.

use std::ops::Range;

/// The units worker `worker` of `workers` runs.
pub(crate) fn chunk(units: u64, workers: u32, worker: u32) -> Range<u64> {
    let (n, w) = (u64::from(workers.max(1)), u64::from(worker));
    let start = units * w / n;
    let end = units * (w + 1) / n;
    start..end
}

#[cfg(test)]
mod tests {
    use super::chunk;

    #[test]
    fn chunks_cover_every_unit_once() {
        for units in 0..40 {
            for workers in 1..9 {
                let all: Vec<u64> = (0..workers).flat_map(|w| chunk(units, workers, w)).collect();
                assert_eq!(all, (0..units).collect::<Vec<_>>(), "units={units} workers={workers}");
                let sizes: Vec<u64> = (0..workers).map(|w| chunk(units, workers, w).count() as u64).collect();
                assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
            }
        }
    }
}
