//! The library that runs is the library that was validated: its file's
//! identity (device, inode, size, change time) is taken when the scenario is
//! read, and each run starts only if the file is still that one. A library
//! replaced or rewritten between validation and a run (by a leftover of an
//! earlier run, or anyone) fails the run instead of running. The change time
//! cannot be set back without changing the clock, which runs may not do.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// A library file as it was when validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pin {
    path: PathBuf,
    identity: (u64, u64, u64, i64, i64),
}

impl Pin {
    /// The file at `path` now, or `None` when it cannot be read.
    pub(crate) fn take(path: &Path) -> Option<Pin> {
        Some(Pin { path: path.to_owned(), identity: identity(path)? })
    }

    /// Why the file is not the one pinned, if it is not.
    pub(crate) fn changed(&self) -> Option<String> {
        match identity(&self.path) {
            Some(now) if now == self.identity => None,
            Some(_) => Some(format!("the library `{}` changed since it was validated", self.path.display())),
            None => Some(format!("the library `{}` is gone since it was validated", self.path.display())),
        }
    }
}

fn identity(path: &Path) -> Option<(u64, u64, u64, i64, i64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.dev(), m.ino(), m.size(), m.ctime(), m.ctime_nsec()))
}

#[cfg(test)]
mod tests {
    use super::Pin;

    #[test]
    fn a_replaced_or_rewritten_file_is_not_the_pinned_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("libx.so");
        std::fs::write(&path, b"one").unwrap();
        let pin = Pin::take(&path).unwrap();
        assert_eq!(pin.changed(), None);
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&path, b"two").unwrap();
        assert!(pin.changed().unwrap().contains("changed since it was validated"));
        std::fs::remove_file(&path).unwrap();
        assert!(pin.changed().unwrap().contains("gone"));
    }
}
