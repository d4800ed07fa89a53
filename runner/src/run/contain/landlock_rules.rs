//! Landlock for the run's process (inherited by all it forks): the
//! filesystem read-only except the scratch directory and a few devices,
//! nothing at all under the private directories, TCP only as the plan says,
//! and (ABI 6+) no signal to, and no abstract socket of, a process outside
//! the run. Landlock also stops a sandboxed process from ptracing (or opening
//! `/proc/PID/fd/…` of) any process outside its domain: the runner's
//! descriptors are out of reach even to a run of the same uid.
//!
//! Landlock only allows: "everything except a private directory" is built as
//! a read rule on every sibling along the path from `/` down to it, none on
//! the private directory itself or its ancestors (which stay traversable,
//! as Landlock does not check path walks, but cannot be listed).

use std::path::{Path, PathBuf};

use landlock::{
    ABI, Access, AccessFs, AccessNet, BitFlags, CompatLevel, Compatible, NetPort, PathBeneath, PathFd, Ruleset,
    RulesetAttr, RulesetCreated, RulesetCreatedAttr, RulesetStatus, Scope,
};

use crate::protocol::contain::{ChildPlan, Protections};

/// The newest ABI this code asks for; older kernels get what they have (best effort), and the report says so.
const WANTED: ABI = ABI::V6;

/// Devices any program may need to write (discarding output, `isatty` checks).
const WRITABLE_DEVICES: &[&str] = &["/dev/null", "/dev/zero", "/dev/full", "/dev/tty"];

/// Builds and enforces the ruleset, recording `landlock_fs`, `landlock_net`
/// and `landlock_scope` separately (each may be missing on an older kernel).
pub(crate) fn apply(plan: &ChildPlan, report: &mut Protections) {
    let abi = match crate::machine::landlock_abi() {
        Ok(v) => v,
        Err(why) => {
            for name in ["landlock_fs", "landlock_net", "landlock_scope"] {
                report.unavailable(name, format!("no Landlock on this kernel ({why})"));
            }
            return;
        }
    };
    let outcome = build(plan, abi).and_then(|(ruleset, details)| {
        let status = ruleset.restrict_self().map_err(|e| format!("landlock_restrict_self: {e}"))?;
        Ok((status.ruleset, details))
    });
    match outcome {
        Ok((RulesetStatus::NotEnforced, _)) => {
            for name in ["landlock_fs", "landlock_net", "landlock_scope"] {
                report.unavailable(name, format!("Landlock ABI {abi} enforced nothing"));
            }
        }
        Ok((_, details)) => {
            report.applied("landlock_fs", details.fs);
            report.record("landlock_net", details.net);
            report.record("landlock_scope", details.scope);
        }
        Err(why) => {
            for name in ["landlock_fs", "landlock_net", "landlock_scope"] {
                report.unavailable(name, format!("Landlock ABI {abi}: {why}"));
            }
        }
    }
}

struct Details {
    fs: String,
    net: Result<String, String>,
    scope: Result<String, String>,
}

