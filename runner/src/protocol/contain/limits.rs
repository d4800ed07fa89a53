//! What a run may use: the `[limits]` of a scenario, a strategy's override and
//! `--limit NAME=VALUE`, merged in that order. Pure data, built by the host
//! and sent to the run's process inside the run description (JSON), where
//! [`super::child`] turns it into rlimits and [`super::host`] into a cgroup.
//!
//! Why these defaults: each protects the machine (24 GiB, 2 cores here) and is
//! far from what the lecture's scenarios use, measured with the scenarios in
//! `scenarios/` (see the report in `contain/mod.rs`): io_bound runs 64 threads
//! and 100 connections, latency spawns threads one after another and binds a
//! listener, hash_files writes 8 × 16 MiB, python_race's locked strategy uses
//! about 6 s of CPU.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The names accepted in `[limits]` and by `--limit`, in the order documented.
pub(crate) const LIMIT_NAMES: &[&str] = &["memory", "processes", "open_files", "write", "cpu_time", "output", "events"];

const KIB: u64 = 1 << 10;
const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// Every limit of one run. `processes: None` means "from the workers" (see
/// [`Limits::processes_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Memory of the run's processes together (cgroup), and of each (RLIMIT_DATA).
    pub(crate) memory_bytes: u64,
    /// Processes and threads of the run together; `None`: from the workers.
    pub(crate) processes: Option<u64>,
    /// Open file descriptors per process (RLIMIT_NOFILE).
    pub(crate) open_files: u64,
    /// Largest file a run may write (RLIMIT_FSIZE).
    pub(crate) write_bytes: u64,
    /// CPU time per process (RLIMIT_CPU; the cgroup's total is measured by the host).
    #[serde(with = "duration_ms")]
    pub(crate) cpu_time: Duration,
    /// stdout + stderr kept per run, by the host.
    pub(crate) output_bytes: u64,
    /// Custom events kept per run, by the host.
    pub(crate) events: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 4 * GIB,
            processes: None,
            open_files: 4096,
            write_bytes: GIB,
            cpu_time: Duration::from_secs(300),
            output_bytes: 16 * MIB,
            events: 1_000_000,
        }
    }
}

impl Limits {
    /// Sets the limit `name` from a TOML value (`[limits]`, a strategy's
    /// override, or `--limit NAME=VALUE` parsed as TOML, else as a string).
    /// The error says what was expected, without the key's place (the caller
    /// knows the span).
    pub(crate) fn set(&mut self, name: &str, value: &toml::Value) -> Result<(), String> {
        match name {
            "memory" => self.memory_bytes = positive(parse_size(value)?, name)?,
            "processes" => self.processes = Some(positive(parse_count(value)?, name)?),
            "open_files" => self.open_files = parse_count(value)?.max(16),
            "write" => self.write_bytes = positive(parse_size(value)?, name)?,
            "cpu_time" => {
                let d = parse_duration(value)?;
                if d.is_zero() {
                    return Err("`cpu_time` must be more than 0 s".into());
                }
                self.cpu_time = d;
            }
            "output" => self.output_bytes = parse_size(value)?,
            "events" => self.events = parse_count(value)?,
            other => {
                return Err(format!("unknown limit `{other}`\n  = help: expected one of: {}", LIMIT_NAMES.join(", ")));
            }
        }
        Ok(())
    }

    /// Applies `--limit NAME=VALUE` (VALUE as TOML: `512`, `"1 GiB"`; a bare
    /// `1GiB` or `20s` is taken as a string).
    pub(crate) fn set_from_arg(&mut self, arg: &str) -> Result<(), String> {
        let (name, text) =
            arg.split_once('=').ok_or_else(|| format!("`{arg}`: expected NAME=VALUE, e.g. memory=\"1 GiB\""))?;
        let name = name.trim();
        let text = text.trim();
        let value = toml::from_str::<toml::Table>(&format!("v = {text}"))
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| toml::Value::String(text.to_owned()));
        self.set(name, &value).map_err(|e| format!("--limit {name}: {e}"))
    }

    /// Processes and threads allowed for a run of `workers` workers: the
    /// configured number, else a margin that threads, forks and runtimes of
    /// every strategy stay far below (io_bound's 64 threads reach ~70 tasks).
    pub(crate) fn processes_for(&self, workers: u64) -> u64 {
        self.processes.unwrap_or_else(|| (4 * workers + 256).min(4096))
    }
}

