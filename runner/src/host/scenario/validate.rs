//! Checks a raw scenario against every rule, and against the manifest of the
//! plugin it names, producing a [`Scenario`] or the first error with its place.

use std::path::Path;
use std::time::Duration;

use std::collections::BTreeMap;

use runner_sdk::{ParamSpec, ParamType, ParamValue, WorkloadInfo};
use toml::Spanned;

use super::error::{Located, ScenarioError};
use super::limits::{self, MAX_POINTS, MIN_SWITCH_INTERVAL_MS};
use super::model::ServerSpec;
use super::model::{Expectation, FigureTable, FigureUnit, Visibility};
use super::model::{Scenario, StrategyEntry, WorkloadEntry};
use super::raw::{RawExpect, RawFile, RawReport, RawServer, RawStrategy, RawWorkload};
use super::string_span::char_in_string;
use crate::host::expect::{Expr, FUNCTIONS};
use crate::host::plugin::{ManifestSource, Pin, PluginRef};
use crate::host::serve::ServeConfig;
use crate::protocol::contain::Limits;
use crate::protocol::{GilConfig, StrategyKind, StrategySpec};

const DEFAULT_WARMUP: u32 = 1;
const DEFAULT_TIMEOUT_S: f64 = 60.0;
/// Enough for any demo, small enough that a typo cannot fork-bomb the machine.
const MAX_WORKERS: i64 = 1024;

/// Reads and validates the scenario at `path`.
pub(crate) fn load(path: &Path, manifests: &mut dyn ManifestSource) -> Result<Scenario, ScenarioError> {
    let text = super::read::read_scenario(path)?;
    parse(path, &text, manifests).map_err(|located| ScenarioError::at(path, &text, located))
}

/// Validates scenario `text` as if read from `path`: tests, and `runner grade`,
/// which reads each lab once and validates it again for every submission.
pub(crate) fn load_str(path: &Path, text: &str, manifests: &mut dyn ManifestSource) -> Result<Scenario, ScenarioError> {
    parse(path, text, manifests).map_err(|located| ScenarioError::at(path, text, located))
}

fn parse(path: &Path, text: &str, manifests: &mut dyn ManifestSource) -> Result<Scenario, Located> {
    let raw: RawFile = toml::from_str(text).map_err(|e| Located::from_toml(&e))?;
    let scenario = raw.scenario.get_ref();
    let name = scenario.name.get_ref().trim().to_owned();
    if name.is_empty() {
        return Err(Located::new(scenario.name.span(), "the scenario's `name` is empty"));
    }
    let rounds = super::rounds::repeat(scenario)?;
    let warmup = limits::count(scenario.warmup.as_ref(), DEFAULT_WARMUP, 0, "warmup")?;
    let timeout = limits::timeout(scenario.timeout.as_ref(), DEFAULT_TIMEOUT_S)?;

    let base_dir = path.parent().unwrap_or(Path::new("."));
    let verifier = super::grading::verifier_setting(raw.grading.as_ref())?;
    let submission = super::grading::submission_layout(raw.grading.as_ref(), raw.workload.get_ref())?;
    let inconclusive = super::grading::inconclusive_policy(raw.grading.as_ref())?;
    let workload = workload(raw.workload.get_ref(), base_dir, manifests, &verifier)?;

    if raw.strategy.is_empty() {
        return Err(Located::new(text.len()..text.len(), "the scenario has no `[[strategy]]`")
            .help(format!("add one, e.g.\n[[strategy]]\nkind = \"sequential\"\n(kinds: {})", kind_names())));
    }
    if let Some(extra) = raw.strategy.get(limits::MAX_ROWS) {
        limits::rows(raw.strategy.len(), extra.span(), "the `[[strategy]]` tables")?;
    }
    let mut strategies: Vec<StrategyEntry> = Vec::new();
    let mut baseline = None;
    for raw in &raw.strategy {
        let entry = strategy(raw.get_ref(), &workload, base_dir)?;
        if let Some(first) = strategies.iter().find(|s| s.label == entry.label) {
            let at = raw.get_ref().label.as_ref().map_or(raw.get_ref().kind.span(), Spanned::span);
            return Err(Located::new(at, format!("two strategies are labelled `{}`", first.label))
                .help("give each a distinct `label = \"…\"`"));
        }
        if raw.get_ref().baseline {
            if baseline.is_some() {
                return Err(Located::new(raw.span(), "more than one strategy says `baseline = true`"));
            }
            baseline = Some(strategies.len());
        }
        strategies.push(entry);
    }

    let (strategies, baseline) =
        sweep(&raw.workload.get_ref().sweep, &workload, strategies, baseline.unwrap_or(0), base_dir)?;
    let expectations =
        raw.expect.iter().map(|e| expectation(e.get_ref(), &strategies, text)).collect::<Result<Vec<_>, _>>()?;
    let figure_table = raw.report.as_ref().map(|r| figure_table(r.get_ref(), &strategies)).transpose()?;
    let limits = super::run_limits::limits(raw.limits.as_ref(), Limits::default())?;
    let mut strategies = strategies;
    super::run_limits::strategy_limits(&raw.strategy, &mut strategies, limits)?;
    Ok(Scenario {
        expectations,
        path: path.to_owned(),
        name,
        description: scenario.description.trim().to_owned(),
        repeat: rounds.initial_rounds(),
        rounds,
        warmup,
        timeout,
        workload,
        strategies,
        baseline,
        server: raw.server.as_ref().map(|s| server(s.get_ref())).transpose()?,
        figure_table,
        limits,
        inconclusive,
        text: text.to_owned(),
        submission,
        private_dirs: Vec::new(),
    })
}

