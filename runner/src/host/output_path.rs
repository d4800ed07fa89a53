//! Every file the runner writes (`--junit`, `--gradescope`, `--report`, and any
//! later one) goes through here, for two promises:
//!
//! - it is checked before anything runs, so an unusable path is unusable input
//!   (exit 2 with a message) instead of a grade lost after minutes of runs;
//! - it is written to a temporary file in the same directory and renamed into
//!   place, so a reader never sees half a file and whatever was planted at the
//!   path (a symlink, a FIFO) is replaced, never followed or opened.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Checks that each `(flag, path)` can be written as a new regular file, and
/// that no two flags name the same file. The message names the flag and says
/// what to do.
pub(crate) fn check_all(outputs: &[(&str, &Path)]) -> Result<(), String> {
    for (i, (flag, path)) in outputs.iter().enumerate() {
        if let Some((other, _)) = outputs[..i].iter().find(|(_, p)| same_file(p, path)) {
            return Err(format!(
                "`{other}` and `{flag}` both name `{}`\n(give each output its own file)",
                path.display()
            ));
        }
        check(path).map_err(|why| format!("cannot write `{flag}` to `{}`: {why}", path.display()))?;
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    a == b || matches!((absolute(a), absolute(b)), (Some(a), Some(b)) if a == b)
}

/// `path` with its directory made canonical (the file itself may not exist yet).
fn absolute(path: &Path) -> Option<PathBuf> {
    Some(directory(path).canonicalize().ok()?.join(path.file_name()?))
}

fn directory(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

fn check(path: &Path) -> Result<(), String> {
    if path.file_name().is_none() {
        return Err("it names no file\n(give a file name, e.g. `results.json`)".into());
    }
    let dir = directory(path);
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return Err(format!("`{}` is not a directory", dir.display())),
        Err(e) => return Err(format!("directory `{}`: {e}\n(create it first, or choose another path)", dir.display())),
    }
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        let kind = meta.file_type();
        let what = if kind.is_symlink() {
            Some("a symbolic link (the runner replaces files, it does not write through links)")
        } else if kind.is_dir() {
            Some("a directory")
        } else if kind.is_fifo() {
            Some("a FIFO (named pipe)")
        } else if kind.is_char_device() || kind.is_block_device() {
            Some("a device")
        } else if kind.is_socket() {
            Some("a socket")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(format!("it is {what}, not a regular file\n(remove it, or choose another path)"));
        }
    }
    // Creating a file beside it shows that the directory takes new files (and
    // so the rename that puts the output in place).
    let (probe, file) =
        create_temporary(path).map_err(|e| format!("cannot create a file in `{}`: {e}", dir.display()))?;
    drop(file);
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// Writes `contents` to `path`: to a temporary file beside it, synced, then
/// renamed over it.
pub(crate) fn write(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let (temporary, mut file) = create_temporary(path)?;
    let written = file.write_all(contents).and_then(|()| file.sync_all());
    drop(file);
    let renamed = written.and_then(|()| std::fs::rename(&temporary, path));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    renamed
}

/// A new file `.NAME.PID.N.tmp` in `path`'s directory, created exclusively
/// (`O_EXCL` never follows a symlink) and closed on exec.
fn create_temporary(path: &Path) -> std::io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let temporary =
        directory(path).join(format!(".{name}.{}.{}.tmp", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .custom_flags(nix::fcntl::OFlag::O_CLOEXEC.bits() | nix::fcntl::OFlag::O_NOFOLLOW.bits())
        .open(&temporary)?;
    Ok((temporary, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("runner-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn unusable_paths_are_refused_before_anything_is_written() {
        let dir = scratch("check");
        let refused = |path: &Path| check_all(&[("--junit", path)]).unwrap_err();
        assert!(refused(Path::new("/nonexistent/dir/j.xml")).contains("directory `/nonexistent/dir`"));
        assert!(refused(Path::new("/dev/full")).contains("a device, not a regular file"));
        assert!(refused(&dir).contains("a directory"));
        nix::unistd::mkfifo(&dir.join("fifo"), nix::sys::stat::Mode::S_IRWXU).unwrap();
        assert!(refused(&dir.join("fifo")).contains("a FIFO"));
        std::os::unix::fs::symlink("/etc/passwd", dir.join("link")).unwrap();
        assert!(refused(&dir.join("link")).contains("a symbolic link"));
        let same = dir.join("out.json");
        let twice = check_all(&[("--junit", &same), ("--gradescope", &dir.join(".").join("out.json"))]);
        assert!(twice.unwrap_err().contains("`--junit` and `--gradescope` both name"));
        assert_eq!(check_all(&[("--junit", &same)]), Ok(()));
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2, "the probe file is removed");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_write_replaces_the_path_and_leaves_no_temporary_file() {
        let dir = scratch("write");
        let target = dir.join("results.json");
        std::fs::write(dir.join("victim"), "keep").unwrap();
        std::os::unix::fs::symlink(dir.join("victim"), &target).unwrap();
        write(&target, b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("victim")).unwrap(), "keep", "the link is not followed");
        assert!(std::fs::symlink_metadata(&target).unwrap().file_type().is_file());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "{}");
        write(&target, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "second");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
