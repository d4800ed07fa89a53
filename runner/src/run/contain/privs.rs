//! Privileges of the run's process: `PR_SET_NO_NEW_PRIVS`, and every
//! capability given up when the runner runs as root (the grader does in CI).
//! Runs in the run's process, single-threaded, before the plugin loads.
//!
//! The run needs no capability: it reads files readable by its uid, writes
//! only its scratch directory (made by the runner, same uid), forks and uses
//! loopback sockets. So all are dropped: bounding set (so an `exec` of a
//! root-owned binary cannot get them back), ambient, inheritable, permitted
//! and effective, with SECBIT_NOROOT locked so uid 0 gains nothing at exec.

use nix::libc;

use crate::protocol::contain::Protections;

/// Sets no_new_privs, recording it.
pub(crate) fn apply_no_new_privs(report: &mut Protections) {
    report.record("no_new_privs", no_new_privs());
}

/// Drops every capability, recording it.
pub(crate) fn apply_drop_capabilities(report: &mut Protections) {
    report.record("capabilities", drop_capabilities());
}

fn no_new_privs() -> Result<String, String> {
    // SAFETY: prctl with integer arguments only.
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(format!("prctl(PR_SET_NO_NEW_PRIVS): {}", std::io::Error::last_os_error()));
    }
    Ok("set: no exec can gain privileges (setuid, file capabilities)".into())
}

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const LINUX_CAPABILITY_VERSION_3: u32 = 0x2008_0522;
const SECBIT_NOROOT: libc::c_ulong = 1 << 0;
const SECBIT_NOROOT_LOCKED: libc::c_ulong = 1 << 1;
const SECBIT_NO_SETUID_FIXUP: libc::c_ulong = 1 << 2;
const SECBIT_NO_SETUID_FIXUP_LOCKED: libc::c_ulong = 1 << 3;

fn current_capabilities() -> Result<[CapData; 2], String> {
    let mut header = CapHeader { version: LINUX_CAPABILITY_VERSION_3, pid: 0 };
    let mut data = [CapData::default(); 2];
    // SAFETY: capget writes two CapData (version 3) through valid pointers.
    if unsafe { libc::syscall(libc::SYS_capget, &mut header, data.as_mut_ptr()) } != 0 {
        return Err(format!("capget: {}", std::io::Error::last_os_error()));
    }
    Ok(data)
}

fn drop_capabilities() -> Result<String, String> {
    let before = current_capabilities()?;
    let had = before.iter().any(|d| d.effective | d.permitted | d.inheritable != 0);
    if !had {
        // Without CAP_SETPCAP the bounding set cannot be emptied, and it does
        // not matter: no_new_privs (set before) stops every exec from gaining.
        return Ok("none held (not running as root); no_new_privs stops an exec from gaining any".into());
    }
    // The highest capability the kernel knows (40 here); drop them all.
    let last: i32 =
        std::fs::read_to_string("/proc/sys/kernel/cap_last_cap").ok().and_then(|t| t.trim().parse().ok()).unwrap_or(63);
    let mut bounding_dropped = 0;
    for cap in 0..=last {
        // SAFETY: prctl with integer arguments only.
        if unsafe { libc::prctl(libc::PR_CAPBSET_READ, cap, 0, 0, 0) } == 1 {
            // SAFETY: as above. Fails without CAP_SETPCAP (then the set stays: said below).
            if unsafe { libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) } == 0 {
                bounding_dropped += 1;
            }
        }
    }
    // SAFETY: prctl with integer arguments only.
    let bounding_left =
        (0..=last).filter(|&cap| unsafe { libc::prctl(libc::PR_CAPBSET_READ, cap, 0, 0, 0) } == 1).count();
    // SAFETY: as above; clearing the ambient set needs no privilege.
    unsafe { libc::prctl(libc::PR_CAP_AMBIENT, libc::PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) };
    let secure = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED;
    // SAFETY: as above. Needs CAP_SETPCAP, so only meaningful while it is held.
    let securebits = unsafe { libc::prctl(libc::PR_SET_SECUREBITS, secure, 0, 0, 0) } == 0;
    let mut header = CapHeader { version: LINUX_CAPABILITY_VERSION_3, pid: 0 };
    let data = [CapData::default(); 2];
    // SAFETY: capset reads two CapData (version 3) through valid pointers.
    if unsafe { libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) } != 0 {
        return Err(format!("capset(all empty): {}", std::io::Error::last_os_error()));
    }
    let after = current_capabilities()?;
    if after.iter().any(|d| d.effective | d.permitted | d.inheritable != 0) {
        return Err("capabilities still held after capset".into());
    }
    if bounding_left > 0 {
        return Err(format!(
            "effective/permitted empty, but {bounding_left} capabilities left in the bounding set (no CAP_SETPCAP): \
             an exec of a root-owned binary by uid 0 could regain them"
        ));
    }
    Ok(format!(
        "all dropped: bounding set ({bounding_dropped}), ambient, effective, permitted, inheritable{}",
        if securebits { "; SECBIT_NOROOT locked" } else { "" }
    ))
}
