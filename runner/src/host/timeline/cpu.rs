//! Per-core CPU load sampled from `/proc/stat` on a host thread while a run
//! goes on: the lecture's "look at `top`" moment, for every strategy.
//!
//! The sampler lives in the host, not in the measured process, and reads one
//! small file every [`EVERY`]: about 30 µs of one core per sample, under 0.2 %
//! of a core. `/proc/stat` counts in clock ticks (10 ms here), so a 20 ms
//! sample reads 0, ½ or 1 of a core: coarse per sample, right on average.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use super::CpuSample;
use crate::protocol::monotonic_ns;

/// Time between two samples.
pub(crate) const EVERY: Duration = Duration::from_millis(20);

/// A running sampler; [`CpuSampler::stop`] returns what it saw.
#[derive(Debug)]
pub(crate) struct CpuSampler {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<CpuSample>>,
}

impl CpuSampler {
    /// Starts sampling, or `None` where `/proc/stat` cannot be read. Sample
    /// times are `CLOCK_MONOTONIC` nanoseconds until [`on_run_clock`] moves them.
    pub(crate) fn start() -> Option<CpuSampler> {
        let first = read_ticks()?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread =
            std::thread::Builder::new().name("cpu-sampler".into()).spawn(move || sample_until(&flag, first)).ok()?;
        Some(CpuSampler { stop, thread })
    }

    /// Stops and returns the samples.
    pub(crate) fn stop(self) -> Vec<CpuSample> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.thread().unpark();
        self.thread.join().unwrap_or_default()
    }
}

fn sample_until(stop: &AtomicBool, mut previous: Ticks) -> Vec<CpuSample> {
    let mut samples = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        std::thread::park_timeout(EVERY);
        let Some(now) = read_ticks() else { break };
        let busy = now.cores.iter().zip(&previous.cores).map(|(n, p)| n.busy_since(p)).collect();
        samples.push(CpuSample { start_ns: previous.at_ns, end_ns: now.at_ns, busy });
        previous = now;
    }
    samples
}

/// Moves samples from `CLOCK_MONOTONIC` onto a run's clock whose zero was at
/// `origin_ns`, keeping those that overlap `0..end_ns`.
pub(crate) fn on_run_clock(samples: Vec<CpuSample>, origin_ns: u64, end_ns: u64) -> Vec<CpuSample> {
    samples
        .into_iter()
        .filter(|s| s.end_ns > origin_ns && s.start_ns < origin_ns + end_ns)
        .map(|s| CpuSample {
            start_ns: s.start_ns.saturating_sub(origin_ns),
            end_ns: (s.end_ns - origin_ns).min(end_ns),
            busy: s.busy,
        })
        .collect()
}

/// One reading of every core's tick counters.
#[derive(Debug)]
struct Ticks {
    at_ns: u64,
    cores: Vec<CoreTicks>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct CoreTicks {
    busy: u64,
    total: u64,
}

impl CoreTicks {
    fn busy_since(&self, earlier: &CoreTicks) -> f32 {
        let total = self.total.saturating_sub(earlier.total);
        if total == 0 {
            return 0.0;
        }
        (self.busy.saturating_sub(earlier.busy) as f32 / total as f32).clamp(0.0, 1.0)
    }
}

fn read_ticks() -> Option<Ticks> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let cores = parse_cores(&text);
    (!cores.is_empty()).then(|| Ticks { at_ns: monotonic_ns(), cores })
}

/// The `cpuN` lines: user nice system idle iowait irq softirq steal…;
/// idle and iowait are not busy.
fn parse_cores(stat: &str) -> Vec<CoreTicks> {
    stat.lines()
        .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
        .map(|line| {
            let fields: Vec<u64> = line.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
            let total: u64 = fields.iter().take(8).sum();
            let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
            CoreTicks { busy: total.saturating_sub(idle), total }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_per_core_lines_only() {
        let stat = "cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 5 0 5 40 0 0 0 0 0 0\ncpu1 5 0 5 40 0 0 0 0 0 0\nintr 1 2\n";
        let cores = parse_cores(stat);
        assert_eq!(cores, vec![CoreTicks { busy: 10, total: 50 }; 2]);
        let later = CoreTicks { busy: 20, total: 60 };
        assert_eq!(later.busy_since(&cores[0]), 1.0);
    }

    #[test]
    fn samples_move_onto_the_run_clock_and_are_clipped() {
        let s = |a, b| CpuSample { start_ns: a, end_ns: b, busy: vec![1.0] };
        let moved = on_run_clock(vec![s(0, 90), s(90, 110), s(110, 130), s(300, 320)], 100, 25);
        assert_eq!(moved, vec![s(0, 10), s(10, 25)]);
    }

    #[test]
    fn a_sampler_sees_every_core() {
        let Some(sampler) = CpuSampler::start() else { return };
        std::thread::sleep(EVERY * 3);
        let samples = sampler.stop();
        assert!(!samples.is_empty());
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert!(samples.iter().all(|s| s.busy.len() >= cores.min(1) && s.end_ns > s.start_ns));
    }
}
