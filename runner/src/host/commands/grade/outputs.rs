//! Where `runner grade` writes, under `--out DIR`: `gradebook.csv` and
//! `gradebook.json`, rewritten (by rename) after every submission so that
//! an interrupt or a crash leaves a consistent gradebook of what finished,
//! and `submissions/ID/` with the submission's Gradescope `results.json`,
//! `junit.xml`, `report.html`, and `feedback.txt` when it lost points
//! before any check ran. Only the host writes there; a submission's code
//! never sees the folder.

use std::path::{Path, PathBuf};

use super::submission::Graded;
use crate::host::gradebook::{self, Gradebook, SubmissionRow};
use crate::host::output_path;
use crate::host::report::{
    Exporter, Gradescope, Html, Junit, NotRun, Report, ScenarioResult, gradescope_without_runs_of,
};

/// The files of one `--out` folder.
#[derive(Debug, Clone)]
pub(crate) struct OutDir {
    root: PathBuf,
}

impl OutDir {
    /// `root`, created if missing (its parent must exist).
    pub(crate) fn open(root: &Path) -> Result<OutDir, String> {
        match std::fs::symlink_metadata(root) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(format!("`--out {}` is not a directory", root.display())),
            Err(_) => std::fs::create_dir(root)
                .map_err(|e| format!("cannot create `--out {}`: {e}\n(its parent must exist)", root.display()))?,
        }
        let out = OutDir { root: root.to_owned() };
        let (csv, json) = (out.csv(), out.json());
        output_path::check_all(&[("--out (gradebook.csv)", &csv), ("--out (gradebook.json)", &json)])?;
        Ok(out)
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn csv(&self) -> PathBuf {
        self.root.join("gradebook.csv")
    }

    pub(crate) fn json(&self) -> PathBuf {
        self.root.join("gradebook.json")
    }

    /// The folder of submission `id`.
    pub(crate) fn submission(&self, id: &str) -> PathBuf {
        self.root.join("submissions").join(id)
    }

    /// Both gradebook files, JSON first (what `--resume` reads).
    pub(crate) fn write_gradebook(&self, book: &Gradebook) -> Result<(), String> {
        let json = output_path::write(&self.json(), gradebook::to_json(book).as_bytes());
        json.and_then(|()| output_path::write(&self.csv(), gradebook::to_csv(book).as_bytes()))
            .map_err(|e| format!("cannot write the gradebook in `{}`: {e}", self.root.display()))
    }

    /// The report files of one graded submission.
    pub(crate) fn write_submission(&self, graded: &Graded) -> Result<(), String> {
        let dir = self.submission(&graded.row.id);
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
        let reports: Vec<Report<'_>> = graded.results.iter().map(ScenarioResult::report).collect();
        let complete = graded.results.len()
            == graded.row.marks.iter().map(|m| &m.lab).collect::<std::collections::BTreeSet<_>>().len();
        let mut files: Vec<(&str, String)> = Vec::new();
        let gradescope = if complete { Gradescope.export(&reports)? } else { gradescope_without_runs(&graded.row)? };
        files.push(("results.json", gradescope));
        if !reports.is_empty() {
            files.push(("junit.xml", Junit.export(&reports)?));
            files.push(("report.html", Html.export(&reports)?));
        }
        if !graded.row.feedback.is_empty() {
            files.push(("feedback.txt", format!("{}\n", graded.row.feedback)));
        }
        for (name, text) in files {
            let path = dir.join(name);
            output_path::write(&path, text.as_bytes())
                .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        }
        Ok(())
    }
}

/// Gradescope's `results.json` for a submission some lab could not run
/// (a failed build, a missing library): the row's points, the reason as
/// the output of the submission and of every check it could not earn.
fn gradescope_without_runs(row: &SubmissionRow) -> Result<String, String> {
    let tests = row
        .marks
        .iter()
        .map(|m| NotRun { name: format!("{}: {}", m.lab, m.name), score: m.points, max_score: m.max, passed: m.passed })
        .collect();
    gradescope_without_runs_of(tests, row.total, row.max, &row.feedback)
}
