//! A bounded fuzz of the scenario parser and validator: random and mutated
//! scenario text (the files of `scenarios/` and `tests/malformed/`, TOML's four
//! string forms with non-ASCII text and escapes, random unicode) must never
//! panic, and every refusal must name a line and column inside the text and
//! render. Runs in the normal suite (2000 cases per property, a fraction of a
//! second in release); `PROPTEST_CASES=100000` runs it longer.

use std::path::{Path, PathBuf};

use super::error::ScenarioError;
use super::load_str;
use crate::host::plugin::{ManifestSource, PluginRef};
use crate::protocol::LoadError;
use proptest::prelude::*;
use proptest::test_runner::Config;
use runner_sdk::{Manifest, ParamSpec, WorkloadInfo};

/// Every plugin name has the same workloads, covering every parameter type;
/// a plugin given as a path is missing.
struct FakeManifests;

impl ManifestSource for FakeManifests {
    fn manifest(&mut self, plugin: &PluginRef) -> Result<(PathBuf, Manifest), LoadError> {
        let name = match plugin {
            PluginRef::Name(name) => name.clone(),
            PluginRef::Path(path) => return Err(LoadError::MissingFile { path: path.clone() }),
        };
        let workload = |name: &str, params: Vec<ParamSpec>, async_units| WorkloadInfo {
            name: name.into(),
            description: String::new(),
            params,
            async_units,
        };
        let workloads = vec![
            workload(
                "count",
                vec![ParamSpec::int("steps", 1000, ""), ParamSpec::int("checkpoint_every", 4096, "")],
                false,
            ),
            workload("sleep", vec![ParamSpec::float("seconds", 1.0, ""), ParamSpec::string("url", "", "")], true),
            workload(
                "python",
                vec![
                    ParamSpec::string("code", "", ""),
                    ParamSpec::path("file", ""),
                    ParamSpec::table("kwargs", ""),
                    ParamSpec::bool("verbose", false, ""),
                ],
                false,
            ),
        ];
        let manifest = Manifest { name, version: "1.0.0".into(), description: String::new(), workloads };
        Ok(("/fake/librunner_plugin_fake.so".into(), manifest))
    }
}

/// The scenario files of the repository, the seeds of the mutations.
fn seeds() -> &'static [String] {
    static SEEDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(read_seeds)
}

fn read_seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    for dir in [root.join("../scenarios"), root.join("../scenarios/assessments"), root.join("tests/malformed")] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        texts.extend(files.iter().map(|f| std::fs::read_to_string(f).unwrap()));
    }
    assert!(texts.len() > 20, "the seed corpus is missing");
    texts
}

/// Pieces that make TOML and the check expressions interesting.
const FRAGMENTS: &[&str] = &[
    "'''",
    "\"\"\"",
    "'",
    "\"",
    "\\",
    "\\u00e9",
    "\\U0001F600",
    "\\x41",
    "\\t",
    "\\\n",
    "é",
    "漢",
    "\u{202e}",
    "\u{1b}",
    "\u{9b}",
    "\r\n",
    "\n",
    "[",
    "]",
    "{",
    "}",
    "=",
    ",",
    "nan",
    "inf",
    "-0.0",
    "1e308",
    "1e-300",
    "18446744073709551615",
    "-9223372036854775808",
    "[[expect]]\ncheck = '''\n",
    "[[strategy]]\nkind = \"threads\"\n",
    "[workload.sweep]\nsteps = [1, 2]\n",
    "speedup(\"",
    "\") >= ",
    "&& ||",
    "wall(\"sequential\") >< 1",
];

/// One edit of `text`, at a position taken modulo its length.
#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, fragment: usize },
    InsertText { at: usize, text: String },
    DuplicateLine { line: usize },
    SwapLines { a: usize, b: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..40usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 0..FRAGMENTS.len()).prop_map(|(at, fragment)| Mutation::Insert { at, fragment }),
        (any::<usize>(), any::<String>()).prop_map(|(at, text)| Mutation::InsertText { at, text }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
    ]
}

