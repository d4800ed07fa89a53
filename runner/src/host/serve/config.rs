//! How the server behaves: one type for `runner serve`'s options, a scenario's
//! `[server]` table and the server itself, with the lecture's server as the
//! default (pages of 383 bytes on 127.0.0.1:8000).

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use clap::Args;

/// The lecture's pages are 383 bytes.
const DEFAULT_BODY_BYTES: usize = 383;
const DEFAULT_PORT: u16 = 8000;

/// How the server answers.
#[derive(Debug, Clone, PartialEq, Args)]
pub(crate) struct ServeConfig {
    /// Address to bind (only 127.0.0.1 unless you say otherwise).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub(crate) bind: IpAddr,
    /// Port; 0 picks a free one (printed on stdout).
    #[arg(long, default_value_t = DEFAULT_PORT)]
    pub(crate) port: u16,
    /// Delay before each answer (not `/stats`), e.g. `100ms`, `1s`.
    #[arg(long, default_value = "0ms", value_parser = parse_duration)]
    pub(crate) delay: Duration,
    /// Up to this much more delay, uniformly random, per request.
    #[arg(long, default_value = "0ms", value_parser = parse_duration)]
    pub(crate) jitter: Duration,
    /// Body size of each page (the lecture's pages are 383 bytes).
    #[arg(long, default_value_t = DEFAULT_BODY_BYTES)]
    pub(crate) body_bytes: usize,
    /// Fraction of requests answered with 500.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub(crate) fail_rate: f64,
    /// Fraction of requests whose connection is closed without an answer.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    pub(crate) drop_rate: f64,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            body_bytes: DEFAULT_BODY_BYTES,
            fail_rate: 0.0,
            drop_rate: 0.0,
        }
    }
}

impl ServeConfig {
    /// The command-line options of `runner serve` for how it answers (the
    /// address is the caller's choice).
    pub(crate) fn to_args(&self) -> Vec<String> {
        let ms = |d: Duration| format!("{}ms", d.as_secs_f64() * 1e3);
        vec![
            "--delay".into(),
            ms(self.delay),
            "--jitter".into(),
            ms(self.jitter),
            "--body-bytes".into(),
            self.body_bytes.to_string(),
            "--fail-rate".into(),
            self.fail_rate.to_string(),
            "--drop-rate".into(),
            self.drop_rate.to_string(),
        ]
    }
}

/// `250us`, `100ms`, `1.5s`.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = text.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else {
        return Err(format!("`{text}` needs a unit: us, ms or s (e.g. 100ms)"));
    };
    let value: f64 = number.trim().parse().map_err(|_| format!("`{text}` is not a duration (e.g. 100ms)"))?;
    Duration::try_from_secs_f64(value * scale).map_err(|e| format!("`{text}`: {e}"))
}

/// A probability from 0 to 1.
fn parse_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("`{text}` is not a rate between 0 and 1")),
    }
}
