//! A seccomp filter for the run's process (and everything it forks): system
//! calls a lecture workload never needs and a hostile plugin would use
//! against the grader or the machine end the run with a "forbidden
//! operation" verdict that names the call (`SECCOMP_RET_TRAP`, then
//! `forbidden.rs`). Installed last in the run's process, after the runner's
//! own set-up.
//!
//! Namespaces: `unshare`, `setns` and `clone` with any CLONE_NEW* flag are
//! denied. `clone3` passes its flags in memory, which a filter cannot read,
//! so it gets ENOSYS: glibc (2.34+) and Rust's std then fall back to `clone`,
//! which the filter can check (Docker's default profile does the same).
//!
//! Signals to processes outside the run are not a seccomp matter (a filter
//! cannot tell whose pid an argument is): Landlock's signal scope handles them.

use std::collections::BTreeMap;

use nix::libc;
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter, SeccompRule,
};

use crate::protocol::contain::Protections;

/// Denied outright: the caller gets `SIGSYS`.
const DENIED: &[(&str, i64)] = &[
    ("ptrace", libc::SYS_ptrace),
    ("process_vm_readv", libc::SYS_process_vm_readv),
    ("process_vm_writev", libc::SYS_process_vm_writev),
    ("mount", libc::SYS_mount),
    ("umount2", libc::SYS_umount2),
    ("pivot_root", libc::SYS_pivot_root),
    ("bpf", libc::SYS_bpf),
    ("perf_event_open", libc::SYS_perf_event_open),
    ("keyctl", libc::SYS_keyctl),
    ("add_key", libc::SYS_add_key),
    ("request_key", libc::SYS_request_key),
    ("kexec_load", libc::SYS_kexec_load),
    ("kexec_file_load", libc::SYS_kexec_file_load),
    ("init_module", libc::SYS_init_module),
    ("finit_module", libc::SYS_finit_module),
    ("delete_module", libc::SYS_delete_module),
    ("reboot", libc::SYS_reboot),
    ("swapon", libc::SYS_swapon),
    ("swapoff", libc::SYS_swapoff),
    ("settimeofday", libc::SYS_settimeofday),
    ("clock_settime", libc::SYS_clock_settime),
    ("clock_adjtime", libc::SYS_clock_adjtime),
    ("adjtimex", libc::SYS_adjtimex),
    ("unshare", libc::SYS_unshare),
    ("setns", libc::SYS_setns),
    ("iopl", libc::SYS_iopl),
    ("ioperm", libc::SYS_ioperm),
    ("userfaultfd", libc::SYS_userfaultfd),
    ("open_by_handle_at", libc::SYS_open_by_handle_at),
    ("name_to_handle_at", libc::SYS_name_to_handle_at),
    ("fsopen", libc::SYS_fsopen),
    ("fsmount", libc::SYS_fsmount),
    ("move_mount", libc::SYS_move_mount),
    ("open_tree", libc::SYS_open_tree),
    ("pidfd_getfd", libc::SYS_pidfd_getfd),
    ("kcmp", libc::SYS_kcmp),
    ("quotactl", libc::SYS_quotactl),
    ("acct", libc::SYS_acct),
    ("syslog", libc::SYS_syslog),
    ("sethostname", libc::SYS_sethostname),
    ("setdomainname", libc::SYS_setdomainname),
];

/// CLONE_NEW* flags that `clone`'s first argument may not carry.
const CLONE_NAMESPACE_FLAGS: &[u64] = &[
    libc::CLONE_NEWNS as u64,
    libc::CLONE_NEWUTS as u64,
    libc::CLONE_NEWIPC as u64,
    libc::CLONE_NEWUSER as u64,
    libc::CLONE_NEWPID as u64,
    libc::CLONE_NEWNET as u64,
    libc::CLONE_NEWCGROUP as u64,
];

fn arch() -> Result<seccompiler::TargetArch, String> {
    std::env::consts::ARCH.try_into().map_err(|_| format!("no seccomp filter for {}", std::env::consts::ARCH))
}

/// The name of a denied call, for the `SIGSYS` handler (async-signal-safe:
/// a scan of a static table).
pub(crate) fn name_of(number: i64) -> Option<&'static str> {
    if number == libc::SYS_clone {
        return Some("clone_with_namespace_flags");
    }
    DENIED.iter().find(|&&(_, nr)| nr == number).map(|&(name, _)| name)
}

/// Two programs: a trap for the denied calls, ENOSYS for clone3. Filters
/// stack; each call is matched by one of them at most.
pub(crate) fn build() -> Result<[BpfProgram; 2], String> {
    let arch = arch()?;
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = DENIED.iter().map(|&(_, nr)| (nr, Vec::new())).collect();
    let clone_rules = CLONE_NAMESPACE_FLAGS
        .iter()
        .map(|&flag| {
            let condition = SeccompCondition::new(0, SeccompCmpArgLen::Qword, SeccompCmpOp::MaskedEq(flag), flag)?;
            SeccompRule::new(vec![condition])
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    rules.insert(libc::SYS_clone, clone_rules);
    let trap = SeccompFilter::new(rules, SeccompAction::Allow, SeccompAction::Trap, arch).map_err(|e| e.to_string())?;
    let clone3 = SeccompFilter::new(
        BTreeMap::from([(libc::SYS_clone3, Vec::new())]),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOSYS as u32),
        arch,
    )
    .map_err(|e| e.to_string())?;
    Ok([
        trap.try_into().map_err(|e: seccompiler::BackendError| e.to_string())?,
        clone3.try_into().map_err(|e: seccompiler::BackendError| e.to_string())?,
    ])
}

/// Installs the filters on this (single-threaded) process.
pub(crate) fn apply(report: &mut Protections) {
    let result = build().and_then(|programs| {
        super::forbidden::install()?;
        for program in &programs {
            // Sets no_new_privs itself if needed (it was, before).
            seccompiler::apply_filter(program).map_err(|e| format!("seccomp: {e}"))?;
        }
        Ok(format!(
            "{} system calls end the run as a forbidden operation (ptrace, process_vm_*, mount, bpf, perf_event_open, keyctl, kexec, modules, \
             reboot, swap, clock setting, unshare/setns, clone with CLONE_NEW*…); clone3 returns ENOSYS",
            DENIED.len() + 1
        ))
    });
    report.record("seccomp", result);
}
