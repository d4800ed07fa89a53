//! What happened when in one run: a lane per worker with a bar per unit, the
//! waits (in blocking IO inside units; for the simulated interpreter lock
//! inside units and at the switch point between them),
//! and the machine's CPU load per core sampled by the host meanwhile. Built
//! from the run's event stream (see [`crate::host::record::Recorder`]); drawn for
//! the terminal ([`terminal`]) and as SVG ([`svg`]), and laid on trace tracks
//! ([`tracks`]) for `--trace`. Nothing here measures.

pub(crate) mod cpu;
pub(crate) mod output;
pub(crate) mod svg;
pub(crate) mod terminal;
pub(crate) mod tracks;

use crate::protocol::WaitKind;

/// Bars (and, separately, waits) kept per run. Beyond this a run of tiny
/// units would cost memory and drawing time for pixels nobody can tell apart;
/// the rest are counted in [`Timeline::dropped`] (and still in the totals).
pub(crate) const MAX_SPANS: usize = 200_000;

/// One run's timeline. Times are nanoseconds since the run's clock started
/// (just before its strategy did).
#[derive(Debug, Clone, Default)]
pub(crate) struct Timeline {
    /// Workers in the order they reported, sorted by id when finished.
    pub(crate) lanes: Vec<Lane>,
    pub(crate) bars: Vec<Bar>,
    pub(crate) waits: Vec<Wait>,
    /// Host samples of every core's load during the run.
    pub(crate) cpu: Vec<CpuSample>,
    /// Bars and waits not kept (over [`MAX_SPANS`]).
    pub(crate) dropped: u64,
    /// The strategy's wall time: where the picture ends.
    pub(crate) end_ns: u64,
    /// What the units printed, line by line, when their plugin reports it.
    pub(crate) printed: output::Printed,
    /// Totals over every bar and wait reported, kept or not.
    totals: Totals,
}

/// Durations summed over every span a run reported.
#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    bars_ns: u64,
    gil_ns: u64,
    io_ns: u64,
}

/// One slice of a lane: each figure is time over the slice's length, so a
/// worker that ran one unit all through it has `in_flight` 1.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Cell {
    /// Units in flight on average (above 1 only for async workers).
    pub(crate) in_flight: f64,
    pub(crate) waiting_gil: f64,
    pub(crate) waiting_io: f64,
}

impl Cell {
    /// Time spent running (in a unit, not waiting), as a fraction.
    pub(crate) fn running(&self) -> f64 {
        (self.in_flight.min(1.0) - self.waiting_gil - self.waiting_io).clamp(0.0, 1.0)
    }

    /// Time spent waiting (lock or IO), as a fraction.
    pub(crate) fn waiting(&self) -> f64 {
        (self.waiting_gil + self.waiting_io).clamp(0.0, 1.0)
    }
}

/// One worker: a thread of the run's process or a forked process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Lane {
    pub(crate) worker: u32,
    pub(crate) pid: u32,
    /// The most units this worker had running at once (1 for one after
    /// another; more for async), known once the timeline is finished.
    pub(crate) max_in_flight: usize,
}

/// One unit on one worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bar {
    pub(crate) worker: u32,
    pub(crate) unit: u64,
    pub(crate) start_ns: u64,
    pub(crate) end_ns: u64,
    pub(crate) failed: bool,
}

/// Time a worker spent waiting: in blocking IO, or for the simulated lock
/// (inside a unit or at the switch point after one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Wait {
    pub(crate) worker: u32,
    pub(crate) kind: WaitKind,
    pub(crate) start_ns: u64,
    pub(crate) end_ns: u64,
}

/// Load of every core between two host samples.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CpuSample {
    pub(crate) start_ns: u64,
    pub(crate) end_ns: u64,
    /// Busy fraction (0..=1) of each core, in core order.
    pub(crate) busy: Vec<f32>,
}

impl Timeline {
    /// Total time of every bar: the workers' time in units, waits included.
    pub(crate) fn bars_ns(&self) -> u64 {
        self.totals.bars_ns
    }