/// `[report]`: the figure is the plugin's to name (known only after running);
/// the row the ratios are against must be a strategy of this scenario.
fn figure_table(raw: &RawReport, strategies: &[StrategyEntry]) -> Result<FigureTable, Located> {
    let relative_to = match &raw.relative_to {
        None => None,
        Some(label) => Some(strategies.iter().position(|s| &s.label == label.get_ref()).ok_or_else(|| {
            let labels: Vec<&str> = strategies.iter().map(|s| s.label.as_str()).collect();
            Located::new(label.span(), format!("`relative_to`: no strategy is labelled `{}`", label.get_ref()))
                .help(format!("expected one of: {}", labels.join(", ")))
        })?),
    };
    let unit = match raw.unit.as_ref().map(|u| u.get_ref().as_str()) {
        None | Some("ns") => FigureUnit::Nanoseconds,
        Some(other) => FigureUnit::Other(other.to_owned()),
    };
    Ok(FigureTable {
        figure: raw.figure.get_ref().clone(),
        unit,
        beside: raw.beside.as_ref().map(|b| b.get_ref().clone()),
        relative_to,
    })
}

/// Expands `[workload.sweep]`: every strategy once per combination of the
/// swept values (like hyperfine's `-L`), labelled `label name=value`, side by
/// side in one table. The baseline is the baseline strategy at the first
/// combination.
fn sweep(
    raw: &BTreeMap<Spanned<String>, Spanned<Vec<Spanned<toml::Value>>>>,
    workload: &WorkloadEntry,
    strategies: Vec<StrategyEntry>,
    baseline: usize,
    base_dir: &Path,
) -> Result<(Vec<StrategyEntry>, usize), Located> {
    if raw.is_empty() {
        return Ok((strategies, baseline));
    }
    let info = workload.info();
    let mut axes: Vec<(String, Vec<ParamValue>)> = Vec::new();
    let mut spans = BTreeMap::new();
    for (key, values) in raw {
        let Some(spec) = info.params.iter().find(|p| &p.name == key.get_ref()) else {
            let known: Vec<&str> = info.params.iter().map(|p| p.name.as_str()).collect();
            return Err(Located::new(
                key.span(),
                format!("cannot sweep `{}`: not a parameter of `{}`", key.get_ref(), info.name),
            )
            .help(format!("expected one of: {}", known.join(", "))));
        };
        if values.get_ref().is_empty() {
            return Err(Located::new(values.span(), format!("the sweep of `{}` has no values", key.get_ref())));
        }
        let mut typed = Vec::new();
        for value in values.get_ref() {
            typed.push(param_value(value, spec, base_dir)?);
        }
        spans.insert(spec.name.clone(), key.span());
        axes.push((spec.name.clone(), typed));
    }
    let rows = axes.iter().fold(strategies.len(), |rows, (_, values)| rows.saturating_mul(values.len()));
    limits::rows(rows, raw.keys().next().map_or(0..0, Spanned::span), "the strategies times the swept values")?;
    // Every combination, first axis slowest.
    let mut combinations: Vec<Vec<(String, ParamValue)>> = vec![Vec::new()];
    for (name, values) in &axes {
        combinations = combinations
            .iter()
            .flat_map(|combo| values.iter().map(move |v| [combo.clone(), vec![(name.clone(), v.clone())]].concat()))
            .collect();
    }
    let mut expanded = Vec::new();
    for combo in &combinations {
        for strategy in &strategies {
            let mut entry = strategy.clone();
            let suffix: Vec<String> = combo.iter().map(|(k, v)| format!("{k}={v}")).collect();
            entry.label = format!("{} {}", strategy.label, suffix.join(" "));
            // The label names the swept values; `overrides` stays the strategy's own.
            for (name, value) in combo {
                let Some(slot) = entry.params.iter_mut().find(|(k, _)| k == name) else {
                    return Err(Located::new(
                        spans[name].clone(),
                        format!(
                            "cannot sweep `{name}`: strategy `{}` runs workload `{}`, which has no such parameter",
                            strategy.label, strategy.workload
                        ),
                    ));
                };
                slot.1 = value.clone();
            }
            expanded.push(entry);
        }
    }
    Ok((expanded, baseline))
}