/// The char boundary `at` lands on in `text`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn apply(text: &mut String, mutation: &Mutation) {
    match mutation {
        Mutation::Delete { at, len } => {
            let start = boundary(text, *at);
            let end = boundary(text, (start + len).min(text.len()));
            text.replace_range(start..end.max(start), "");
        }
        Mutation::Insert { at, fragment } => text.insert_str(boundary(text, *at), FRAGMENTS[*fragment]),
        Mutation::InsertText { at, text: piece } => text.insert_str(boundary(text, *at), piece),
        _ if text.is_empty() => {}
        Mutation::DuplicateLine { line } => {
            let mut lines: Vec<&str> = text.lines().collect();
            let i = line % lines.len();
            lines.insert(i, lines[i]);
            *text = lines.join("\n");
        }
        Mutation::SwapLines { a, b } => {
            let mut lines: Vec<&str> = text.lines().collect();
            let (a, b) = (a % lines.len(), b % lines.len());
            lines.swap(a, b);
            *text = lines.join("\n");
        }
    }
}

/// A scenario whose check is `content` written in one of TOML's string forms.
fn check_in_string_form(content: &str, form: usize) -> String {
    let check = match form {
        0 => format!("'{}'", content.replace(['\'', '\n'], "")),
        1 => format!("'''\n{}'''", content.replace("'''", "")),
        2 => format!("\"{}\"", content.replace('\n', "\\n")),
        _ => format!("\"\"\"\n{}\"\"\"", content.replace("\"\"\"", "")),
    };
    format!(
        "[scenario]\nname = \"fuzz\"\n\n[workload]\nplugin = \"cpu\"\nworkload = \"count\"\n\n\
         [[strategy]]\nkind = \"sequential\"\n\n[[expect]]\ncheck = {check}\n"
    )
}

/// Text for a check: expression pieces, non-ASCII letters and escapes.
fn check_content() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("wall(\"sequential\")".to_owned()),
        Just("ok(\"séquentiel\")".to_owned()),
        Just(" >< ".to_owned()),
        Just(" >= 1.5".to_owned()),
        Just(" && ".to_owned()),
        Just("(".to_owned()),
        Just("\\u00e9".to_owned()),
        Just("\\t".to_owned()),
        Just("\\\"".to_owned()),
        Just("\\\n   ".to_owned()),
        Just("\n".to_owned()),
        Just("é漢😀".to_owned()),
        "[a-z0-9 ().\"<>=!&|+*/-]{0,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

/// Validates `text`; a refusal must point inside it and render.
fn check_refusal_is_located(text: &str) -> Result<(), TestCaseError> {
    let Err(error) = load_str(Path::new("fuzz.toml"), text, &mut FakeManifests) else { return Ok(()) };
    let shown = error.to_string();
    match &error {
        ScenarioError::Invalid { line, column, .. } => {
            let lines = text.matches('\n').count() + 1;
            prop_assert!((1..=lines).contains(line), "line {line} of {lines}: {shown}");
            let this_line = text.split('\n').nth(line - 1).unwrap_or("");
            let columns = this_line.chars().count() + 1;
            prop_assert!((1..=columns).contains(column), "column {column} of {columns}: {shown}");
            prop_assert!(shown.starts_with(&format!("fuzz.toml:{line}:{column}: ")), "{shown}");
        }
        ScenarioError::Read { .. } => prop_assert!(false, "load_str reads no file: {shown}"),
    }
    Ok(())
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(2000);
    Config { cases, failure_persistence: None, ..Config::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_scenarios_are_validated_or_refused_with_a_place(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let seeds = seeds();
        let mut text = seeds[seed.index(seeds.len())].clone();
        for m in &mutations {
            apply(&mut text, m);
        }
        check_refusal_is_located(&text)?;
    }

    #[test]
    fn checks_in_every_string_form_are_refused_with_a_place(content in check_content(), form in 0..4usize) {
        check_refusal_is_located(&check_in_string_form(&content, form))?;
    }

    #[test]
    fn random_text_is_refused_with_a_place(text in any::<String>()) {
        check_refusal_is_located(&text)?;
    }
}
