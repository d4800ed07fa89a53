//! `[grading]`: whose verdict grades a lab's runs. By default, when a
//! submission stands in for the scenario's plugin (`--plugin NAME=PATH`), the
//! scenario's own library verifies the results in a process of its own; a lab
//! can name another verifier, or say that the submission's own verdict counts
//! (for workloads whose verdict needs the run's memory, such as a shared
//! counter), which reports then mark as the submission's.

use std::path::Path;

use toml::Spanned;

use super::error::Located;
use super::model::Verifier;
use super::raw::RawGrading;
use crate::host::plugin::{ManifestSource, PluginRef};

/// `[grading] verifier`, as written.
#[derive(Debug, Clone)]
pub(crate) enum VerifierSetting {
    Scenario,
    Submission,
    Library(Spanned<String>),
}

/// Reads `[grading] verifier`.
pub(crate) fn verifier_setting(raw: Option<&Spanned<RawGrading>>) -> Result<VerifierSetting, Located> {
    let Some(value) = raw.and_then(|g| g.get_ref().verifier.as_ref()) else {
        return Ok(VerifierSetting::Scenario);
    };
    match value.get_ref().trim() {
        "scenario" => Ok(VerifierSetting::Scenario),
        "submission" => Ok(VerifierSetting::Submission),
        "" => Err(Located::new(value.span(), "`verifier` is empty")
            .help("expected one of: \"scenario\", \"submission\", or a plugin name or library path")),
        _ => Ok(VerifierSetting::Library(value.clone())),
    }
}

impl VerifierSetting {
    /// Whose verdict counts for a workload of `plugin`.
    pub(crate) fn resolve(
        &self,
        plugin: &PluginRef,
        base_dir: &Path,
        manifests: &mut dyn ManifestSource,
    ) -> Result<Verifier, Located> {
        match self {
            VerifierSetting::Library(name) => manifests
                .resolve_reference(&PluginRef::parse(name.get_ref(), base_dir))
                .map(Verifier::Instructor)
                .map_err(|e| Located::new(name.span(), format!("the verifier: {e}"))),
            VerifierSetting::Submission => {
                Ok(if manifests.reference(plugin).is_some() { Verifier::Submission } else { Verifier::InRun })
            }
            VerifierSetting::Scenario => Ok(match manifests.reference(plugin) {
                None => Verifier::InRun,
                Some(Ok(library)) => Verifier::Instructor(library),
                Some(Err(e)) => {
                    tracing::warn!(
                        "the scenario's own plugin is not on the search path ({e}); the submission's verdict counts"
                    );
                    Verifier::Submission
                }
            }),
        }
    }
}
