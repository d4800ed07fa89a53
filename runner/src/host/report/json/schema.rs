//! The JSON Schema of the `--format json` document, generated from the
//! document's own types (schemars, a dev-dependency: the runner itself never
//! needs it) and shipped as `docs/schema/runner-report-1.json`, so graders
//! can validate what they parse. This test fails when the types and the
//! shipped file disagree; `UPDATE_SNAPSHOTS=1` rewrites the file (review
//! the diff: a removed or renamed field needs a new schema version).
//! `runner/tests/schema.rs` validates real output against the file.

use super::{Document, SCHEMA_VERSION};

fn shipped_path() -> std::path::PathBuf {
    let file = format!("docs/schema/runner-report-{SCHEMA_VERSION}.json");
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(file)
}

fn generated() -> String {
    let mut schema = schemars::schema_for!(Document<'static>);
    schema.insert("title".into(), format!("runner --format json, schema version {SCHEMA_VERSION}").into());
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema serializes");
    text.push('\n');
    text
}

#[test]
fn the_shipped_schema_is_the_one_the_types_give() {
    let path = shipped_path();
    let actual = generated();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &actual).expect("write the schema");
        return;
    }
    let shipped = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with UPDATE_SNAPSHOTS=1 and review it", path.display()));
    assert_eq!(actual, shipped, "the JSON document's types changed; UPDATE_SNAPSHOTS=1 and review the schema's diff");
}