fn server(raw: &RawServer) -> Result<ServerSpec, Located> {
    if let Some(url) = &raw.url {
        let others = [&raw.delay_ms, &raw.jitter_ms, &raw.fail_rate, &raw.drop_rate];
        if others.iter().any(|o| o.is_some()) || raw.body_bytes.is_some() {
            return Err(Located::new(
                url.span(),
                "`url` names an external server; the other `[server]` keys are for the embedded one",
            )
            .help("remove `url` to start the embedded server, or the other keys to use an external one"));
        }
        if !url.get_ref().starts_with("http://") {
            return Err(Located::new(url.span(), "`url` must start with `http://`"));
        }
        return Ok(ServerSpec::External(url.get_ref().trim_end_matches('/').to_owned()));
    }
    let millis = |v: &Option<Spanned<f64>>, key: &str| -> Result<Duration, Located> {
        match v {
            None => Ok(Duration::ZERO),
            Some(v) if v.get_ref().is_finite() && (0.0..1e7).contains(v.get_ref()) => {
                Ok(Duration::from_secs_f64(v.get_ref() / 1e3))
            }
            Some(v) => Err(Located::new(v.span(), format!("`{key}` must be a number of milliseconds, 0 or more"))),
        }
    };
    let rate = |v: &Option<Spanned<f64>>, key: &str| -> Result<f64, Located> {
        match v {
            None => Ok(0.0),
            Some(v) if (0.0..=1.0).contains(v.get_ref()) => Ok(*v.get_ref()),
            Some(v) => Err(Located::new(v.span(), format!("`{key}` must be between 0 and 1"))),
        }
    };
    let body_bytes = match &raw.body_bytes {
        None => ServeConfig::default().body_bytes,
        Some(b) if (0..=64 << 20).contains(b.get_ref()) => *b.get_ref() as usize,
        Some(b) => return Err(Located::new(b.span(), "`body_bytes` must be between 0 and 67108864")),
    };
    Ok(ServerSpec::Embedded(ServeConfig {
        delay: millis(&raw.delay_ms, "delay_ms")?,
        jitter: millis(&raw.jitter_ms, "jitter_ms")?,
        body_bytes,
        fail_rate: rate(&raw.fail_rate, "fail_rate")?,
        drop_rate: rate(&raw.drop_rate, "drop_rate")?,
        ..ServeConfig::default()
    }))
}

