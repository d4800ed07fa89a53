//! `gradebook.csv`: a header, then one row per submission in id order: id,
//! status, total, max, and the points of each expectation (a column per
//! expectation, named `lab: expectation` when several labs are graded). No
//! times, so a class graded in shards and merged gives the same bytes.

use super::Gradebook;
use crate::host::sanitize::csv_field;

/// The CSV text of `book`.
pub(crate) fn to_csv(book: &Gradebook) -> String {
    let several = book.labs.len() > 1;
    let mut header = vec!["id".to_owned(), "status".into(), "total".into(), "max".into()];
    for lab in &book.labs {
        for column in &lab.expectations {
            let name = if several { format!("{}: {}", lab.name, column.name) } else { column.name.clone() };
            header.push(cell(&name));
        }
    }
    let mut lines = vec![header.join(",")];
    for row in &book.submissions {
        let mut fields = vec![cell(&row.id), row.status.words().to_owned(), number(row.total), number(row.max)];
        fields.extend(row.marks.iter().map(|m| number(m.points)));
        lines.push(fields.join(","));
    }
    lines.push(String::new());
    lines.join("\n")
}

/// A text cell: controls escaped, quoted where needed, and never read as a
/// formula by a spreadsheet (a directory may be named `=HYPERLINK(…)`).
fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_owned() };
    csv_field(&text)
}

/// `2`, `1.5`: as short as exact.
fn number(value: f64) -> String {
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::super::model::{Column, LabColumns, Mark, Status, SubmissionRow};
    use super::*;

    #[test]
    fn one_row_per_submission_with_a_column_per_expectation() {
        let lab = LabColumns {
            name: "lab".into(),
            file: "lab.toml".into(),
            expectations: vec![
                Column { name: "sums, right".into(), points: 2.0 },
                Column { name: "b".into(), points: 1.5 },
            ],
        };
        let mut book = Gradebook::new(vec![lab], "fnv1a64:0".into());
        let mark = |name: &str, points: f64, max: f64| Mark {
            lab: "lab".into(),
            name: name.into(),
            points,
            max,
            passed: points == max,
        };
        for (id, status, points) in [("zoe", Status::Graded, 2.0), ("=cmd", Status::BuildFailed, 0.0)] {
            book.put(SubmissionRow {
                id: id.into(),
                status,
                total: points,
                max: 3.5,
                marks: vec![mark("sums, right", points, 2.0), mark("b", 0.0, 1.5)],
                feedback: String::new(),
                seconds: 1.0,
                runs_seconds: 0.5,
            });
        }
        assert_eq!(
            to_csv(&book),
            "id,status,total,max,\"sums, right\",b\n'=cmd,build failed,0,3.5,0,0\nzoe,graded,2,3.5,2,0\n"
        );
    }
}
