//! A timeline as SVG: one lane per worker with a bar per unit (waits drawn
//! over it), then one strip per core with its sampled load, on one time axis.
//! Self-contained (its own `<style>`), so it can be embedded in a page or
//! saved alone.

use std::fmt::Write;

use super::{Cell, Timeline};
use crate::protocol::WaitKind;

const WIDTH: f64 = 960.0;
const LABEL: f64 = 110.0;
const PLOT: f64 = WIDTH - LABEL - 16.0;
const LANE: f64 = 22.0;
const CORE: f64 = 26.0;
const GAP: f64 = 4.0;
/// Above this many bars (or waits) on a lane, draw its profile per pixel
/// column instead of one rectangle each.
const MAX_SHAPES: usize = 3000;

const STYLE: &str = "<style>\
.tl text{font:13px sans-serif;fill:#222}.tl .lane{fill:#f3f3f3}.tl .unit{fill:#3b75af}\
.tl .failed{fill:#d62728}.tl .gil{fill:#f2b134}.tl .io{fill:#9ecae9}.tl .inflight{fill:#6a51a3}\
.tl .cpu{fill:#2ca02c}.tl .axis{stroke:#999;stroke-width:1}.tl .sep{stroke:#ccc;stroke-dasharray:3 3}</style>";

/// The SVG of `timeline`.
pub(crate) fn render(timeline: &Timeline) -> String {
    let span = timeline.span_ns() as f64;
    let x = |ns: u64| LABEL + ns as f64 / span * PLOT;
    let width = |start: u64, end: u64| (end.saturating_sub(start) as f64 / span * PLOT).max(0.5);
    let mut body = String::new();
    let mut y = 4.0;
    let distinct_pids = timeline.lanes.windows(2).any(|w| w[0].pid != w[1].pid);
    for lane in &timeline.lanes {
        let label = match distinct_pids {
            true => format!("process {}", lane.pid),
            false => format!("worker {}", lane.worker),
        };
        let _ = write!(body, r#"<text x="4" y="{:.1}">{}</text>"#, y + 15.0, escape_xml(&label));
        let _ = write!(body, r#"<rect class="lane" x="{LABEL}" y="{y:.1}" width="{PLOT}" height="{LANE}"/>"#);
        let (bars, waits) = (timeline.bars_of(lane.worker), timeline.waits_of(lane.worker));
        let most = lane.max_in_flight;
        if most > 1 {
            in_flight_area(&mut body, &timeline.profile(lane.worker, PLOT as usize), most, y);
            let _ = write!(
                body,
                r#"<text x="{:.1}" y="{:.1}" style="font-size:11px">up to {most} in flight</text>"#,
                LABEL + 4.0,
                y + 14.0
            );
        } else if bars.len() <= MAX_SHAPES && waits.len() <= MAX_SHAPES {
            for bar in bars {
                let class = if bar.failed { "failed" } else { "unit" };
                let _ = write!(
                    body,
                    r#"<rect class="{class}" x="{:.2}" y="{:.1}" width="{:.2}" height="{LANE}"><title>unit {}: {:.3}–{:.3} s</title></rect>"#,
                    x(bar.start_ns),
                    y,
                    width(bar.start_ns, bar.end_ns),
                    bar.unit,
                    bar.start_ns as f64 / 1e9,
                    bar.end_ns as f64 / 1e9
                );
            }
            for wait in waits {
                let _ = write!(
                    body,
                    r#"<rect class="{}" x="{:.2}" y="{:.1}" width="{:.2}" height="{:.1}"/>"#,
                    wait_class(wait.kind),
                    x(wait.start_ns),
                    y + 5.0,
                    width(wait.start_ns, wait.end_ns),
                    LANE - 10.0
                );
            }
        } else {
            profile_columns(&mut body, &timeline.profile(lane.worker, PLOT as usize), y);
        }
        y += LANE + GAP;
    }
    if timeline.cores() > 0 {
        let _ = write!(body, r#"<line class="sep" x1="0" x2="{WIDTH}" y1="{:.1}" y2="{:.1}"/>"#, y, y);
        y += GAP;
    }
    for core in 0..timeline.cores() {
        let _ = write!(body, r#"<text x="4" y="{:.1}">cpu{core}</text>"#, y + 17.0);
        let _ = write!(body, r#"<rect class="lane" x="{LABEL}" y="{y:.1}" width="{PLOT}" height="{CORE}"/>"#);
        if timeline.cpu.len() <= PLOT as usize {
            for sample in &timeline.cpu {
                let Some(&busy) = sample.busy.get(core) else { continue };
                let h = f64::from(busy) * CORE;
                let _ = write!(
                    body,
                    r#"<rect class="cpu" x="{:.2}" y="{:.1}" width="{:.2}" height="{h:.1}"/>"#,
                    x(sample.start_ns),
                    y + CORE - h,
                    // A hair wider, so that neighbouring samples leave no seam.
                    width(sample.start_ns, sample.end_ns) + 0.6
                );
            }
        } else {
            // A long run: more samples than pixels, so one column per pixel.
            for (i, load) in timeline.core_profile(core, PLOT as usize).into_iter().enumerate() {
                let h = load.min(1.0) * CORE;
                let _ = write!(
                    body,
                    r#"<rect class="cpu" x="{}" y="{:.1}" width="1" height="{h:.1}"/>"#,
                    LABEL + i as f64,
                    y + CORE - h
                );
            }
        }
        y += CORE + GAP;
    }
    axis(&mut body, span, y);
    y += 24.0;
    format!(
        r#"<svg class="timeline tl" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y:.0}" viewBox="0 0 {WIDTH} {y:.0}">{STYLE}{body}</svg>"#
    )
}

/// The colours' meaning, as a small SVG.
pub(crate) fn legend() -> String {
    let items = [
        ("unit", "running a unit"),
        ("gil", "waiting for the interpreter lock"),
        ("io", "waiting for IO"),
        ("failed", "failed unit"),
        ("inflight", "units in flight (async)"),
        ("cpu", "core load (host samples)"),
    ];
    let mut body = String::new();
    let mut x = 4.0;
    for (class, text) in items {
        let _ = write!(body, r#"<rect class="{class}" x="{x}" y="4" width="14" height="14"/>"#);
        let _ = write!(body, r#"<text x="{}" y="16">{text}</text>"#, x + 18.0);
        x += 24.0 + text.len() as f64 * 6.6;
    }
    format!(
        r#"<svg class="legend tl" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="22" viewBox="0 0 {WIDTH} 22">{STYLE}{body}</svg>"#
    )
}

fn wait_class(kind: WaitKind) -> &'static str {
    match kind {
        WaitKind::Gil => "gil",
        WaitKind::Io => "io",
    }
}

/// A lane of many short units: per pixel column, running and waiting stacked.
fn profile_columns(body: &mut String, cells: &[Cell], y: f64) {
    for (i, cell) in cells.iter().enumerate() {
        let (run, wait) = (cell.running() * LANE, cell.waiting() * LANE);
        let x = LABEL + i as f64;
        if run > 0.1 {
            let _ =
                write!(body, r#"<rect class="unit" x="{x}" y="{:.1}" width="1" height="{run:.1}"/>"#, y + LANE - run);
        }
        if wait > 0.1 {
            let class = if cell.waiting_gil >= cell.waiting_io { "gil" } else { "io" };
            let top = y + LANE - run - wait;
            let _ = write!(body, r#"<rect class="{class}" x="{x}" y="{top:.1}" width="1" height="{wait:.1}"/>"#);
        }
    }
}

/// An async lane: the number of units in flight, as an area.
fn in_flight_area(body: &mut String, cells: &[Cell], most: usize, y: f64) {
    let mut path = format!("M{LABEL},{:.1}", y + LANE);
    for (i, cell) in cells.iter().enumerate() {
        let h = (cell.in_flight / most as f64).min(1.0) * LANE;
        let _ =
            write!(path, " L{},{:.1} L{},{:.1}", LABEL + i as f64, y + LANE - h, LABEL + i as f64 + 1.0, y + LANE - h);
    }
    let _ = write!(path, " L{},{:.1} Z", LABEL + cells.len() as f64, y + LANE);
    let _ = write!(body, r#"<path class="inflight" d="{path}"/>"#);
}

/// Time axis with a few round ticks.
fn axis(body: &mut String, span_ns: f64, y: f64) {
    let _ = write!(body, r#"<line class="axis" x1="{LABEL}" x2="{}" y1="{y:.1}" y2="{y:.1}"/>"#, LABEL + PLOT);
    let step = nice_step(span_ns / 6.0);
    let mut t = 0.0;
    while t <= span_ns * 1.0001 {
        let x = LABEL + t / span_ns * PLOT;
        let _ = write!(body, r#"<line class="axis" x1="{x:.1}" x2="{x:.1}" y1="{y:.1}" y2="{:.1}"/>"#, y + 4.0);
        let _ = write!(body, r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#, y + 17.0, seconds(t));
        t += step;
    }
}

/// 1, 2 or 5 times a power of ten, at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let power = 10f64.powf(raw.max(1.0).log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * power).find(|s| *s >= raw).unwrap_or(10.0 * power)
}

fn seconds(ns: f64) -> String {
    match ns {
        0.0 => "0".to_owned(),
        ns if ns >= 1e9 => format!("{} s", ns / 1e9),
        ns if ns >= 1e6 => format!("{} ms", ns / 1e6),
        ns => format!("{} µs", ns / 1e3),
    }
}

/// Text made safe for XML and HTML.
pub(crate) fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::timeline::{Bar, Lane};

    #[test]
    fn one_rect_per_unit_and_a_lane_per_worker() {
        let mut t = Timeline {
            lanes: vec![Lane { worker: 0, pid: 7, max_in_flight: 0 }, Lane { worker: 1, pid: 8, max_in_flight: 0 }],
            ..Timeline::default()
        };
        for (worker, unit) in [(0, 0), (0, 1), (1, 2)] {
            t.push_bar(Bar { worker, unit, start_ns: unit * 10, end_ns: unit * 10 + 10, failed: false });
        }
        t.finish(30, true);
        let svg = render(&t);
        assert_eq!(svg.matches(r#"class="unit""#).count(), 3);
        assert_eq!(svg.matches(r#"class="lane""#).count(), 2);
        assert!(svg.contains("process 8"));
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(1.7e8), 2e8);
        assert_eq!(nice_step(4e6), 5e6);
        assert_eq!(escape_xml("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
    }
}
