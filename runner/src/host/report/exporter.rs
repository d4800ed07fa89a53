//! The one shape every output format has (hyperfine's `Exporter`): all the
//! scenarios' reports in, the document out, or why it could not be made.
//! Stdout formats are given one scenario at a time as each finishes; file
//! formats are given every scenario of the call.

use super::Report;

/// One output format.
pub(crate) trait Exporter {
    /// The document for `reports`, ready to write.
    fn export(&self, reports: &[Report<'_>]) -> Result<String, String>;
}

/// For formats that render each scenario on its own: the renderings, one
/// after another.
pub(super) fn each_scenario(reports: &[Report<'_>], render: impl Fn(&Report<'_>) -> String) -> String {
    reports.iter().map(render).collect::<Vec<_>>().join("\n")
}