fn expectation(raw: &RawExpect, strategies: &[StrategyEntry], file: &str) -> Result<Expectation, Located> {
    let text = raw.check.get_ref();
    let check = Expr::parse(text).map_err(|e| {
        // The expression's columns count chars of the decoded string.
        let at = char_in_string(file, raw.check.span(), e.column.saturating_sub(1));
        Located::new(at, format!("in expectation: {}", e.message))
            .help(format!("functions: {}", FUNCTIONS.iter().map(|f| f.name).collect::<Vec<_>>().join(", ")))
    })?;
    for call in check.calls() {
        if !strategies.iter().any(|s| s.label == call.label) {
            let labels: Vec<&str> = strategies.iter().map(|s| s.label.as_str()).collect();
            return Err(Located::new(raw.check.span(), format!("`{call}` names no strategy of this scenario"))
                .help(format!("strategy labels: {}", labels.join(", "))));
        }
    }
    let points = match &raw.points {
        None => 1.0,
        // `+ 0.0`: `points = -0.0` is 0 points, never printed as `-0`.
        Some(p) if (0.0..=MAX_POINTS).contains(p.get_ref()) => *p.get_ref() + 0.0,
        Some(p) => return Err(Located::new(p.span(), format!("`points` must be between 0 and {MAX_POINTS}"))),
    };
    let tolerance = match &raw.tolerance {
        None => 0.0,
        Some(t) if (0.0..1.0).contains(t.get_ref()) => *t.get_ref(),
        Some(t) => return Err(Located::new(t.span(), "`tolerance` must be a fraction from 0 to below 1 (0.05 = 5 %)")),
    };
    let retries = match &raw.retries {
        None => 0,
        Some(r) if (0..=10).contains(r.get_ref()) => *r.get_ref() as u32,
        Some(r) => return Err(Located::new(r.span(), "`retries` must be between 0 and 10")),
    };
    let visibility = visibility(raw)?;
    Ok(Expectation {
        name: raw.name.as_ref().map_or_else(|| text.clone(), |n| n.get_ref().clone()),
        text: text.clone(),
        check,
        points,
        hint: raw.hint.clone(),
        tolerance,
        retries,
        visibility,
    })
}

/// `visibility = "…"`, or `hidden = true`, not both.
fn visibility(raw: &RawExpect) -> Result<Visibility, Located> {
    match (&raw.hidden, &raw.visibility) {
        (Some(hidden), Some(_)) => {
            Err(Located::new(hidden.span(), "an expectation has `hidden` or `visibility`, not both")
                .help("`hidden = true` is `visibility = \"hidden\"`"))
        }
        (Some(hidden), None) => Ok(if *hidden.get_ref() { Visibility::Hidden } else { Visibility::Visible }),
        (None, Some(name)) => Visibility::ALL.into_iter().find(|v| v.name() == name.get_ref()).ok_or_else(|| {
            let names: Vec<&str> = Visibility::ALL.iter().map(|v| v.name()).collect();
            Located::new(name.span(), format!("unknown visibility `{}`", name.get_ref()))
                .help(format!("expected one of: {}", names.join(", ")))
        }),
        (None, None) => Ok(Visibility::Visible),
    }
}

fn workload(
    raw: &RawWorkload,
    base_dir: &Path,
    manifests: &mut dyn ManifestSource,
    verifier: &super::grading::VerifierSetting,
) -> Result<WorkloadEntry, Located> {
    let plugin = PluginRef::parse(raw.plugin.get_ref(), base_dir);
    let (library, manifest) =
        manifests.manifest(&plugin).map_err(|e| Located::new(raw.plugin.span(), e.to_string()))?;
    let verifier = verifier.resolve(&plugin, base_dir, manifests)?;
    let name = raw.workload.get_ref();
    let Some(info) = manifest.workloads.iter().find(|w| &w.name == name) else {
        let known: Vec<&str> = manifest.workloads.iter().map(|w| w.name.as_str()).collect();
        return Err(Located::new(raw.workload.span(), format!("plugin `{}` has no workload `{name}`", manifest.name))
            .help(format!("expected one of: {}", known.join(", "))));
    };
    let units = limits::units(raw.units.as_ref())?;

    let params = check_params(&raw.params, info, base_dir, |spec| spec.default.clone())?;
    let pin = Pin::take(&library);
    Ok(WorkloadEntry { library, verifier, pin, name: name.clone(), units, params, manifest })
}

