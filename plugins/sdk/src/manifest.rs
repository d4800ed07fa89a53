//! What a plugin says about itself: its workloads and their typed parameters.
//!
//! The manifest crosses the boundary as JSON so that the host can validate a
//! scenario's `[workload.params]` (names, types, defaults) before any unit runs,
//! and `runner list` can show the help text.

use serde::{Deserialize, Serialize};

/// A plugin's self-description, serialized as JSON by the `manifest` entry point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Plugin name, as scenarios refer to it (`plugin = "cpu"`).
    pub name: String,
    /// The plugin crate's version.
    pub version: String,
    /// One line for `runner list`.
    pub description: String,
    /// The workloads this plugin provides.
    pub workloads: Vec<WorkloadInfo>,
}

/// One workload of a plugin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadInfo {
    /// Name used in scenarios (`workload = "count"`).
    pub name: String,
    /// What one unit does, and what `verify` checks.
    pub description: String,
    /// Declared parameters; the host rejects any other.
    pub params: Vec<ParamSpec>,
    /// The workload has an async form (`run_unit_async`), which the `async`
    /// strategies need.
    #[serde(default)]
    pub async_units: bool,
}

/// A typed parameter with its default and help text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    /// Parameter name in `[workload.params]`.
    pub name: String,
    /// The value's type.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// Value used when the scenario does not set it.
    pub default: ParamValue,
    /// One line of help for `runner list`.
    pub help: String,
}

impl ParamSpec {
    /// An integer parameter.
    pub fn int(name: &str, default: i64, help: &str) -> Self {
        Self::new(name, ParamValue::Int(default), help)
    }

    /// A floating-point parameter.
    pub fn float(name: &str, default: f64, help: &str) -> Self {
        Self::new(name, ParamValue::Float(default), help)
    }

    /// A boolean parameter.
    pub fn bool(name: &str, default: bool, help: &str) -> Self {
        Self::new(name, ParamValue::Bool(default), help)
    }

    /// A string parameter.
    pub fn string(name: &str, default: &str, help: &str) -> Self {
        Self::new(name, ParamValue::String(default.to_owned()), help)
    }

    /// A table of named values of any type, empty by default.
    pub fn table(name: &str, help: &str) -> Self {
        Self::new(name, ParamValue::Table(serde_json::Map::new()), help)
    }

    /// A file path. A relative path in a scenario is resolved against the
    /// scenario file's directory and must exist, so the workload receives an
    /// absolute path (or `""` when the scenario leaves it unset): a plugin
    /// cannot know where the scenario file was.
    pub fn path(name: &str, help: &str) -> Self {
        Self { kind: ParamType::Path, ..Self::new(name, ParamValue::String(String::new()), help) }
    }

    fn new(name: &str, default: ParamValue, help: &str) -> Self {
        Self { name: name.to_owned(), kind: default.kind(), default, help: help.to_owned() }
    }
}

/// The type of a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    /// A 64-bit signed integer.
    Int,
    /// A 64-bit float (integers are accepted and widened).
    Float,
    /// `true` or `false`.
    Bool,
    /// UTF-8 text.
    String,
    /// A file path, resolved by the host against the scenario's directory
    /// (added in runner 0.2; the value is a string on the wire).
    Path,
    /// Named values of any type, passed through (added in runner 0.2): for
    /// workloads whose parameters are not known in advance, such as keyword
    /// arguments of a Python function.
    Table,
}

impl ParamType {
    /// `an integer`, `a float`…, for messages.
    pub fn with_article(self) -> String {
        let article = if self == ParamType::Int { "an" } else { "a" };
        format!("{article} {self}")
    }
}

impl std::fmt::Display for ParamType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ParamType::Int => "integer",
            ParamType::Float => "float",
            ParamType::Bool => "boolean",
            ParamType::String => "string",
            ParamType::Path => "path",
            ParamType::Table => "table",
        })
    }
}

/// A parameter value. Serialized as the bare JSON value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// Text.
    String(String),
    /// A table of named values (a TOML inline table, a JSON object on the
    /// wire), passed through as it was written.
    Table(serde_json::Map<String, serde_json::Value>),
}

impl ParamValue {
    /// The type of this value.
    pub fn kind(&self) -> ParamType {
        match self {
            ParamValue::Int(_) => ParamType::Int,
            ParamValue::Float(_) => ParamType::Float,
            ParamValue::Bool(_) => ParamType::Bool,
            ParamValue::String(_) => ParamType::String,
            ParamValue::Table(_) => ParamType::Table,
        }
    }
}

impl std::fmt::Display for ParamValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamValue::Int(v) => write!(f, "{v}"),
            ParamValue::Float(v) => write!(f, "{v}"),
            ParamValue::Bool(v) => write!(f, "{v}"),
            ParamValue::String(v) => write!(f, "{v:?}"),
            ParamValue::Table(v) => write!(f, "{}", serde_json::Value::Object(v.clone())),
        }
    }
}
