//! The machine's cgroups as either process sees them: which interface there
//! is, where a process sits in each hierarchy, and (for the run's process)
//! the task limit of the run cgroup the host put it in.

use std::fs;
use std::path::{Path, PathBuf};

pub(crate) const ROOT: &str = "/sys/fs/cgroup";
pub(crate) const V1_CONTROLLERS: &[&str] = &["memory", "pids", "cpuacct", "freezer"];
/// Which cgroup interface this machine has, if any, as the doctor says it.
pub(crate) fn version() -> Option<&'static str> {
    if Path::new(ROOT).join("cgroup.controllers").exists() {
        Some("v2")
    } else if V1_CONTROLLERS.iter().any(|c| Path::new(ROOT).join(c).join("cgroup.procs").exists()) {
        Some("v1")
    } else {
        None
    }
}

/// This process's cgroup path in hierarchy `controller` (`""` for v2).
pub(crate) fn own_path(controller: &str) -> Option<PathBuf> {
    let text = fs::read_to_string("/proc/self/cgroup").ok()?;
    text.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let (_, names, path) = (parts.next()?, parts.next()?, parts.next()?);
        let matches = if controller.is_empty() { names.is_empty() } else { names.split(',').any(|n| n == controller) };
        matches.then(|| PathBuf::from(path.trim_start_matches('/')))
    })
}

/// For the run's process: the pids.max of the run cgroup it was put in, if any.
pub(crate) fn own_run_pids_max() -> Option<u64> {
    let (controller, base) =
        if version() == Some("v2") { ("", ROOT.to_owned()) } else { ("pids", format!("{ROOT}/pids")) };
    let own = own_path(controller)?;
    let is_run_group = own.parent().and_then(Path::file_name).is_some_and(|n| n == "runner");
    if !is_run_group {
        return None;
    }
    read_u64(&Path::new(&base).join(own).join("pids.max"))
}

pub(crate) fn read_u64(path: &Path) -> Option<u64> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}