    /// Total time of every wait of `kind`.
    pub(crate) fn waits_ns(&self, kind: WaitKind) -> u64 {
        match kind {
            WaitKind::Gil => self.totals.gil_ns,
            WaitKind::Io => self.totals.io_ns,
        }
    }

    /// Where the picture ends: the wall time, or the last thing seen.
    pub(crate) fn span_ns(&self) -> u64 {
        let last_bar = self.bars.iter().map(|b| b.end_ns).max().unwrap_or(0);
        self.end_ns.max(last_bar).max(1)
    }

    /// Cores seen in the CPU samples.
    pub(crate) fn cores(&self) -> usize {
        self.cpu.iter().map(|s| s.busy.len()).max().unwrap_or(0)
    }

    /// The kept bars of `worker`, by start time (once finished).
    pub(crate) fn bars_of(&self, worker: u32) -> &[Bar] {
        let start = self.bars.partition_point(|b| b.worker < worker);
        let end = self.bars.partition_point(|b| b.worker <= worker);
        &self.bars[start..end]
    }

    /// The kept waits of `worker`, by start time (once finished).
    pub(crate) fn waits_of(&self, worker: u32) -> &[Wait] {
        let start = self.waits.partition_point(|w| w.worker < worker);
        let end = self.waits.partition_point(|w| w.worker <= worker);
        &self.waits[start..end]
    }

    /// What `worker` did in each of `buckets` equal slices of the picture.
    pub(crate) fn profile(&self, worker: u32, buckets: usize) -> Vec<Cell> {
        let mut cells = vec![Cell::default(); buckets];
        let slices = Slices::new(self.span_ns(), buckets);
        for bar in self.bars_of(worker) {
            slices.overlaps(bar.start_ns, bar.end_ns, |i, f| cells[i].in_flight += f);
        }
        for wait in self.waits_of(worker) {
            slices.overlaps(wait.start_ns, wait.end_ns, |i, f| match wait.kind {
                WaitKind::Gil => cells[i].waiting_gil += f,
                WaitKind::Io => cells[i].waiting_io += f,
            });
        }
        cells
    }

    /// Average load of `core` in each of `buckets` equal slices of the picture.
    pub(crate) fn core_profile(&self, core: usize, buckets: usize) -> Vec<f64> {
        let mut load = vec![0.0; buckets];
        let slices = Slices::new(self.span_ns(), buckets);
        for sample in &self.cpu {
            let Some(&busy) = sample.busy.get(core) else { continue };
            slices.overlaps(sample.start_ns, sample.end_ns, |i, f| load[i] += f * f64::from(busy));
        }
        load
    }

    /// Adds a bar, unless the run has already kept [`MAX_SPANS`].
    pub(crate) fn push_bar(&mut self, bar: Bar) {
        self.totals.bars_ns += bar.end_ns.saturating_sub(bar.start_ns);
        if self.bars.len() < MAX_SPANS {
            self.bars.push(bar);
        } else {
            self.dropped += 1;
        }
    }

    /// Adds a wait, unless the run has already kept [`MAX_SPANS`].
    pub(crate) fn push_wait(&mut self, wait: Wait) {
        let took = wait.end_ns.saturating_sub(wait.start_ns);
        match wait.kind {
            WaitKind::Gil => self.totals.gil_ns += took,
            WaitKind::Io => self.totals.io_ns += took,
        }
        if self.waits.len() < MAX_SPANS {
            self.waits.push(wait);
        } else {
            self.dropped += 1;
        }
    }

    /// Adds a worker the first time it reports.
    pub(crate) fn see_worker(&mut self, worker: u32, pid: u32) {
        match self.lanes.iter_mut().find(|l| l.worker == worker) {
            Some(lane) if pid != 0 => lane.pid = pid,
            Some(_) => {}
            None => self.lanes.push(Lane { worker, pid, max_in_flight: 0 }),
        }
    }

