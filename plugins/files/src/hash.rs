//! `hash`: each unit hashes one file with sha1, reading `chunk` bytes at a time.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use runner_sdk::{ParamSpec, Params, UnitContext, UnitFuture, Workload, with_figures};
use sha1::{Digest, Sha1};

use crate::buffer::ReadBuffer;

#[derive(Debug)]
pub struct Hash {
    dir: PathBuf,
    bytes: u64,
    chunk: usize,
    append_byte: bool,
    /// Expected digests, by unit: of the file, and after one byte is appended.
    expected: Vec<(String, String)>,
}

/// The byte appended to show that the digest changes.
const APPENDED: u8 = b'\n';

impl Workload for Hash {
    const NAME: &'static str = "hash";
    const DESCRIPTION: &'static str = "the lecture's `hash_file`: each unit sha1-hashes one file of `bytes` \
        (deterministic content, made before the run) reading `chunk` bytes at a time; with `append_byte` it then \
        appends one byte and hashes again; verifies every digest";
    const ASYNC: bool = true;

    fn params() -> Vec<ParamSpec> {
        vec![
            ParamSpec::int("bytes", 16 << 20, "size of each file (one file per unit)"),
            ParamSpec::int("chunk", 1024, "bytes per read (the lecture: 1024)"),
            ParamSpec::bool("append_byte", false, "append one byte after hashing and hash again"),
        ]
    }

    fn prepare(params: &Params, units: u64) -> Result<Self, String> {
        let bytes = u64::try_from(params.int("bytes")?).map_err(|_| "`bytes` must not be negative")?;
        let chunk =
            usize::try_from(params.int("chunk")?).ok().filter(|&c| c > 0).ok_or("`chunk` must be at least 1")?;
        let dir = runner_sdk::scratch_dir().ok_or("the runner gave no scratch directory")?.join("hash");
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        // The files and their digests are made here, before the measured run.
        let mut expected = Vec::with_capacity(units as usize);
        for unit in 0..units {
            let content = content(unit, bytes);
            std::fs::write(dir.join(format!("file-{unit}")), &content).map_err(|e| e.to_string())?;
            let digest = hex(&Sha1::digest(&content));
            let mut appended = Sha1::new();
            appended.update(&content);
            appended.update([APPENDED]);
            expected.push((digest, hex(&appended.finalize())));
        }
        Ok(Hash { dir, bytes, chunk, append_byte: params.bool("append_byte")?, expected })
    }

    fn run_unit(&self, unit: u64, _cx: &UnitContext<'_>) -> Result<String, String> {
        self.hash_unit(unit)
    }

    fn run_unit_async<'a>(&'a self, unit: u64, _cx: UnitContext<'a>) -> UnitFuture<'a> {
        // Hashing is CPU work: the async form does it in place, which is the
        // point (async does not make CPU-bound work faster).
        Box::pin(async move { self.hash_unit(unit) })
    }

    fn verify(&self, results: &[Option<String>]) -> Result<String, String> {
        let ok = results.iter().flatten().count();
        let mb = (self.bytes * results.len() as u64) as f64 / 1e6;
        if ok == results.len() {
            let what = if self.append_byte {
                "digests verified, each changed by one appended byte"
            } else {
                "digests verified"
            };
            Ok(with_figures(format!("{ok} {what} ({mb:.1} MB hashed)"), &[("megabytes", mb)]))
        } else {
            Err(format!("{} of {} files failed", results.len() - ok, results.len()))
        }
    }
}

impl Hash {
    fn hash_unit(&self, unit: u64) -> Result<String, String> {
        let path = self.dir.join(format!("file-{unit}"));
        let (expected, expected_appended) =
            self.expected.get(unit as usize).ok_or_else(|| format!("no file was made for unit {unit}"))?;
        let digest = hash_file(&path, self.chunk)?;
        if &digest != expected {
            return Err(format!("sha1 of file {unit} is {digest}, expected {expected}"));
        }
        if !self.append_byte {
            return Ok(digest);
        }
        let mut file = OpenOptions::new().append(true).open(&path).map_err(|e| e.to_string())?;
        file.write_all(&[APPENDED]).map_err(|e| e.to_string())?;
        let changed = hash_file(&path, self.chunk)?;
        if &changed != expected_appended {
            return Err(format!("after one byte, sha1 of file {unit} is {changed}, expected {expected_appended}"));
        }
        Ok(format!("{digest} -> {changed}"))
    }
}

/// Deterministic, incompressible-looking content for file `unit` (xorshift).
fn content(unit: u64, bytes: u64) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ (unit + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let mut out = Vec::with_capacity(bytes as usize + 8);
    while (out.len() as u64) < bytes {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(bytes as usize);
    out
}

/// sha1 of the file at `path`, read `chunk` bytes at a time.
pub fn hash_file(path: &Path, chunk: usize) -> Result<String, String> {
    let mut file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut hasher = Sha1::new();
    with_buffer(chunk, |buffer| {
        loop {
            let n = file.read(buffer).map_err(|e| e.to_string())?;
            if n == 0 {
                return Ok(());
            }
            hasher.update(&buffer[..n]);
        }
    })?;
    Ok(hex(&hasher.finalize()))
}

thread_local! {
    /// Each worker thread's read buffer, made once: a fresh 2 MiB buffer per
    /// file would cost its zeroing in every unit.
    static BUFFER: std::cell::RefCell<Option<ReadBuffer>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` on this thread's read buffer of `chunk` bytes.
fn with_buffer<T>(chunk: usize, f: impl FnOnce(&mut [u8]) -> Result<T, String>) -> Result<T, String> {
    BUFFER.with(|cell| {
        // Hashing never awaits, so no other unit on this thread holds the buffer.
        let mut slot = cell.try_borrow_mut().map_err(|_| "the read buffer is in use".to_owned())?;
        if slot.as_ref().is_none_or(|b| b.len() != chunk) {
            *slot = Some(ReadBuffer::new(chunk)?);
        }
        let buffer = slot.as_mut().expect("made above");
        f(buffer.as_mut_slice())
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
