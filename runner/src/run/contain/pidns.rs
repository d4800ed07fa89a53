//! A PID namespace per run (opt-in): the run cannot see or signal the runner
//! (it is not even in the run's /proc view of pids: `getppid()` is 1), and
//! every process the run starts dies when the namespace's first process
//! does, whatever it forked, however it detached, even when the runner was
//! SIGKILLed.
//!
//! Two halves. The host, between fork and exec of the run's process, calls
//! `unshare(CLONE_NEWPID)` ([`unshare_from_pre_exec`]; with CLONE_NEWUSER when
//! not root). That only affects the *next* fork: the exec'd `runner __run`
//! itself stays outside. So the worker, first thing, calls [`enter`], which
//! forks twice: the first child is pid 1 of the namespace (a tiny init that
//! reaps and, on the run's end, exits so the kernel kills the rest); the
//! second, pid 2, is the run, and the only one that returns from `enter`.
//! The run is not pid 1 because pid 1 ignores every signal it has no handler
//! for (a plugin's `abort()` would not end it, and the host's SIGTERM would
//! not either). The outer process waits for init and ends as the run did
//! (same exit code, or the same signal), so the host sees what it saw before.
//!
//! Measured here (root, kernel 6.18): works with `std::process::Command` and
//! `pre_exec`; the two extra forks cost ~0.2 ms per run (see the bench).
//! Caveat: the namespace kills leftovers before the host looks, so the
//! "left N processes behind" count is 0 under a PID namespace unless the
//! cgroup (which sees the processes until they die) counts them first.

use nix::libc;

/// Whether this process's next child would be in another PID namespace.
fn pending() -> bool {
    let own = std::fs::read_link("/proc/self/ns/pid");
    let children = std::fs::read_link("/proc/self/ns/pid_for_children");
    // Measured: right after unshare(CLONE_NEWPID), before the namespace has
    // its first process, `pid_for_children` cannot be read (ENOENT).
    match (own, children) {
        (Ok(a), Ok(b)) => a != b,
        (Ok(_), Err(_)) => true,
        _ => false,
    }
}

/// In the run's process, single-threaded, before anything else: when the
/// host made a PID namespace, returns only in pid 2 of it (the run); the
/// outer process and the namespace's init never return. `Ok(false)` when
/// there is no namespace to enter; `Err` when forking failed.
pub(crate) fn enter() -> Result<bool, String> {
    if !pending() {
        return Ok(false);
    }
    let mut pipe = [0i32; 2];
    // SAFETY: pipe2 fills two descriptors.
    if unsafe { libc::pipe2(pipe.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(format!("pipe: {}", std::io::Error::last_os_error()));
    }
    let [status_read, status_write] = pipe;
    // SAFETY: single-threaded here (the caller's contract), so fork is safe.
    let init = unsafe { libc::fork() };
    if init < 0 {
        return Err(format!("fork (namespace init): {}", std::io::Error::last_os_error()));
    }
    if init > 0 {
        // SAFETY: closing our copy of the write end.
        unsafe { libc::close(status_write) };
        outer(init, status_read);
    }
    // pid 1 of the new namespace.
    // SAFETY: prctl with integer arguments; dies if the outer process does.
    unsafe {
        libc::close(status_read);
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
    }
    // SAFETY: still single-threaded.
    let run = unsafe { libc::fork() };
    if run < 0 {
        // SAFETY: _exit from a forked child.
        unsafe { libc::_exit(125) };
    }
    if run == 0 {
        // SAFETY: the run does not hold the status pipe.
        unsafe { libc::close(status_write) };
        return Ok(true);
    }
    init_loop(run, status_write)
}

/// The namespace's init: reaps everything, and when the run ends hands its
/// status to the outer process and exits (the kernel then kills the rest).
fn init_loop(run: i32, status_write: i32) -> ! {
    // Only the run may use the run's descriptors (events, output).
    for fd in 0..=3 {
        // SAFETY: closing descriptors this process no longer needs.
        unsafe { libc::close(fd) };
    }
    loop {
        let mut status = 0;
        // SAFETY: init reaps any of its children: every process of the namespace is one, eventually.
        let pid = unsafe { libc::waitpid(-1, &mut status, 0) };
        if pid == run || (pid < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ECHILD)) {
            let bytes = status.to_ne_bytes();
            // SAFETY: write of 4 bytes from a local buffer, then _exit.
            unsafe {
                libc::write(status_write, bytes.as_ptr().cast(), bytes.len());
                libc::_exit(0);
            }
        }
    }
}

/// The process the host started: waits for init and ends as the run did.
fn outer(init: i32, status_read: i32) -> ! {
    for fd in 0..=3 {
        // SAFETY: the run has its own copies; the host must see them close with the run.
        unsafe { libc::close(fd) };
    }
    let mut init_status = 0;
    // SAFETY: waits for its own child by pid.
    while unsafe { libc::waitpid(init, &mut init_status, 0) } < 0
        && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR)
    {}
    let mut bytes = [0u8; 4];
    // SAFETY: reads up to 4 bytes into a local buffer.
    let got = unsafe { libc::read(status_read, bytes.as_mut_ptr().cast(), 4) };
    let status = if got == 4 { i32::from_ne_bytes(bytes) } else { init_status };
    // SAFETY: ending this process as the run ended; no core file.
    unsafe {
        if libc::WIFSIGNALED(status) {
            let signal = libc::WTERMSIG(status);
            let none = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
            libc::setrlimit(libc::RLIMIT_CORE, &none);
            libc::signal(signal, libc::SIG_DFL);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, signal);
            libc::sigprocmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            libc::raise(signal);
        }
        libc::_exit(if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 125 })
    }
}