    /// Orders everything by worker and time once every event is in, and
    /// works out each lane's most units in flight. Without `keep_spans` only
    /// the totals stay (no picture was asked for: a million-unit run need not
    /// hold its spans until the reports are written).
    pub(crate) fn finish(&mut self, end_ns: u64, keep_spans: bool) {
        self.lanes.sort_by_key(|l| l.worker);
        self.bars.sort_unstable_by_key(|b| (b.worker, b.start_ns));
        self.waits.sort_unstable_by_key(|w| (w.worker, w.start_ns));
        for i in 0..self.lanes.len() {
            self.lanes[i].max_in_flight = most_at_once(self.bars_of(self.lanes[i].worker));
        }
        self.end_ns = end_ns;
        if !keep_spans {
            self.bars = Vec::new();
            self.waits = Vec::new();
            self.printed = output::Printed::default();
        }
    }

    /// The most units any worker had in flight at once.
    pub(crate) fn max_in_flight(&self) -> usize {
        self.lanes.iter().map(|l| l.max_in_flight).max().unwrap_or(0)
    }
}

/// The most of `bars` that overlap at any instant.
fn most_at_once(bars: &[Bar]) -> usize {
    let mut edges: Vec<(u64, i32)> = bars.iter().flat_map(|b| [(b.start_ns, 1), (b.end_ns, -1)]).collect();
    // Ends before starts at the same instant: back-to-back is not overlap.
    edges.sort_unstable();
    let (mut now, mut most) = (0i32, 0i32);
    for (_, step) in edges {
        now += step;
        most = most.max(now);
    }
    most.max(0) as usize
}

/// The picture's time cut into equal slices.
#[derive(Debug, Clone, Copy)]
struct Slices {
    count: usize,
    slice_ns: f64,
}

impl Slices {
    fn new(span_ns: u64, count: usize) -> Slices {
        Slices { count, slice_ns: span_ns as f64 / count.max(1) as f64 }
    }

    /// Calls `add(slice, fraction)` for every slice that `start..end` covers,
    /// with the fraction of the slice it covers.
    fn overlaps(self, start_ns: u64, end_ns: u64, mut add: impl FnMut(usize, f64)) {
        let (start, end) = (start_ns as f64 / self.slice_ns, end_ns as f64 / self.slice_ns);
        let last = (end.ceil().max(0.0) as usize).min(self.count);
        for i in (start.floor().max(0.0) as usize)..last {
            let overlap = end.min(i as f64 + 1.0) - start.max(i as f64);
            if overlap > 0.0 {
                add(i, overlap);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(worker: u32, start_ns: u64, end_ns: u64) -> Bar {
        Bar { worker, unit: 0, start_ns, end_ns, failed: false }
    }

    #[test]
    fn in_flight_counts_overlap_not_back_to_back_units() {
        let mut t = Timeline::default();
        t.push_bar(bar(0, 0, 10));
        t.push_bar(bar(0, 10, 20));
        t.push_bar(bar(1, 0, 10));
        t.push_bar(bar(1, 5, 15));
        t.push_bar(bar(1, 6, 8));
        t.see_worker(1, 7);
        t.see_worker(0, 7);
        t.finish(20, false);
        assert_eq!(t.lanes.iter().map(|l| l.max_in_flight).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(t.max_in_flight(), 3);
        assert_eq!(t.bars_ns(), 10 + 10 + 10 + 10 + 2, "totals outlive the spans");
        assert!(t.bars.is_empty());
    }

    #[test]
    fn profile_splits_running_from_waiting() {
        let mut t = Timeline::default();
        t.push_bar(bar(0, 0, 100));
        t.push_wait(Wait { worker: 0, kind: WaitKind::Gil, start_ns: 50, end_ns: 100 });
        t.finish(200, true);
        let cells = t.profile(0, 4);
        assert_eq!(cells.iter().map(Cell::running).collect::<Vec<_>>(), vec![1.0, 0.0, 0.0, 0.0]);
        assert_eq!(cells.iter().map(Cell::waiting).collect::<Vec<_>>(), vec![0.0, 1.0, 0.0, 0.0]);
        t.cpu.push(CpuSample { start_ns: 0, end_ns: 100, busy: vec![0.5, 1.0] });
        assert_eq!(t.core_profile(1, 2), vec![1.0, 0.0]);
        assert_eq!(t.cores(), 2);
    }
}
