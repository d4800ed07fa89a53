//! Reading a scenario file: only a regular file, and only up to a size cap, so
//! that a FIFO given by mistake cannot hang the runner in `open` or `read`, and
//! `/dev/zero` or a huge file cannot fill its memory.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use super::error::ScenarioError;

/// The largest scenario file read: far above any real one (they are a few KiB).
pub(crate) const MAX_SCENARIO_BYTES: u64 = 4 << 20;

/// The text of the scenario at `path`.
pub(crate) fn read_scenario(path: &Path) -> Result<String, ScenarioError> {
    let refuse = |reason: String| ScenarioError::Read { path: path.to_owned(), reason };
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    // The file type is then checked on the opened file (fstat), not the path,
    // so the path cannot be swapped between the check and the read.
    let file = File::options()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)
        .map_err(|e| refuse(e.to_string()))?;
    let kind = file.metadata().map_err(|e| refuse(e.to_string()))?.file_type();
    if !kind.is_file() {
        return Err(refuse(format!(
            "it is {}, not a regular file\n(give the path of a scenario `.toml` file)",
            describe_kind(kind)
        )));
    }
    let mut bytes = Vec::new();
    (&file).take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes).map_err(|e| refuse(e.to_string()))?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(refuse(format!(
            "it is larger than {} MiB, the most a scenario file may hold\n(a scenario is a short TOML file; \
             put data in files its parameters name)",
            MAX_SCENARIO_BYTES >> 20
        )));
    }
    String::from_utf8(bytes)
        .map_err(|e| refuse(format!("it is not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to())))
}

fn describe_kind(kind: std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_of_bounded_size_are_read() {
        let err = read_scenario(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(err.contains("a character device, not a regular file"), "{err}");
        let err = read_scenario(Path::new("/")).unwrap_err().to_string();
        assert!(err.contains("a directory"), "{err}");
        let dir = std::env::temp_dir().join(format!("runner-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let big = dir.join("big.toml");
        std::fs::write(&big, vec![b'#'; (MAX_SCENARIO_BYTES + 1) as usize]).unwrap();
        let err = read_scenario(&big).unwrap_err().to_string();
        assert!(err.contains("larger than 4 MiB"), "{err}");
        std::fs::write(&big, b"name = \"\xff\"").unwrap();
        assert!(read_scenario(&big).unwrap_err().to_string().contains("not UTF-8"));
        std::fs::write(&big, "ok = 1").unwrap();
        assert_eq!(read_scenario(&big).unwrap(), "ok = 1");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
