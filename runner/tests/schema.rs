//! The shipped JSON Schema (`docs/schema/runner-report-1.json`) validates the
//! real `--format json` output of every scenario in `scenarios/` (each in one
//! measured round), and refuses documents that break it.
//!
//! The checker is this file's own: the schema schemars emits uses a small
//! part of JSON Schema (type, properties, required, items,
//! additionalProperties, $ref into $defs, anyOf/oneOf/allOf, enum, const,
//! minimum), which fits in a page, where a full validator crate would bring
//! in a regex engine and an HTTP client for remote `$ref`s.

mod common;

use std::path::{Path, PathBuf};

use common::runner;
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

fn schema() -> Value {
    let text = std::fs::read_to_string(workspace().join("docs/schema/runner-report-1.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Every way `value` breaks `schema` (within `root`, for `$ref`), as `path: why`.
fn violations(root: &Value, schema: &Value, value: &Value, path: &str, out: &mut Vec<String>) {
    let schema = match schema {
        Value::Bool(true) => return,
        Value::Bool(false) => return out.push(format!("{path}: nothing is allowed here")),
        Value::Object(schema) => schema,
        other => panic!("not a schema: {other}"),
    };
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/$defs/").unwrap_or_else(|| panic!("unsupported $ref {reference}"));
        violations(root, &root["$defs"][name], value, path, out);
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().map(|t| t.as_str().unwrap()).collect(),
            other => panic!("bad type {other}"),
        };
        let is = |t: &str| match t {
            "null" => value.is_null(),
            "boolean" => value.is_boolean(),
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "number" => value.is_number(),
            "integer" => value.is_i64() || value.is_u64(),
            other => panic!("unknown type {other}"),
        };
        if !types.iter().any(|t| is(t)) {
            return out.push(format!("{path}: {value} is not {types:?}"));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        out.push(format!("{path}: {value} is not one of {allowed:?}"));
    }
    if let Some(constant) = schema.get("const")
        && constant != value
    {
        out.push(format!("{path}: {value} is not {constant}"));
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), value.as_f64())
        && n < min
    {
        out.push(format!("{path}: {n} < {min}"));
    }
    for (key, all) in [("anyOf", false), ("oneOf", true)] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            let passing = options.iter().filter(|s| ok(root, s, value)).count();
            if passing == 0 || (all && passing > 1) {
                out.push(format!("{path}: {passing} of the {key} alternatives hold"));
            }
        }
    }
    for s in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        violations(root, s, value, path, out);
    }
    if let Value::Object(object) = value {
        let properties = schema.get("properties").and_then(Value::as_object);
        for key in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            if !object.contains_key(key.as_str().unwrap()) {
                out.push(format!("{path}: `{key}` is missing"));
            }
        }
        for (key, item) in object {
            let item_path = format!("{path}.{key}");
            match properties.and_then(|p| p.get(key)) {
                Some(s) => violations(root, s, item, &item_path, out),
                None => {
                    if let Some(extra) = schema.get("additionalProperties") {
                        violations(root, extra, item, &item_path, out);
                    }
                }
            }
        }
    }
    if let (Value::Array(items), Some(s)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            violations(root, s, item, &format!("{path}[{i}]"), out);
        }
    }
}

fn ok(root: &Value, schema: &Value, value: &Value) -> bool {
    let mut out = Vec::new();
    violations(root, schema, value, "$", &mut out);
    out.is_empty()
}

fn check(schema: &Value, doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    violations(schema, schema, doc, "$", &mut out);
    out
}

/// Every scenario file under `dir`, recursively.
fn scenario_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(scenario_files(&path));
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// `scenarios/` copied (its Python files too), each scenario cut to one
/// measured round, no retries, short loops, delays and files: the schema is about
/// the document's shape, not the figures (uncut, this test took 71–138 s).
fn one_round_copy(to: &Path) -> Vec<PathBuf> {
    let from = workspace().join("scenarios");
    let status = std::process::Command::new("cp").arg("-r").arg(&from).arg(to).status().unwrap();
    assert!(status.success());
    let files = scenario_files(&to.join("scenarios"));
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let cut: Vec<String> = text
            .lines()
            .map(|line| match line.split('=').next().map(str::trim) {
                Some("repeat") => "repeat = 1".to_owned(),
                Some("warmup") => "warmup = 0".to_owned(),
                Some("retries") => "retries = 0".to_owned(),
                Some("steps") => "steps = 10_000_000".to_owned(),
                Some("delay_ms") => "delay_ms = 5".to_owned(),
                Some("bytes") => "bytes = 1_048_576".to_owned(),
                _ => line.to_owned(),
            })
            .collect();
        std::fs::write(file, cut.join("\n")).unwrap();
    }
    files
}

#[test]
fn every_scenarios_json_validates_against_the_shipped_schema() {
    let schema = schema();
    let dir = tempfile::tempdir().unwrap();
    let files = one_round_copy(dir.path());
    assert!(files.len() >= 15, "{files:?}");
    let out = runner("schema")
        .args(&files)
        .args(["--format", "json"])
        .timeout(std::time::Duration::from_secs(600))
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&out.stderr));
    let docs: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(docs.len(), files.len(), "a document per scenario");
    for (file, doc) in files.iter().zip(&docs) {
        let broken = check(&schema, doc);
        assert!(broken.is_empty(), "{} does not fit the schema:\n{}", file.display(), broken.join("\n"));
    }
    // The checker is not blind: a missing field, a wrong type, a bad nested value.
    let mut doc = docs[0].clone();
    doc.as_object_mut().unwrap().remove("ok");
    doc["schema_version"] = "1".into();
    doc["strategies"][0]["runs"][0]["units_ok"] = Value::from(-1);
    let broken = check(&schema, &doc);
    assert!(broken.iter().any(|b| b.contains("`\"ok\"` is missing")), "{broken:?}");
    assert!(broken.iter().any(|b| b.starts_with("$.schema_version")), "{broken:?}");
    assert!(broken.iter().any(|b| b.starts_with("$.strategies[0].runs[0].units_ok")), "{broken:?}");
}