/// Checks `given` against the workload's declared parameters and returns every
/// declared parameter, taking the value from `given` or else from `base`.
fn check_params(
    given: &BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    info: &WorkloadInfo,
    base_dir: &Path,
    base: impl Fn(&ParamSpec) -> ParamValue,
) -> Result<Vec<(String, ParamValue)>, Located> {
    let name = &info.name;
    for key in given.keys() {
        if !info.params.iter().any(|p| &p.name == key.get_ref()) {
            let known: Vec<&str> = info.params.iter().map(|p| p.name.as_str()).collect();
            let help = if known.is_empty() {
                format!("workload `{name}` takes no parameters")
            } else {
                format!("expected one of: {}", known.join(", "))
            };
            return Err(Located::new(
                key.span(),
                format!("unknown parameter `{}` for workload `{name}`", key.get_ref()),
            )
            .help(help));
        }
    }
    let mut params = Vec::new();
    for spec in &info.params {
        let value = match given.iter().find(|(k, _)| k.get_ref() == &spec.name).map(|(_, v)| v) {
            None => base(spec),
            Some(value) => param_value(value, spec, base_dir)?,
        };
        params.push((spec.name.clone(), value));
    }
    Ok(params)
}

/// `value` as a value of `spec`'s type; a path is resolved against the
/// scenario's directory and must exist.
fn param_value(value: &Spanned<toml::Value>, spec: &ParamSpec, base_dir: &Path) -> Result<ParamValue, Located> {
    limits::finite(value, &spec.name)?;
    let typed = match (spec.kind, value.get_ref()) {
        (ParamType::Int, toml::Value::Integer(v)) => ParamValue::Int(*v),
        (ParamType::Float, toml::Value::Float(v)) => ParamValue::Float(*v),
        (ParamType::Float, toml::Value::Integer(v)) => ParamValue::Float(*v as f64),
        (ParamType::Bool, toml::Value::Boolean(v)) => ParamValue::Bool(*v),
        (ParamType::String, toml::Value::String(v)) => ParamValue::String(v.clone()),
        (ParamType::Table, toml::Value::Table(v)) => match serde_json::to_value(v) {
            Ok(serde_json::Value::Object(map)) => ParamValue::Table(map),
            _ => return Err(Located::new(value.span(), format!("`{}`: a table of plain values", spec.name))),
        },
        (ParamType::Path, toml::Value::String(v)) if v.is_empty() => ParamValue::String(String::new()),
        (ParamType::Path, toml::Value::String(v)) => {
            let path = base_dir.join(v);
            if !path.exists() {
                return Err(Located::new(value.span(), format!("`{}`: no such file `{}`", spec.name, path.display()))
                    .help("a relative path is taken from the scenario file's directory"));
            }
            let path = path.canonicalize().unwrap_or(path);
            ParamValue::String(path.to_string_lossy().into_owned())
        }
        (kind, found) => {
            return Err(Located::new(
                value.span(),
                format!("parameter `{}` expects {}, found {}", spec.name, kind.with_article(), found.type_str()),
            )
            .help(format!("{} (default {})", spec.help, spec.default)));
        }
    };
    Ok(typed)
}

