//! One worker's spans laid on tracks whose slices nest, as trace viewers
//! (Perfetto, chrome://tracing) require of a thread track: any two slices on
//! a track are either disjoint or one inside the other. A worker that runs one
//! unit after another needs one track; an async worker with many units in
//! flight needs as many as it had at once. A wait goes inside the unit it
//! happened in, or in a gap between units (a lock wait at a switch point);
//! one that straddles a unit's edge (clock skew, a unit that ended in the
//! middle of it) goes on a track of waits of its own, never across a slice.

use super::{Bar, Wait};

/// Which track each of a worker's spans goes on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tracks {
    /// Tracks holding units (and the waits that fit among them): the first
    /// is the worker's own, the rest its further units in flight.
    pub(crate) unit_tracks: usize,
    /// Tracks holding only waits, after the unit tracks.
    pub(crate) wait_tracks: usize,
    /// The track of each bar, in the order given.
    pub(crate) bar_track: Vec<usize>,
    /// The track of each wait, in the order given.
    pub(crate) wait_track: Vec<usize>,
}

/// Lays `bars` and `waits` (one worker's, each sorted by start) on tracks.
pub(crate) fn lay_out(bars: &[Bar], waits: &[Wait]) -> Tracks {
    let mut tracks = Tracks::default();
    // Units: the first track free at the unit's start (greedy interval
    // colouring, optimal for intervals taken in start order).
    let mut unit_ends: Vec<u64> = Vec::new();
    let mut on_track: Vec<Vec<(u64, u64)>> = Vec::new();
    for bar in bars {
        let track = match unit_ends.iter().position(|&end| end <= bar.start_ns) {
            Some(track) => track,
            None => {
                unit_ends.push(0);
                on_track.push(Vec::new());
                unit_ends.len() - 1
            }
        };
        unit_ends[track] = bar.end_ns.max(bar.start_ns);
        on_track[track].push((bar.start_ns, bar.end_ns.max(bar.start_ns)));
        tracks.bar_track.push(track);
    }
    tracks.unit_tracks = on_track.len().max(1);
    let mut last_wait_end = vec![0u64; tracks.unit_tracks];
    let mut wait_ends: Vec<u64> = Vec::new();
    for wait in waits {
        let (start, end) = (wait.start_ns, wait.end_ns.max(wait.start_ns));
        // Inside a unit if one holds it, else in a gap between units.
        let fits = |track: usize, want_inside: bool| {
            let spans: &[(u64, u64)] = on_track.get(track).map_or(&[], Vec::as_slice);
            let next = spans.partition_point(|&(s, _)| s <= start);
            let inside = next > 0 && spans[next - 1].1 >= end;
            let in_gap = (next == 0 || spans[next - 1].1 <= start) && spans.get(next).is_none_or(|&(s, _)| s >= end);
            (if want_inside { inside } else { in_gap }) && last_wait_end[track] <= start
        };
        let inside = (0..tracks.unit_tracks).find(|&t| fits(t, true));
        let track = match inside.or_else(|| (0..tracks.unit_tracks).find(|&t| fits(t, false))) {
            Some(track) => {
                last_wait_end[track] = end;
                track
            }
            None => {
                let extra = match wait_ends.iter().position(|&e| e <= start) {
                    Some(extra) => extra,
                    None => {
                        wait_ends.push(0);
                        wait_ends.len() - 1
                    }
                };
                wait_ends[extra] = end;
                tracks.unit_tracks + extra
            }
        };
        tracks.wait_track.push(track);
    }
    tracks.wait_tracks = wait_ends.len();
    tracks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::WaitKind;

    fn bar(start_ns: u64, end_ns: u64) -> Bar {
        Bar { worker: 0, unit: 0, start_ns, end_ns, failed: false }
    }

    fn wait(start_ns: u64, end_ns: u64) -> Wait {
        Wait { worker: 0, kind: WaitKind::Gil, start_ns, end_ns }
    }

    #[test]
    fn one_after_another_is_one_track_and_overlap_opens_more() {
        let t = lay_out(&[bar(0, 10), bar(10, 20), bar(20, 30)], &[]);
        assert_eq!((t.unit_tracks, t.bar_track), (1, vec![0, 0, 0]));
        let t = lay_out(&[bar(0, 10), bar(2, 12), bar(4, 6), bar(10, 14)], &[]);
        assert_eq!((t.unit_tracks, t.bar_track), (3, vec![0, 1, 2, 0]));
        assert_eq!(lay_out(&[], &[]).unit_tracks, 1, "a worker always has its own track");
    }

    #[test]
    fn waits_go_inside_units_or_between_them_never_across_an_edge() {
        let bars = [bar(0, 10), bar(20, 30)];
        let waits = [wait(2, 5), wait(5, 9), wait(10, 20), wait(25, 35), wait(40, 50)];
        let t = lay_out(&bars, &waits);
        assert_eq!(t.wait_track, vec![0, 0, 0, 1, 0]);
        assert_eq!((t.unit_tracks, t.wait_tracks), (1, 1));
    }

    #[test]
    fn a_wait_finds_the_unit_it_happened_in_on_any_track() {
        let bars = [bar(0, 10), bar(5, 30)];
        let t = lay_out(&bars, &[wait(12, 14)]);
        assert_eq!((t.bar_track.clone(), t.wait_track), (vec![0, 1], vec![1]), "inside its unit, not in a gap");
        let t = lay_out(&[bar(0, 100), bar(5, 30)], &[wait(6, 8), wait(7, 9)]);
        assert_eq!(t.wait_track, vec![0, 1], "overlapping waits never share a track");
    }
}
