//! Facts of this machine that the host and a run's process both read (the
//! kernel's Landlock ABI, the cgroup hierarchy): leaf code, depending on
//! nothing else in the crate, like [`crate::protocol`].

pub(crate) mod cgroup;

/// The kernel's Landlock ABI version, or why there is none.
pub(crate) fn landlock_abi() -> Result<i64, String> {
    const LANDLOCK_CREATE_RULESET_VERSION: u32 = 1;
    // SAFETY: landlock_create_ruleset(NULL, 0, VERSION) only returns a number.
    let v = unsafe {
        nix::libc::syscall(
            nix::libc::SYS_landlock_create_ruleset,
            std::ptr::null::<u8>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    if v < 0 {
        return Err(format!("landlock_create_ruleset: {}", std::io::Error::last_os_error()));
    }
    Ok(v)
}