fn kind_names() -> String {
    StrategyKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

fn strategy(raw: &RawStrategy, workload: &WorkloadEntry, base_dir: &Path) -> Result<StrategyEntry, Located> {
    // A strategy may run another workload of the same plugin (a table of
    // measurements, one workload per row); it then starts from that
    // workload's defaults, not from `[workload.params]`.
    let info = match &raw.workload {
        None => workload.info(),
        Some(name) => workload.manifest.workloads.iter().find(|w| &w.name == name.get_ref()).ok_or_else(|| {
            let known: Vec<&str> = workload.manifest.workloads.iter().map(|w| w.name.as_str()).collect();
            Located::new(
                name.span(),
                format!("plugin `{}` has no workload `{}`", workload.manifest.name, name.get_ref()),
            )
            .help(format!("expected one of: {}", known.join(", ")))
        })?,
    };
    let own_workload = info.name != workload.name;
    let kind = StrategyKind::parse(raw.kind.get_ref()).ok_or_else(|| {
        Located::new(raw.kind.span(), format!("unknown strategy kind `{}`", raw.kind.get_ref()))
            .help(format!("expected one of: {}", kind_names()))
    })?;
    let workers = match &raw.workers {
        None if kind.single_worker() => 1,
        None => std::thread::available_parallelism().map_or(2, |n| n.get() as u32),
        Some(w) if kind.single_worker() && *w.get_ref() != 1 => {
            return Err(Located::new(w.span(), format!("a `{kind}` strategy has exactly one worker"))
                .help("remove `workers`, or choose a kind with several (threads, processes, async-processes…)"));
        }
        Some(w) if (1..=MAX_WORKERS).contains(w.get_ref()) => *w.get_ref() as u32,
        Some(w) => {
            return Err(Located::new(
                w.span(),
                format!("`workers` must be between 1 and {MAX_WORKERS}, found {}", w.get_ref()),
            ));
        }
    };
    if kind.is_async() && !info.async_units {
        return Err(Located::new(
            raw.kind.span(),
            format!("workload `{}` has no async form, which `{kind}` needs", info.name),
        )
        .help("choose a blocking strategy, or implement `run_unit_async` (and `ASYNC = true`) in the workload"));
    }

    let mut gil = false;
    let mut units_in_flight = None;
    let mut interval = GilConfig::DEFAULT_INTERVAL;
    let mut interval_span = None;
    for (key, value) in &raw.options {
        let allowed = kind.options();
        if !allowed.contains(&key.get_ref().as_str()) {
            let help = if allowed.is_empty() {
                format!("`{kind}` takes no options")
            } else {
                format!("`{kind}` takes: {}", allowed.join(", "))
            };
            return Err(Located::new(key.span(), format!("unknown option `{}` for `{kind}`", key.get_ref())).help(help));
        }
        match (key.get_ref().as_str(), value.get_ref()) {
            ("gil", toml::Value::Boolean(on)) => gil = *on,
            ("switch_interval_ms", toml::Value::Float(ms)) if *ms >= MIN_SWITCH_INTERVAL_MS && *ms < 1e6 => {
                interval = Duration::from_secs_f64(ms / 1000.0);
                interval_span = Some(key.span());
            }
            ("switch_interval_ms", toml::Value::Integer(ms)) if *ms > 0 && *ms < 1_000_000 => {
                interval = Duration::from_millis(*ms as u64);
                interval_span = Some(key.span());
            }
            ("units_in_flight", toml::Value::Integer(n)) if (1..=1_000_000).contains(n) => {
                units_in_flight = Some(*n as u32);
            }
            ("units_in_flight", _) => {
                return Err(Located::new(value.span(), "`units_in_flight` must be a whole number from 1 to 1000000"));
            }
            ("gil", _) => {
                return Err(Located::new(value.span(), "`gil` must be `true` or `false`"));
            }
            _ => {
                return Err(Located::new(
                    value.span(),
                    "`switch_interval_ms` must be a number of milliseconds from 0.001 to below 1000000",
                ));
            }
        }
    }
    if let (false, Some(span)) = (gil, interval_span) {
        return Err(Located::new(span, "`switch_interval_ms` only applies with `gil = true`"));
    }

    let label = match &raw.label {
        Some(l) if l.get_ref().trim().is_empty() => {
            return Err(Located::new(l.span(), "`label` is empty"));
        }
        Some(l) => l.get_ref().trim().to_owned(),
        None => kind.name().to_owned(),
    };
    let gil = gil.then_some(GilConfig { switch_interval_ns: interval.as_nanos() as u64 });
    let params = check_params(&raw.params, info, base_dir, |spec| match own_workload {
        true => spec.default.clone(),
        false => workload.param(&spec.name).cloned().unwrap_or(spec.default.clone()),
    })?;
    let overrides = raw.params.keys().map(|k| k.get_ref().clone()).collect();
    let spec = StrategySpec { kind, workers, gil, units_in_flight };
    Ok(StrategyEntry { label, spec, workload: info.name.clone(), params, overrides, limits: Default::default() })
}
