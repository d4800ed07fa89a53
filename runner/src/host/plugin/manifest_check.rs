//! What the host checks in a plugin's manifest when it arrives, before any
//! scenario is validated against it: each workload name once, each parameter
//! name once per workload, and each default of its parameter's declared type
//! (the JSON of a default does not say which type it meant).

use std::collections::HashSet;
use std::path::Path;

use runner_sdk::{Manifest, ParamType, ParamValue};

use crate::protocol::LoadError;

/// `manifest` if it holds together, else why not.
pub(crate) fn check_manifest(path: &Path, manifest: Manifest) -> Result<Manifest, LoadError> {
    let bad = |reason: String| LoadError::BadManifest { path: path.to_owned(), reason };
    let mut workloads = HashSet::new();
    for workload in &manifest.workloads {
        if !workloads.insert(workload.name.as_str()) {
            return Err(bad(format!("two workloads are named `{}`", workload.name)));
        }
        let mut params = HashSet::new();
        for param in &workload.params {
            if !params.insert(param.name.as_str()) {
                return Err(bad(format!("workload `{}` declares parameter `{}` twice", workload.name, param.name)));
            }
            let fits = match (param.kind, &param.default) {
                (ParamType::Int, ParamValue::Int(_)) | (ParamType::Bool, ParamValue::Bool(_)) => true,
                (ParamType::Float, ParamValue::Float(f)) => f.is_finite(),
                (ParamType::Float, ParamValue::Int(_)) => true,
                (ParamType::String | ParamType::Path, ParamValue::String(_)) => true,
                (ParamType::Table, ParamValue::Table(_)) => true,
                _ => false,
            };
            if !fits {
                return Err(bad(format!(
                    "parameter `{}` of workload `{}` is declared {} but its default is {}",
                    param.name,
                    workload.name,
                    param.kind.with_article(),
                    param.default
                )));
            }
        }
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use runner_sdk::{ParamSpec, WorkloadInfo};

    use super::*;

    fn manifest(workloads: Vec<WorkloadInfo>) -> Manifest {
        Manifest { name: "p".into(), version: "1".into(), description: String::new(), workloads }
    }

    fn workload(name: &str, params: Vec<ParamSpec>) -> WorkloadInfo {
        WorkloadInfo { name: name.into(), description: String::new(), params, async_units: false }
    }

    #[test]
    fn duplicates_and_mistyped_defaults_are_refused() {
        let path = Path::new("/p.so");
        let ok = manifest(vec![workload("a", vec![ParamSpec::int("n", 1, ""), ParamSpec::path("f", "")])]);
        assert!(check_manifest(path, ok).is_ok());
        let twice = manifest(vec![workload("a", vec![]), workload("a", vec![])]);
        let err = check_manifest(path, twice).unwrap_err().to_string();
        assert!(err.contains("two workloads are named `a`"), "{err}");
        let mut mistyped = ParamSpec::string("n", "ten", "");
        mistyped.kind = ParamType::Int;
        let err = check_manifest(path, manifest(vec![workload("a", vec![mistyped])])).unwrap_err().to_string();
        assert!(
            err.contains("parameter `n` of workload `a` is declared an integer but its default is \"ten\""),
            "{err}"
        );
        let params = vec![ParamSpec::int("n", 1, ""), ParamSpec::int("n", 2, "")];
        assert!(check_manifest(path, manifest(vec![workload("a", params)])).is_err());
    }
}
