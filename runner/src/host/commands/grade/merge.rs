//! `runner merge OUT_DIR... --out DIR`: the gradebooks of shards (`runner
//! grade --shard K/N`, one per CI job or Kubernetes pod) combined into one,
//! with every submission's folder. Refused (exit 2) when the shards were
//! graded with different labs (their lab hashes differ), or when two shards
//! disagree on a submission.

use std::path::{Path, PathBuf};

use super::outputs::OutDir;
use super::summary::summary;
use crate::host::cli::MergeArgs;
use crate::host::exit_code;
use crate::host::gradebook::{self, Gradebook};
use crate::host::output_path;
use crate::host::stdout::Stdout;

pub(crate) fn merge(args: &MergeArgs) -> u8 {
    let merged = combine(&args.dirs).and_then(|book| Ok((book, OutDir::open(&args.out)?)));
    let (book, out) = match merged {
        Ok(both) => both,
        Err(e) => {
            eprintln!("error: {e}");
            return exit_code::INPUT_UNUSABLE;
        }
    };
    for dir in &args.dirs {
        let from = OutDir::open(dir).map(|d| d.submission("")).unwrap_or_default();
        if let Err(e) = copy_folders(&from, &out.submission("")) {
            eprintln!("error: {e}");
            return exit_code::RUN_FAILED;
        }
    }
    if let Err(e) = out.write_gradebook(&book) {
        eprintln!("error: {e}");
        return exit_code::RUN_FAILED;
    }
    let mut stdout = Stdout::new();
    stdout.line(&summary(&book));
    stdout.line(&format!("gradebook: {} and {}", out.csv().display(), out.json().display()));
    exit_code::OK
}

/// One gradebook of every shard's rows.
fn combine(dirs: &[PathBuf]) -> Result<Gradebook, String> {
    let mut merged: Option<(PathBuf, Gradebook)> = None;
    for dir in dirs {
        let path = dir.join("gradebook.json");
        let book = gradebook::read(&path)?.ok_or_else(|| format!("no gradebook in `{}`", dir.display()))?;
        let Some((first, into)) = &mut merged else {
            merged = Some((path, book));
            continue;
        };
        if book.lab_hash != into.lab_hash || book.labs != into.labs {
            return Err(format!(
                "`{}` was graded with other labs than `{}` ({} and {})\n(merge only shards of one `runner grade`)",
                path.display(),
                first.display(),
                book.lab_hash,
                into.lab_hash
            ));
        }
        for row in book.submissions {
            match into.row(&row.id) {
                Some(seen) if seen.status != row.status || seen.marks != row.marks => {
                    return Err(format!(
                        "submission `{}` is graded differently in `{}` and `{}`\n(was it in two shards?)",
                        row.id,
                        first.display(),
                        path.display()
                    ));
                }
                Some(_) => {}
                None => into.put(row),
            }
        }
    }
    merged.map(|(_, book)| book).ok_or_else(|| "no shard folder given".to_owned())
}

/// Copies each `from/ID/FILE` to `to/ID/FILE` (by rename of a temporary
/// file, never through a link planted at the target).
fn copy_folders(from: &Path, to: &Path) -> Result<(), String> {
    let Ok(entries) = std::fs::read_dir(from) else { return Ok(()) };
    if from.canonicalize().ok() == to.canonicalize().ok() {
        return Ok(());
    }
    for entry in entries.flatten() {
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let target = to.join(entry.file_name());
        std::fs::create_dir_all(&target).map_err(|e| format!("cannot create `{}`: {e}", target.display()))?;
        for file in std::fs::read_dir(entry.path()).into_iter().flatten().flatten() {
            if !file.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let bytes =
                std::fs::read(file.path()).map_err(|e| format!("cannot read `{}`: {e}", file.path().display()))?;
            let path = target.join(file.file_name());
            output_path::write(&path, &bytes).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        }
    }
    Ok(())
}
