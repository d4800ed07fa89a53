//! Where the counter lives: in the instance (each forked process then counts
//! in its own copy, the classic multiprocessing surprise) or in memory mapped
//! `MAP_SHARED` before the fork (processes then race like threads).

use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64};

/// The state units share: the counter, a lock for `locked`, and the start gate.
#[derive(Debug, Default)]
#[repr(C)]
pub struct Cell {
    pub value: AtomicU64,
    pub lock: AtomicBool,
    pub arrived: AtomicU32,
}

/// A `Cell` in private or shared memory.
#[derive(Debug)]
pub enum Memory {
    Private(Box<Cell>),
    Shared(NonNull<Cell>),
}

// SAFETY: a `Cell` is only atomics; the mapping lives as long as `Memory`.
unsafe impl Send for Memory {}
// SAFETY: as above.
unsafe impl Sync for Memory {}

impl Memory {
    /// A cell in this process's own memory.
    pub fn private() -> Memory {
        Memory::Private(Box::default())
    }

    /// A cell in an anonymous shared mapping, inherited as shared by forks.
    pub fn shared() -> Result<Memory, String> {
        // SAFETY: a fresh anonymous mapping; zeroed memory is a valid `Cell`.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size_of::<Cell>(),
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(format!("mmap of shared memory failed: {}", std::io::Error::last_os_error()));
        }
        NonNull::new(ptr.cast()).map(Memory::Shared).ok_or_else(|| "mmap returned null".to_owned())
    }
}

impl Deref for Memory {
    type Target = Cell;
    fn deref(&self) -> &Cell {
        match self {
            Memory::Private(cell) => cell,
            // SAFETY: mapped for `Cell` and alive until `drop`.
            Memory::Shared(ptr) => unsafe { ptr.as_ref() },
        }
    }
}

impl Drop for Memory {
    fn drop(&mut self) {
        if let Memory::Shared(ptr) = self {
            // SAFETY: unmaps exactly what `shared` mapped.
            unsafe { libc::munmap(ptr.as_ptr().cast(), size_of::<Cell>()) };
        }
    }
}
