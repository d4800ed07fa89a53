//! `tree`: each unit makes a directory tree, walks it (counting files and
//! bytes), tries `rmdir` on its non-empty root — the lecture's `[Errno 66]
//! Directory not empty`, an expected outcome shown with the OS's message —
//! then removes the tree and checks that nothing is left.

use std::path::{Path, PathBuf};

use runner_sdk::{ParamSpec, Params, UnitContext, Workload, with_figures};

#[derive(Debug)]
pub struct Tree {
    dir: PathBuf,
    depth: u32,
    fanout: u32,
    files_per_dir: u32,
    bytes: usize,
}

impl Tree {
    /// Directories in the tree below and including the root.
    fn dirs(&self) -> u64 {
        (0..=self.depth).map(|level| u64::from(self.fanout).pow(level)).sum()
    }

    fn make(&self, dir: &Path, level: u32) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for f in 0..self.files_per_dir {
            std::fs::write(dir.join(format!("file-{f}.txt")), vec![b'x'; self.bytes])?;
        }
        if level < self.depth {
            for d in 0..self.fanout {
                self.make(&dir.join(format!("dir-{d}")), level + 1)?;
            }
        }
        Ok(())
    }
}

/// Files and bytes below `dir`, as `os.walk` would find them.
fn walk(dir: &Path) -> std::io::Result<(u64, u64)> {
    let (mut files, mut bytes) = (0, 0);
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            let (f, b) = walk(&entry.path())?;
            files += f;
            bytes += b;
        } else {
            files += 1;
            bytes += entry.metadata()?.len();
        }
    }
    Ok((files, bytes))
}

impl Workload for Tree {
    const NAME: &'static str = "tree";
    const DESCRIPTION: &'static str = "each unit makes a tree (`depth` levels of `fanout` directories with \
        `files_per_dir` files), walks it, fails to `rmdir` the non-empty root (expected, shown with the OS \
        message), removes it; verifies the counts and that nothing is left";

    fn params() -> Vec<ParamSpec> {
        vec![
            ParamSpec::int("depth", 3, "levels of directories below the root"),
            ParamSpec::int("fanout", 3, "subdirectories per directory"),
            ParamSpec::int("files_per_dir", 2, "files in every directory"),
            ParamSpec::int("bytes", 100, "bytes per file"),
        ]
    }

    fn prepare(params: &Params, _units: u64) -> Result<Self, String> {
        let small = |name: &str, max: i64| -> Result<u32, String> {
            let value = params.int(name)?;
            if (0..=max).contains(&value) { Ok(value as u32) } else { Err(format!("`{name}` must be 0 to {max}")) }
        };
        let dir = runner_sdk::scratch_dir().ok_or("the runner gave no scratch directory")?.join("tree");
        Ok(Tree {
            dir,
            depth: small("depth", 8)?,
            fanout: small("fanout", 16)?,
            files_per_dir: small("files_per_dir", 1000)?,
            bytes: small("bytes", 1 << 20)? as usize,
        })
    }

    fn run_unit(&self, unit: u64, _cx: &UnitContext<'_>) -> Result<String, String> {
        let root = self.dir.join(format!("unit-{unit}"));
        self.make(&root, 0).map_err(|e| format!("making the tree: {e}"))?;
        let (files, bytes) = walk(&root).map_err(|e| format!("walking the tree: {e}"))?;
        let expected_files = self.dirs() * u64::from(self.files_per_dir);
        if files != expected_files || bytes != expected_files * self.bytes as u64 {
            return Err(format!("walk found {files} files and {bytes} bytes, expected {expected_files} files"));
        }
        // The lecture's point: rmdir refuses a directory that is not empty.
        let rmdir = match std::fs::remove_dir(&root) {
            Ok(()) => return Err("rmdir removed a non-empty directory".into()),
            Err(e) => e.to_string(),
        };
        std::fs::remove_dir_all(&root).map_err(|e| format!("removing the tree: {e}"))?;
        if root.exists() {
            return Err("the tree is still there after removing it".into());
        }
        Ok(format!("{files} files, {bytes} bytes; rmdir: {rmdir}; removed"))
    }

    fn verify(&self, results: &[Option<String>]) -> Result<String, String> {
        let done: Vec<&String> = results.iter().flatten().collect();
        let left = std::fs::read_dir(&self.dir).map(|d| d.count()).unwrap_or(0);
        match (done.len() == results.len(), left) {
            (true, 0) => {
                let example = done.first().map_or(String::new(), |s| s.to_string());
                let files = self.dirs() * u64::from(self.files_per_dir);
                Ok(with_figures(
                    format!("{} trees made, walked and removed; e.g. {example}", done.len()),
                    &[("files", files as f64)],
                ))
            }
            (true, left) => Err(format!("{left} entries left behind")),
            (false, _) => Err(format!("{} of {} trees failed", results.len() - done.len(), results.len())),
        }
    }
}