fn positive(n: u64, name: &str) -> Result<u64, String> {
    if n == 0 { Err(format!("`{name}` must be more than 0")) } else { Ok(n) }
}

fn parse_count(value: &toml::Value) -> Result<u64, String> {
    match value {
        toml::Value::Integer(n) if *n >= 0 => Ok(*n as u64),
        toml::Value::Integer(n) => Err(format!("expected a count of 0 or more, found {n}")),
        other => Err(format!("expected an integer, found {}", other.type_str())),
    }
}

/// A size: an integer of bytes, or a string `"N UNIT"` with B, KiB, MiB, GiB
/// (also KB/MB/GB as powers of 1000, and no space).
pub(crate) fn parse_size(value: &toml::Value) -> Result<u64, String> {
    match value {
        toml::Value::Integer(n) if *n >= 0 => Ok(*n as u64),
        toml::Value::Integer(n) => Err(format!("a size cannot be negative, found {n}")),
        toml::Value::String(text) => parse_size_str(text),
        other => Err(format!(
            "expected a size (an integer of bytes, or a string like \"512 MiB\"), found {}",
            other.type_str()
        )),
    }
}

fn parse_size_str(text: &str) -> Result<u64, String> {
    let hint = "expected a size like \"10 B\", \"16 KiB\", \"512 MiB\" or \"1 GiB\"";
    let (number, unit) = split_number(text).ok_or_else(|| format!("`{text}`: {hint}"))?;
    let scale = match unit {
        "" | "B" => 1,
        "KiB" => KIB,
        "MiB" => MIB,
        "GiB" => GIB,
        "KB" | "kB" => 1000,
        "MB" => 1_000_000,
        "GB" => 1_000_000_000,
        other => return Err(format!("`{text}`: unknown unit `{other}`; {hint}")),
    };
    let bytes = number * scale as f64;
    if !bytes.is_finite() || bytes < 0.0 || bytes > u64::MAX as f64 {
        return Err(format!("`{text}`: {hint}"));
    }
    Ok(bytes.round() as u64)
}

/// A duration: a number of seconds, or a string `"N UNIT"` with ms, s, min.
pub(crate) fn parse_duration(value: &toml::Value) -> Result<Duration, String> {
    let hint = "expected a duration: seconds as a number, or a string like \"500 ms\", \"20 s\" or \"2 min\"";
    let seconds = match value {
        toml::Value::Integer(n) => *n as f64,
        toml::Value::Float(x) => *x,
        toml::Value::String(text) => {
            let (number, unit) = split_number(text).ok_or_else(|| format!("`{text}`: {hint}"))?;
            match unit {
                "ms" => number / 1000.0,
                "" | "s" => number,
                "min" => number * 60.0,
                other => return Err(format!("`{text}`: unknown unit `{other}`; {hint}")),
            }
        }
        other => return Err(format!("{hint}, found {}", other.type_str())),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("{hint}, found {seconds}"))
}

/// `"1.5 GiB"` → (1.5, "GiB"); `"16KiB"` → (16, "KiB"); underscores allowed.
fn split_number(text: &str) -> Option<(f64, &str)> {
    let text = text.trim();
    let end = text.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_')).unwrap_or(text.len());
    let number: f64 = text[..end].replace('_', "").parse().ok()?;
    Some((number, text[end..].trim()))
}

/// Durations cross as whole milliseconds: plain JSON numbers.
mod duration_ms {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> toml::Value {
        toml::Value::String(text.into())
    }

