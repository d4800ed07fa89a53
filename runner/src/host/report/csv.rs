//! `--format csv`: one row per strategy of every scenario, with a header row
//! per scenario, for spreadsheets. Times in seconds, memory in bytes; the
//! interval and noise columns come last, so older readers' columns keep their place.

use super::Report;
use super::exporter::{Exporter, each_scenario};

/// The CSV exporter.
#[derive(Debug, Default)]
pub(crate) struct Csv;

const HEADER: &str = "scenario,strategy,kind,workers,wall_median_s,wall_min_s,wall_max_s,cpu_s,max_rss_bytes,\
speedup,units_failed,units_per_s,efficiency,verified,ok,wall_ci_lo_s,wall_ci_hi_s,speedup_ci_lo,speedup_ci_hi,\
ci_confidence,noise";

impl Exporter for Csv {
    fn export(&self, reports: &[Report<'_>]) -> Result<String, String> {
        Ok(each_scenario(reports, |report| self.render(report)))
    }
}

impl Csv {
    fn render(&self, report: &Report<'_>) -> String {
        let scenario = report.scenario;
        let mut rows = vec![HEADER.to_owned()];
        let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        for summary in report.summaries {
            let entry = &scenario.strategies[summary.index];
            rows.push(
                [
                    quote(&scenario.name),
                    quote(&entry.label),
                    entry.spec.kind.name().to_owned(),
                    entry.spec.workers.to_string(),
                    number(summary.wall_s.map(|s| s.median)),
                    number(summary.wall_s.map(|s| s.min)),
                    number(summary.wall_s.map(|s| s.max)),
                    number(summary.cpu_s.map(|s| s.median)),
                    summary.max_rss_bytes.map(|b| b.to_string()).unwrap_or_default(),
                    number(summary.speedup.map(|s| s.median)),
                    number(summary.units_failed),
                    number(summary.units_per_s),
                    number(summary.efficiency),
                    summary.verified.to_string(),
                    summary.all_succeeded().to_string(),
                    number(summary.wall_ci.map(|i| i.lo)),
                    number(summary.wall_ci.map(|i| i.hi)),
                    number(summary.speedup_ci.map(|i| i.lo)),
                    number(summary.speedup_ci.map(|i| i.hi)),
                    number(summary.wall_ci.map(|i| i.confidence)),
                    quote(&super::text::noise(summary, &entry.label).unwrap_or_default()),
                ]
                .join(","),
            );
        }
        rows.join("\n")
    }
}

/// Controls escaped, RFC 4180 quoting where needed.
fn quote(field: &str) -> String {
    crate::host::sanitize::csv_field(field)
}
