//! `gradebook.json` (gradebook version 1, documented in README.md): the
//! [`Gradebook`] as it is, read back by `--resume` and `runner merge`.
//! Fields may be added within a version; none is renamed or removed.

use std::path::Path;

use super::Gradebook;

/// The version this runner writes and reads.
pub(crate) const GRADEBOOK_VERSION: u32 = 1;

/// The JSON text of `book`.
pub(crate) fn to_json(book: &Gradebook) -> String {
    let mut text = serde_json::to_string_pretty(book).unwrap_or_default();
    text.push('\n');
    text
}

/// The gradebook at `path`; `Ok(None)` when there is none.
pub(crate) fn read(path: &Path) -> Result<Option<Gradebook>, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
    };
    let version = serde_json::from_str::<serde_json::Value>(&text)
        .map_err(|e| format!("`{}` is not JSON: {e}", path.display()))?
        .get("gradebook_version")
        .and_then(serde_json::Value::as_u64);
    if version != Some(u64::from(GRADEBOOK_VERSION)) {
        return Err(format!(
            "`{}` has gradebook version {}, this runner reads {GRADEBOOK_VERSION}",
            path.display(),
            version.map_or_else(|| "none".to_owned(), |v| v.to_string())
        ));
    }
    serde_json::from_str(&text).map(Some).map_err(|e| format!("`{}` is not a gradebook: {e}", path.display()))
}
