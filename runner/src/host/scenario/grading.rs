//! `[grading]`: whose verdict grades a lab's runs. By default, when a
//! submission stands in for the scenario's plugin (`--plugin NAME=PATH`), the
//! scenario's own library verifies the results in a process of its own; a lab
//! can name another verifier, or say that the submission's own verdict counts
//! (for workloads whose verdict needs the run's memory, such as a shared
//! counter), which reports then mark as the submission's.
//!
//! `runner grade` also reads here how a submission becomes a library: a
//! `build` command, where the `library` lands, and the build's time limit.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use super::error::Located;
use super::model::{SubmissionLayout, Verifier};
use super::raw::{RawGrading, RawWorkload};
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

/// A build may take this long unless the lab says otherwise.
const DEFAULT_BUILD_TIMEOUT_S: f64 = 300.0;
const MAX_BUILD_TIMEOUT_S: f64 = 86_400.0;

/// Reads `[grading] build`, `library` and `build_timeout`.
pub(crate) fn submission_layout(
    raw: Option<&Spanned<RawGrading>>,
    workload: &RawWorkload,
) -> Result<SubmissionLayout, Located> {
    let plugin = workload.plugin.get_ref();
    let plugin = match PluginRef::parse(plugin, Path::new("/")) {
        PluginRef::Name(name) => Some(name),
        PluginRef::Path(_) => None,
    };
    let grading = raw.map(Spanned::get_ref);
    let build = match grading.and_then(|g| g.build.as_ref()) {
        Some(command) if command.get_ref().trim().is_empty() => {
            return Err(Located::new(command.span(), "`build` is empty")
                .help("a shell command run in the submission's directory, e.g. `build = \"make\"`"));
        }
        Some(command) => Some(command.get_ref().clone()),
        None => None,
    };
    let library = match grading.and_then(|g| g.library.as_ref()) {
        Some(path) => Some(relative_inside(path.get_ref()).ok_or_else(|| {
            Located::new(path.span(), "`library` must be a relative path inside the submission's directory")
                .help("e.g. `library = \"target/release/liblab.so\"` (no `..`, no leading `/`)")
        })?),
        None => None,
    };
    let build_timeout = match grading.and_then(|g| g.build_timeout.as_ref()) {
        None => Duration::from_secs_f64(DEFAULT_BUILD_TIMEOUT_S),
        Some(t) if (1.0..=MAX_BUILD_TIMEOUT_S).contains(t.get_ref()) => Duration::from_secs_f64(*t.get_ref()),
        Some(t) => {
            return Err(Located::new(
                t.span(),
                format!("`build_timeout` must be from 1 to {MAX_BUILD_TIMEOUT_S} seconds, found {}", t.get_ref()),
            )
            .help("seconds the build may take, e.g. `build_timeout = 120`"));
        }
    };
    Ok(SubmissionLayout { plugin, build, library, build_timeout })
}

/// `text` as a path that stays inside the directory it is taken from.
fn relative_inside(text: &str) -> Option<PathBuf> {
    let path = Path::new(text.trim());
    let inside =
        !text.trim().is_empty() && path.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    inside.then(|| path.to_owned())
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