fn build(plan: &ChildPlan, abi: i64) -> Result<(RulesetCreated, Details), String> {
    let err = |e: landlock::RulesetError| e.to_string();
    let read = AccessFs::from_read(WANTED);
    let all = AccessFs::from_all(WANTED);
    let net_wanted = abi >= 4;
    let mut ruleset = Ruleset::default().set_compatibility(CompatLevel::BestEffort).handle_access(all).map_err(err)?;
    let mut net_access = BitFlags::<AccessNet>::EMPTY;
    if net_wanted {
        // Bind is always handled (only port 0 may be allowed); connect only
        // when the plan lists ports.
        net_access |= AccessNet::BindTcp;
        if plan.net.connect_ports.is_some() {
            net_access |= AccessNet::ConnectTcp;
        }
        ruleset = ruleset.handle_access(net_access).map_err(err)?;
    }
    if abi >= 6 {
        ruleset = ruleset.scope(Scope::from_all(WANTED)).map_err(err)?;
    }
    let mut created = ruleset.create().map_err(err)?;

    let private: Vec<PathBuf> = plan.private_dirs.iter().filter_map(|p| p.canonicalize().ok()).collect();
    let mut readable_roots = Vec::new();
    read_roots(Path::new("/"), &private, &mut readable_roots);
    let mut rules = 0usize;
    for root in &readable_roots {
        created = add_path(created, root, read)?;
        rules += 1;
    }
    for file in &plan.readable {
        created = add_path(created, file, read)?;
        rules += 1;
    }
    for device in WRITABLE_DEVICES {
        if Path::new(device).exists() {
            created = add_path(created, Path::new(device), AccessFs::ReadFile | AccessFs::WriteFile)?;
        }
    }
    if let Some(scratch) = &plan.scratch_dir {
        created = add_path(created, scratch, all)?;
    }
    let fs = format!(
        "read-only everywhere ({rules} rules), writable: {}{}",
        plan.scratch_dir.as_ref().map_or("nothing (no scratch directory)".into(), |d| d.display().to_string()),
        if private.is_empty() {
            String::new()
        } else {
            format!("; unreadable: {}", private.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "))
        }
    );

    let net = if abi < 4 {
        Err(format!("TCP rules need Landlock ABI 4, the kernel has {abi}"))
    } else {
        if plan.net.bind_ephemeral {
            created = created.add_rule(NetPort::new(0, AccessNet::BindTcp)).map_err(err)?;
        }
        let mut text =
            if plan.net.bind_ephemeral { "bind: ephemeral ports only".to_owned() } else { "bind: none".into() };
        match &plan.net.connect_ports {
            Some(ports) => {
                for &port in ports {
                    created = created.add_rule(NetPort::new(port, AccessNet::ConnectTcp)).map_err(err)?;
                }
                text.push_str(&format!("; connect: ports {ports:?} only"));
            }
            None => text.push_str("; connect: any port (the plan lists none)"),
        }
        Ok(text)
    };
    let scope = if abi >= 6 {
        Ok("no signals to, no abstract sockets of, processes outside the run".into())
    } else {
        Err(format!("signal scoping needs Landlock ABI 6, the kernel has {abi}: the run can signal the runner"))
    };
    Ok((created, Details { fs, net, scope }))
}

fn add_path(created: RulesetCreated, path: &Path, access: BitFlags<AccessFs>) -> Result<RulesetCreated, String> {
    let fd = match PathFd::new(path) {
        Ok(fd) => fd,
        // Gone since it was listed (a racing temp file): nothing to allow.
        Err(_) => return Ok(created),
    };
    let is_dir = std::fs::metadata(path).map(|m| m.is_dir()).unwrap_or(false);
    let access = if is_dir { access } else { access & AccessFs::from_file(WANTED) };
    created.add_rule(PathBeneath::new(fd, access)).map_err(|e| format!("rule for {}: {e}", path.display()))
}

/// The largest subtrees of `dir` that hold no private directory.
fn read_roots(dir: &Path, private: &[PathBuf], out: &mut Vec<PathBuf>) {
    if private.iter().any(|p| p == dir) {
        return;
    }
    if !private.iter().any(|p| p.starts_with(dir)) {
        out.push(dir.to_owned());
        return;
    }
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        // A symlink is a leaf: its target is checked where it lives.
        if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            read_roots(&path, private, out);
        } else {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_roots_leave_out_private_dirs_and_keep_their_siblings() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        for sub in ["lab/private", "lab/public", "other"] {
            std::fs::create_dir_all(base.join(sub)).unwrap();
        }
        std::fs::write(base.join("lab/file"), "x").unwrap();
        let mut out = Vec::new();
        read_roots(&base, &[base.join("lab/private")], &mut out);
        out.sort();
        assert_eq!(out, vec![base.join("lab/file"), base.join("lab/public"), base.join("other")]);
    }

    #[test]
    fn without_private_dirs_the_whole_tree_is_one_rule() {
        let mut out = Vec::new();
        read_roots(Path::new("/"), &[], &mut out);
        assert_eq!(out, vec![PathBuf::from("/")]);
    }
}
