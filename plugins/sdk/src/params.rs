//! Typed access to a unit's parameters, as the host validated them.

use std::collections::BTreeMap;

use crate::manifest::ParamValue;

/// The workload's parameters: every declared one, with defaults filled in by the
/// host, so a lookup of a declared name with the declared type cannot fail.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: BTreeMap<String, ParamValue>,
}

impl Params {
    /// Parses the JSON object the host passes to `prepare`.
    pub fn from_json(json: &str) -> Result<Self, String> {
        let values =
            serde_json::from_str(json).map_err(|e| format!("parameters are not a JSON object of values: {e}"))?;
        Ok(Self { values })
    }

    /// Builds parameters directly (for tests of a workload).
    pub fn from_values(values: impl IntoIterator<Item = (String, ParamValue)>) -> Self {
        Self { values: values.into_iter().collect() }
    }

    /// An integer parameter.
    pub fn int(&self, name: &str) -> Result<i64, String> {
        match self.get(name)? {
            ParamValue::Int(v) => Ok(*v),
            other => Err(wrong_type(name, "integer", other)),
        }
    }

    /// A float parameter (an integer value is widened).
    pub fn float(&self, name: &str) -> Result<f64, String> {
        match self.get(name)? {
            ParamValue::Float(v) => Ok(*v),
            ParamValue::Int(v) => Ok(*v as f64),
            other => Err(wrong_type(name, "float", other)),
        }
    }

    /// A boolean parameter.
    pub fn bool(&self, name: &str) -> Result<bool, String> {
        match self.get(name)? {
            ParamValue::Bool(v) => Ok(*v),
            other => Err(wrong_type(name, "boolean", other)),
        }
    }

    /// A string parameter.
    pub fn string(&self, name: &str) -> Result<&str, String> {
        match self.get(name)? {
            ParamValue::String(v) => Ok(v),
            other => Err(wrong_type(name, "string", other)),
        }
    }

    /// A table parameter ([`crate::ParamSpec::table`]), as a JSON object.
    pub fn table(&self, name: &str) -> Result<&serde_json::Map<String, serde_json::Value>, String> {
        match self.get(name)? {
            ParamValue::Table(v) => Ok(v),
            other => Err(wrong_type(name, "table", other)),
        }
    }

    /// A path parameter ([`crate::ParamSpec::path`]): absolute, checked to
    /// exist by the host, or `None` when the scenario left it unset.
    pub fn path(&self, name: &str) -> Result<Option<std::path::PathBuf>, String> {
        let text = self.string(name)?;
        Ok((!text.is_empty()).then(|| std::path::PathBuf::from(text)))
    }

    fn get(&self, name: &str) -> Result<&ParamValue, String> {
        self.values.get(name).ok_or_else(|| format!("parameter `{name}` is missing (is it declared in `params()`?)"))
    }
}

fn wrong_type(name: &str, expected: &str, found: &ParamValue) -> String {
    format!("parameter `{name}` should be a {expected}, found {found}")
}
