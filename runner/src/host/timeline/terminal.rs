//! A timeline in the terminal: one line per worker and one per core, each
//! cell a slice of the run's wall time drawn with a Unicode block.

use super::Timeline;

/// Shades for a running fraction, from nothing to all of the slice.
const SHADES: [char; 5] = [' ', '░', '▒', '▓', '█'];
/// Heights for a load or a count in flight.
const LEVELS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// What a slice spent mostly waiting (for the lock or for IO) looks like.
const WAITING: char = '─';
/// Width of the label column.
const LABEL: usize = 10;

/// Lines for `timeline`, `width` characters wide in all.
pub(crate) fn render(timeline: &Timeline, width: usize) -> String {
    let cells = width.saturating_sub(LABEL + 2).clamp(10, 400);
    let mut out = String::new();
    for lane in &timeline.lanes {
        let profile = timeline.profile(lane.worker, cells);
        let most = lane.max_in_flight;
        let line: String = if most > 1 {
            // Async: how many units were in flight, relative to the most.
            profile.iter().map(|c| level(c.in_flight / most as f64)).collect()
        } else {
            profile
                .iter()
                .map(|c| match (c.running(), c.waiting()) {
                    (run, wait) if wait > run && wait >= 0.25 => WAITING,
                    (run, _) => shade(run),
                })
                .collect()
        };
        let note = if most > 1 { format!(" up to {most} in flight") } else { String::new() };
        out.push_str(&format!("{:>LABEL$} │{line}│{note}\n", format!("worker {}", lane.worker)));
    }
    for core in 0..timeline.cores() {
        let line: String = timeline.core_profile(core, cells).into_iter().map(level).collect();
        out.push_str(&format!("{:>LABEL$} │{line}│\n", format!("cpu{core}")));
    }
    let end = format!("{:.3} s", timeline.span_ns() as f64 / 1e9);
    out.push_str(&format!("{:>LABEL$}  0 s{end:>w$}\n", "", w = cells.saturating_sub(3)));
    if timeline.dropped > 0 {
        out.push_str(&format!("{:>LABEL$}  ({} spans not drawn)\n", "", timeline.dropped));
    }
    out
}

/// The legend printed once under all timelines.
pub(crate) fn legend() -> String {
    format!(
        "{:>LABEL$}  █ running a unit  ▒ part of the time  {WAITING} waiting (interpreter lock or IO)  ▁▃▅█ load / units in flight\n",
        "key:"
    )
}

fn shade(fraction: f64) -> char {
    SHADES[((fraction * 4.0).round() as usize).min(4)]
}

fn level(fraction: f64) -> char {
    if fraction <= 0.02 {
        return ' ';
    }
    LEVELS[((fraction * 8.0).ceil() as usize).clamp(1, 8)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::timeline::{Bar, Lane, Wait};
    use crate::protocol::WaitKind;

    #[test]
    fn lanes_show_running_waiting_and_idle() {
        let mut t = Timeline {
            lanes: vec![Lane { worker: 0, pid: 1, max_in_flight: 0 }, Lane { worker: 1, pid: 1, max_in_flight: 0 }],
            ..Timeline::default()
        };
        t.push_bar(Bar { worker: 0, unit: 0, start_ns: 0, end_ns: 50, failed: false });
        t.push_bar(Bar { worker: 1, unit: 1, start_ns: 0, end_ns: 100, failed: false });
        t.push_wait(Wait { worker: 1, kind: WaitKind::Gil, start_ns: 0, end_ns: 50 });
        t.finish(100, true);
        let text = render(&t, LABEL + 2 + 10);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "  worker 0 │█████     │");
        assert_eq!(lines[1], "  worker 1 │─────█████│");
        assert!(lines[2].ends_with("0.000 s"), "{text}");
    }
}
