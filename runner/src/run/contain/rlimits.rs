//! Resource limits of the run's process, set by that process before the
//! plugin loads; inherited by every process it forks.
//!
//! Measured choices (see `contain/mod.rs` for the numbers):
//! - memory: RLIMIT_DATA, not RLIMIT_AS. RLIMIT_AS counts address space that
//!   is only reserved: glibc reserves 64 MiB per malloc arena (up to 8 per
//!   core) and every thread its stack, so io_bound's 64 threads need over
//!   1 GiB of address space while touching a few MiB. RLIMIT_DATA (Linux ≥
//!   4.7) counts private writable mappings, so PROT_NONE reservations are
//!   free. It is per process; the cgroup bounds the run as a whole.
//! - processes: RLIMIT_NPROC counts every task of the real uid on the
//!   machine (root with CAP_SYS_RESOURCE is not bounded at all, and once the
//!   run drops its capabilities it would count the whole machine's root
//!   processes), so it is set only as "what the uid has now + the run's
//!   allowance", and not at all when a cgroup's pids.max bounds the run.
//! - CPU: soft at the limit (SIGXCPU), hard 1 s later (SIGKILL).

use nix::sys::resource::{Resource, getrlimit, setrlimit};

use crate::protocol::contain::{ChildPlan, Protections};

/// Sets every rlimit of the plan, recording each.
pub(crate) fn apply(plan: &ChildPlan, report: &mut Protections) {
    let limits = &plan.limits;
    report.record("rlimit_memory", set("RLIMIT_DATA", Resource::RLIMIT_DATA, limits.memory_bytes, limits.memory_bytes));
    report.record(
        "rlimit_open_files",
        set("RLIMIT_NOFILE", Resource::RLIMIT_NOFILE, limits.open_files, limits.open_files),
    );
    report.record(
        "rlimit_file_size",
        set("RLIMIT_FSIZE", Resource::RLIMIT_FSIZE, limits.write_bytes, limits.write_bytes),
    );
    let cpu = limits.cpu_time.as_secs().max(1);
    report.record("rlimit_cpu", set("RLIMIT_CPU", Resource::RLIMIT_CPU, cpu, cpu + 1));
    report.record("rlimit_core", set("RLIMIT_CORE", Resource::RLIMIT_CORE, 0, 0));
    report.record("rlimit_processes", processes(plan));
}

fn processes(plan: &ChildPlan) -> Result<String, String> {
    let allowance = plan.limits.processes_for(plan.workers);
    // The host says so, or the run finds itself in a run cgroup with a pids.max.
    let bound = if plan.cgroup_bounds_tasks { Some(allowance) } else { crate::machine::cgroup::own_run_pids_max() };
    if let Some(max) = bound {
        return Ok(format!(
            "not set: the cgroup's pids.max bounds the run to {max} tasks (RLIMIT_NPROC is per uid, machine-wide)"
        ));
    }
    // SAFETY: getuid cannot fail and touches no memory.
    let uid = unsafe { nix::libc::getuid() };
    let now = tasks_of_uid(uid);
    let limit = now + allowance;
    set("RLIMIT_NPROC", Resource::RLIMIT_NPROC, limit, limit)
        .map(|d| format!("{d} (uid {uid} has {now} tasks machine-wide; the limit is per uid, not per run)"))
}

/// Lowers (never raises) a limit; says the values in force.
fn set(label: &str, resource: Resource, soft: u64, hard: u64) -> Result<String, String> {
    let (cur_soft, cur_hard) = getrlimit(resource).map_err(|e| format!("getrlimit({label}): {e}"))?;
    // Never above the current hard limit: raising it needs a privilege the
    // run is about to give up, and an operator's lower limit stays.
    let hard = hard.min(cur_hard);
    let soft = soft.min(hard);
    if (soft, hard) != (cur_soft, cur_hard) {
        setrlimit(resource, soft, hard).map_err(|e| format!("setrlimit({label}, {soft}, {hard}): {e}"))?;
    }
    Ok(format!("{label} {soft} / {hard}"))
}

/// Tasks (threads) whose real uid is `uid`, as RLIMIT_NPROC counts them.
fn tasks_of_uid(uid: u32) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let name = entry.file_name();
        if !name.as_encoded_bytes().first().is_some_and(u8::is_ascii_digit) {
            continue;
        }
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else { continue };
        let field = |key: &str| status.lines().find_map(|l| l.strip_prefix(key)).map(str::trim);
        let real_uid = field("Uid:").and_then(|v| v.split_whitespace().next()?.parse::<u32>().ok());
        if real_uid == Some(uid) {
            total += field("Threads:").and_then(|v| v.parse::<u64>().ok()).unwrap_or(1);
        }
    }
    total
}
