//! The few system calls std does not wrap: huge-page advice, fork and reap,
//! CPU affinity. Each unsafe call is here, with why it is sound.

use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Transparent huge pages are 2 MiB on x86-64 and most 64-bit Linux targets.
const HUGE_PAGE: usize = 2 << 20;

/// An empty vector with room for `len` elements, its memory advised to use
/// transparent huge pages before anything touches it: with 4 KiB pages, a
/// random walk over hundreds of MiB would also miss the TLB on nearly every
/// load and time the page-table walk besides the memory; with 2 MiB pages the
/// whole buffer fits the TLB. Where there are no huge pages the advice fails
/// harmlessly.
pub fn huge_capacity<T>(len: usize) -> Vec<T> {
    let mut vec: Vec<T> = Vec::with_capacity(len);
    let start = vec.as_mut_ptr() as usize;
    let end = start + len * size_of::<T>();
    let aligned = start.next_multiple_of(HUGE_PAGE);
    let aligned_end = end / HUGE_PAGE * HUGE_PAGE;
    if aligned_end > aligned {
        // SAFETY: the range lies inside the vector's own allocation, which
        // nothing else uses; MADV_HUGEPAGE only changes how the kernel backs
        // the pages, never their contents, and its failure is harmless.
        unsafe { libc::madvise(aligned as *mut libc::c_void, aligned_end - aligned, libc::MADV_HUGEPAGE) };
    }
    vec
}

/// A forked child process: reaped by [`Child::wait`], or killed and reaped if
/// dropped before, so none is ever left behind.
#[derive(Debug)]
pub struct Child {
    pid: Option<libc::pid_t>,
}

/// Forks. The child runs `child` and `_exit`s with the code it returns (101 if
/// it panicked); it never returns into the parent's code.
///
/// `child` must only make async-signal-safe calls (read, write, close): it
/// runs in a copy of a process that may have had other threads, whose locks
/// (the allocator's among them) may be held forever in the copy.
pub fn fork(child: impl FnOnce() -> i32) -> Result<Child, String> {
    // SAFETY: in the child, only `child` (restricted as documented) and
    // `_exit` run; `_exit` skips atexit handlers and destructors, which
    // belong to the parent.
    match unsafe { libc::fork() } {
        -1 => Err(format!("fork: {}", io::Error::last_os_error())),
        0 => {
            let code = catch_unwind(AssertUnwindSafe(child)).unwrap_or(101);
            // SAFETY: ends the child at once, as documented above.
            unsafe { libc::_exit(code) }
        }
        pid => Ok(Child { pid: Some(pid) }),
    }
}

impl Child {
    /// Waits for the child to exit; `Err` unless it exited with status 0.
    pub fn wait(mut self) -> Result<(), String> {
        let pid = self.pid.take().ok_or("child already reaped")?;
        match reap(pid)? {
            status if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 => Ok(()),
            status => Err(format!("child {pid} ended with wait status {status:#x}")),
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if let Some(pid) = self.pid.take() {
            // SAFETY: `pid` is our own child, not yet reaped, so the number
            // cannot have been reused by another process.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            let _ = reap(pid);
        }
    }
}

/// `waitpid` on one child, retried when a signal interrupts it.
fn reap(pid: libc::pid_t) -> Result<libc::c_int, String> {
    let mut status = 0;
    loop {
        // SAFETY: `status` is a valid place for the result; `pid` is our child.
        if unsafe { libc::waitpid(pid, &mut status, 0) } == pid {
            return Ok(status);
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(format!("waitpid {pid}: {error}"));
        }
    }
}

/// The calling thread pinned to one CPU; its former affinity is restored
/// when this is dropped.
#[derive(Debug)]
pub struct Pinned {
    saved: libc::cpu_set_t,
}

/// Pins the calling thread to the CPU it is on: that CPU, and the pinning to
/// undo afterwards (`None` where pinning is not allowed: then unpinned).
pub fn pin_here() -> (Option<usize>, Option<Pinned>) {
    let Ok(cpu) = current_cpu() else { return (None, None) };
    match pin(cpu) {
        Ok(pinned) => (Some(cpu), Some(pinned)),
        Err(_) => (None, None),
    }
}

/// The CPU the calling thread runs on now.
pub fn current_cpu() -> Result<usize, String> {
    // SAFETY: no arguments, no memory.
    let cpu = unsafe { libc::sched_getcpu() };
    usize::try_from(cpu).map_err(|_| format!("sched_getcpu: {}", io::Error::last_os_error()))
}

/// Pins the calling thread to `cpu`.
pub fn pin(cpu: usize) -> Result<Pinned, String> {
    let saved = affinity()?;
    set_affinity(&one_cpu(cpu)?)?;
    Ok(Pinned { saved })
}

/// A CPU other than `cpu` that the calling thread may run on, if any.
pub fn other_cpu(cpu: usize) -> Option<usize> {
    let allowed = affinity().ok()?;
    // SAFETY: CPU_ISSET only reads the set, and every index is within it.
    (0..libc::CPU_SETSIZE as usize).find(|&other| other != cpu && unsafe { libc::CPU_ISSET(other, &allowed) })
}

/// The calling thread's CPU affinity.
fn affinity() -> Result<libc::cpu_set_t, String> {
    // SAFETY: cpu_set_t is a plain bit array, valid when zeroed.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid cpu_set_t of the size given; 0 is this thread.
    if unsafe { libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut set) } == 0 {
        Ok(set)
    } else {
        Err(format!("sched_getaffinity: {}", io::Error::last_os_error()))
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        let _ = set_affinity(&self.saved);
    }
}

