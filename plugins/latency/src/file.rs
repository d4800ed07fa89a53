//! Reading 1 MiB sequentially from a file: from the page cache, and from the
//! device itself with O_DIRECT. The files live in the run's scratch
//! directory, which the runner removes after the run whatever happens.

use std::fs::{File, OpenOptions};
use std::hint::black_box;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::measure::{self, Budget};
use crate::{Outcome, Row, sys};

const MIB: usize = 1 << 20;

/// 64 MiB: twice a 32 MiB last-level cache, so the page-cache pages a read
/// copies from are in DRAM, not still in the CPU's cache from the last lap.
const CACHED_MIB: usize = 64;

/// 16 MiB, written and synced before the run: direct reads of 1 MiB take
/// about a millisecond each, so a unit reads each part a few times at most.
const DIRECT_MIB: usize = 16;

/// Alignment O_DIRECT asks of buffers, offsets and lengths: a page covers
/// every logical block size in use (512 B, 4 KiB).
const DIRECT_ALIGN: usize = 4096;

/// A new file of `mib` MiB in the run's scratch directory, written and closed.
fn make_file(name: &str, mib: usize, sync: bool) -> Result<PathBuf, String> {
    let dir = runner_sdk::scratch_dir().ok_or("the runner gave no scratch directory")?.join("latency");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(name);
    let fail = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut file = File::create(&path).map_err(fail)?;
    let chunk: Vec<u8> = (0..MIB).map(|i| (i % 251) as u8).collect();
    for _ in 0..mib {
        file.write_all(&chunk).map_err(fail)?;
    }
    if sync {
        file.sync_all().map_err(fail)?;
    }
    Ok(path)
}

/// Times `read(buffer, offset)` of the next MiB of a `mib` MiB file, round and round.
fn time_reads(
    budget: Budget,
    mib: usize,
    buffer: &mut [u8],
    read: impl Fn(&mut [u8], u64) -> std::io::Result<()>,
) -> Result<measure::Trials, String> {
    let mut next = 0;
    measure::trials(budget, |n| {
        let start = Instant::now();
        for _ in 0..n {
            read(buffer, (next * MIB) as u64).map_err(|e| format!("read: {e}"))?;
            next = (next + 1) % mib;
        }
        let took = start.elapsed();
        black_box(&buffer);
        Ok(took)
    })
}

#[derive(Debug)]
pub struct CachedFile {
    file: File,
}

impl Row for CachedFile {
    const NAME: &'static str = "read_file_cached_1mb";
    const DESCRIPTION: &'static str = "read 1 MiB sequentially from a file in the page cache: one 1 MiB pread of \
        the next MiB of a 64 MiB file just written (so it is all in the page cache, and twice the last-level cache): \
        a system call and a copy from the kernel's pages";

    fn prepare() -> Result<Self, String> {
        let path = make_file("cached", CACHED_MIB, false)?;
        Ok(CachedFile { file: File::open(&path).map_err(|e| format!("{}: {e}", path.display()))? })
    }

    fn measure(&self, budget: Budget) -> Result<Outcome, String> {
        let mut buffer = vec![0u8; MIB];
        let trials = time_reads(budget, CACHED_MIB, &mut buffer, |buf, at| self.file.read_exact_at(buf, at))?;
        Ok(Outcome::measured(trials, "per MiB read (one pread) from a 64 MiB file in the page cache"))
    }
}

#[derive(Debug)]
pub struct DirectFile {
    /// The file opened with O_DIRECT, or why that is not possible here.
    direct: Result<File, String>,
    /// Where the file is, for the verdict: the device, or the directory.
    place: String,
}

impl Row for DirectFile {
    const NAME: &'static str = "read_file_direct_1mb";
    const DESCRIPTION: &'static str = "read 1 MiB sequentially from the device: one 1 MiB pread with O_DIRECT \
        (past the page cache) into a page-aligned buffer, from a 16 MiB file written and synced before the run; \
        where O_DIRECT is refused (tmpfs…) the row says why and has no figure; the lecture (SSD): 1 ms";
    const LECTURE_NS: Option<f64> = Some(1_000_000.0);

    fn prepare() -> Result<Self, String> {
        let path = make_file("direct", DIRECT_MIB, true)?;
        let place = match std::fs::metadata(&path).ok().as_ref().and_then(sys::block_device) {
            Some(device) => format!("on /dev/{device}"),
            None => format!("under {}", path.parent().unwrap_or(&path).display()),
        };
        Ok(DirectFile { direct: open_direct(&path), place })
    }

    fn measure(&self, budget: Budget) -> Result<Outcome, String> {
        let file = match &self.direct {
            Ok(file) => file,
            Err(why) => return Ok(Outcome::Unavailable(why.clone())),
        };
        let mut bytes = vec![0u8; MIB + DIRECT_ALIGN];
        let offset = bytes.as_ptr().align_offset(DIRECT_ALIGN);
        let buffer = &mut bytes[offset..offset + MIB];
        let trials = time_reads(budget, DIRECT_MIB, buffer, |buf, at| file.read_exact_at(buf, at))?;
        let what = format!(
            "per MiB read with O_DIRECT from a 16 MiB file {} (past the page cache; a VM's host may still cache its disk)",
            self.place
        );
        Ok(Outcome::measured(trials, what))
    }
}

/// `path` opened with O_DIRECT and read once, or why the platform does not allow it.
fn open_direct(path: &Path) -> Result<File, String> {
    let refused = |e: std::io::Error, what: &str| {
        let why = if e.kind() == ErrorKind::InvalidInput {
            "its file system does not support direct IO (tmpfs, some overlays)"
        } else {
            "direct IO is not available here"
        };
        format!("O_DIRECT {what} of {} failed ({e}): {why}", path.display())
    };
    let file = OpenOptions::new().read(true).custom_flags(libc::O_DIRECT).open(path).map_err(|e| refused(e, "open"))?;
    if let Some(fs) = sys::in_memory_file_system(&file) {
        return Err(format!(
            "O_DIRECT: {} is on {fs}, in memory, so there is no device to read from (set TMPDIR to a disk)",
            path.display()
        ));
    }
    let mut bytes = vec![0u8; MIB + DIRECT_ALIGN];
    let offset = bytes.as_ptr().align_offset(DIRECT_ALIGN);
    file.read_exact_at(&mut bytes[offset..offset + MIB], 0).map_err(|e| refused(e, "read"))?;
    Ok(file)
}
