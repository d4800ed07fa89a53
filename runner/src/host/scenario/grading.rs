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

/// `[grading] inconclusive`: what a check that stays inconclusive (its
/// figures' intervals straddle its line, or noise disturbed them) earns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum InconclusivePolicy {
    /// No points, and the scenario does not hold (the default).
    #[default]
    Fail,
    /// Full points, and it does not stop the scenario holding.
    Pass,
    /// Half the points; the scenario does not hold.
    Half,
}

impl InconclusivePolicy {
    /// The share of its points an inconclusive check earns.
    pub(crate) fn share(self) -> f64 {
        match self {
            InconclusivePolicy::Fail => 0.0,
            InconclusivePolicy::Pass => 1.0,
            InconclusivePolicy::Half => 0.5,
        }
    }

    /// How reports name it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            InconclusivePolicy::Fail => "fail",
            InconclusivePolicy::Pass => "pass",
            InconclusivePolicy::Half => "half",
        }
    }
}

/// Reads `[grading] inconclusive`.
pub(crate) fn inconclusive_policy(raw: Option<&Spanned<RawGrading>>) -> Result<InconclusivePolicy, Located> {
    let Some(value) = raw.and_then(|g| g.get_ref().inconclusive.as_ref()) else {
        return Ok(InconclusivePolicy::default());
    };
    match value.get_ref().trim() {
        "fail" => Ok(InconclusivePolicy::Fail),
        "pass" => Ok(InconclusivePolicy::Pass),
        "half" => Ok(InconclusivePolicy::Half),
        other => Err(Located::new(value.span(), format!("unknown `inconclusive` policy `{other}`"))
            .help("expected one of: \"fail\" (the default), \"pass\", \"half\"")),
    }
}