    #[test]
    fn sizes_parse_as_documented() {
        assert_eq!(parse_size(&toml::Value::Integer(4096)), Ok(4096));
        assert_eq!(parse_size(&s("1 GiB")), Ok(GIB));
        assert_eq!(parse_size(&s("512 MiB")), Ok(512 * MIB));
        assert_eq!(parse_size(&s("16 KiB")), Ok(16 * KIB));
        assert_eq!(parse_size(&s("10 B")), Ok(10));
        assert_eq!(parse_size(&s("16KiB")), Ok(16 * KIB));
        assert_eq!(parse_size(&s("1.5 GiB")), Ok(3 * GIB / 2));
        assert_eq!(parse_size(&s("2 MB")), Ok(2_000_000));
    }

    #[test]
    fn bad_sizes_say_what_is_expected() {
        let e = parse_size(&s("1 GB/s")).unwrap_err();
        assert!(e.contains("unknown unit `GB/s`") && e.contains("\"512 MiB\""), "{e}");
        assert!(parse_size(&s("lots")).unwrap_err().contains("expected a size"));
        assert!(parse_size(&toml::Value::Integer(-1)).unwrap_err().contains("negative"));
        assert!(parse_size(&toml::Value::Boolean(true)).unwrap_err().contains("found boolean"));
    }

    #[test]
    fn durations_parse_as_documented() {
        assert_eq!(parse_duration(&toml::Value::Integer(20)), Ok(Duration::from_secs(20)));
        assert_eq!(parse_duration(&toml::Value::Float(0.25)), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration(&s("20 s")), Ok(Duration::from_secs(20)));
        assert_eq!(parse_duration(&s("500 ms")), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration(&s("2 min")), Ok(Duration::from_secs(120)));
        let e = parse_duration(&s("2 h")).unwrap_err();
        assert!(e.contains("unknown unit `h`") && e.contains("\"2 min\""), "{e}");
        assert!(parse_duration(&toml::Value::Integer(-3)).is_err());
    }

    #[test]
    fn later_sources_override_earlier_ones() {
        // scenario [limits] < strategy override < --limit
        let mut limits = Limits::default();
        limits.set("memory", &s("1 GiB")).unwrap();
        limits.set("cpu_time", &s("20 s")).unwrap();
        limits.set("memory", &s("512 MiB")).unwrap();
        limits.set_from_arg("memory=\"256 MiB\"").unwrap();
        limits.set_from_arg("processes=64").unwrap();
        limits.set_from_arg("cpu_time=2min").unwrap();
        assert_eq!(limits.memory_bytes, 256 * MIB);
        assert_eq!(limits.processes_for(100), 64);
        assert_eq!(limits.cpu_time, Duration::from_secs(120));
        assert_eq!(limits.write_bytes, Limits::default().write_bytes);
    }

    #[test]
    fn unknown_names_and_zero_limits_are_refused() {
        let mut limits = Limits::default();
        let e = limits.set("memroy", &s("1 GiB")).unwrap_err();
        assert!(e.contains("unknown limit `memroy`") && e.contains("memory, processes"), "{e}");
        assert!(limits.set("memory", &toml::Value::Integer(0)).is_err());
        assert!(limits.set("cpu_time", &s("0 s")).is_err());
        assert!(limits.set_from_arg("memory").unwrap_err().contains("NAME=VALUE"));
        assert!(limits.set_from_arg("processes=lots").unwrap_err().starts_with("--limit processes: "));
    }

    #[test]
    fn every_documented_name_is_accepted() {
        let values = ["1 GiB", "64", "256", "1 GiB", "20 s", "16 MiB", "1000000"];
        let mut limits = Limits::default();
        for (name, value) in LIMIT_NAMES.iter().zip(values) {
            limits.set_from_arg(&format!("{name}={value}")).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn processes_default_leaves_room_for_the_lectures_strategies() {
        assert!(Limits::default().processes_for(64) >= 64 + 100);
        assert!(Limits::default().processes_for(2) >= 200);
    }

    #[test]
    fn limits_cross_as_json() {
        let limits = Limits { processes: Some(8), ..Limits::default() };
        let text = serde_json::to_string(&limits).unwrap();
        assert_eq!(serde_json::from_str::<Limits>(&text).unwrap(), limits);
    }
}