fn one_cpu(cpu: usize) -> Result<libc::cpu_set_t, String> {
    if cpu >= libc::CPU_SETSIZE as usize {
        return Err(format!("CPU {cpu} is beyond cpu_set_t"));
    }
    // SAFETY: as in `pin`: a zeroed cpu_set_t is empty.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `cpu` is within the set, checked above.
    unsafe { libc::CPU_SET(cpu, &mut set) };
    Ok(set)
}

fn set_affinity(set: &libc::cpu_set_t) -> Result<(), String> {
    // SAFETY: `set` is a valid cpu_set_t of the size given; 0 is this thread.
    if unsafe { libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), set) } == 0 {
        Ok(())
    } else {
        Err(format!("sched_setaffinity: {}", io::Error::last_os_error()))
    }
}

/// How the process's anonymous memory is backed, for a verdict: how much of
/// it is on transparent huge pages (Linux: /proc/self/smaps_rollup), or that
/// none is, so each random load may also miss the TLB. Empty where unknown.
pub fn huge_pages_note() -> String {
    let Ok(text) = std::fs::read_to_string("/proc/self/smaps_rollup") else { return String::new() };
    let kib = text
        .lines()
        .find_map(|line| line.strip_prefix("AnonHugePages:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    match kib {
        Some(0) => ", on 4 KiB pages (TLB misses included)".to_owned(),
        Some(kib) => format!(", {} MiB of the process on 2 MiB pages", kib >> 10),
        None => String::new(),
    }
}

/// The in-memory file system `file` is on (tmpfs, ramfs), if it is on one:
/// there O_DIRECT reads RAM and no device.
pub fn in_memory_file_system(file: &std::fs::File) -> Option<&'static str> {
    use std::os::fd::AsRawFd;
    /// ramfs's magic number (linux/magic.h), which libc does not name.
    const RAMFS_MAGIC: u64 = 0x8584_58f6;
    // SAFETY: libc::statfs is a plain C struct, valid when zeroed.
    let mut stat: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: the descriptor is open (borrowed from `file`); `stat` is a valid place for the result.
    if unsafe { libc::fstatfs(file.as_raw_fd(), &mut stat) } != 0 {
        return None;
    }
    match stat.f_type as u64 & 0xffff_ffff {
        magic if magic == libc::TMPFS_MAGIC as u64 => Some("tmpfs"),
        RAMFS_MAGIC => Some("ramfs"),
        _ => None,
    }
}

/// The block device a file lives on ("vda", "nvme0n1p2"), from sysfs, if known.
pub fn block_device(metadata: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let (major, minor) = (libc::major(metadata.dev()), libc::minor(metadata.dev()));
    let uevent = std::fs::read_to_string(format!("/sys/dev/block/{major}:{minor}/uevent")).ok()?;
    uevent.lines().find_map(|line| line.strip_prefix("DEVNAME=")).map(str::to_owned)
}
