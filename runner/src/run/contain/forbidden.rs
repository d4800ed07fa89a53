//! What happens when the run makes a call the seccomp filter denies: the
//! kernel sends `SIGSYS` to the calling thread (`SECCOMP_RET_TRAP`), this
//! handler writes the call's name on stderr for the host
//! ([`FORBIDDEN_CALL_MARKER`]) and the process dies by `SIGSYS`, which the
//! host reads from `wait4` and reports as a forbidden operation.
//!
//! Why not EPERM: a denied call is an attack or a bug in the submission, not
//! an error it should handle; ending the run names it in the verdict. A
//! plugin may install its own `SIGSYS` handler: the call still does not
//! happen, and the run merely loses its named verdict. Handlers survive
//! fork, so forked workers report the same way; a process that execs loses
//! the handler and dies by `SIGSYS` unnamed.

use nix::libc;

use crate::protocol::FORBIDDEN_CALL_MARKER;

/// Where `si_syscall` sits in a `siginfo_t` for `SIGSYS` (the `_sigsys`
/// member: three ints padded to a pointer, the call address, then the call
/// number); libc has no accessor for it.
const SI_SYSCALL_OFFSET: usize = if cfg!(target_pointer_width = "64") { 24 } else { 16 };

/// Installs the handler. Called before the filter, single-threaded.
pub(crate) fn install() -> Result<(), String> {
    // SAFETY: a zeroed sigaction is valid; the handler is async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigsys as *const () as usize;
        // Reset to the default on entry, so the raise below kills; not
        // deferred, so it is delivered inside the handler.
        action.sa_flags = libc::SA_SIGINFO | libc::SA_RESETHAND | libc::SA_NODEFER;
        libc::sigemptyset(&mut action.sa_mask);
        if libc::sigaction(libc::SIGSYS, &action, std::ptr::null_mut()) != 0 {
            return Err(format!("sigaction(SIGSYS): {}", std::io::Error::last_os_error()));
        }
    }
    Ok(())
}

/// Only write(2) and raise(3): async-signal-safe, no allocation.
extern "C" fn on_sigsys(_signal: libc::c_int, info: *mut libc::siginfo_t, _context: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo_t for SIGSYS.
    let number = unsafe { info.cast::<u8>().add(SI_SYSCALL_OFFSET).cast::<libc::c_int>().read_unaligned() };
    let mut line = Line::default();
    line.push(FORBIDDEN_CALL_MARKER.as_bytes());
    match super::seccomp::name_of(i64::from(number)) {
        Some(name) => line.push(name.as_bytes()),
        None => line.push_number(number),
    }
    line.push(b"\n");
    // SAFETY: writes a stack buffer to stderr, then dies by the signal's default action.
    unsafe {
        libc::write(libc::STDERR_FILENO, line.bytes.as_ptr().cast(), line.len);
        libc::raise(libc::SIGSYS);
    }
}

/// A fixed buffer: the handler may not allocate.
struct Line {
    bytes: [u8; 128],
    len: usize,
}

impl Default for Line {
    fn default() -> Line {
        Line { bytes: [0; 128], len: 0 }
    }
}

impl Line {
    fn push(&mut self, text: &[u8]) {
        let n = text.len().min(self.bytes.len() - self.len);
        self.bytes[self.len..self.len + n].copy_from_slice(&text[..n]);
        self.len += n;
    }

    fn push_number(&mut self, number: libc::c_int) {
        self.push(b"syscall_");
        let mut digits = [0u8; 12];
        let mut at = digits.len();
        let mut rest = number.unsigned_abs();
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        self.push(&digits[at..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_without_allocating() {
        let mut line = Line::default();
        line.push_number(435);
        assert_eq!(&line.bytes[..line.len], b"syscall_435");
    }
}
