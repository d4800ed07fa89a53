use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// How the server behaves; the defaults are the lecture's server.
#[derive(Debug, Clone)]
pub(crate) struct ServeConfig {
    pub(crate) bind: IpAddr,
    /// 0 picks a free port (tests), reported through `Ready`.
    pub(crate) port: u16,
    /// Added before answering each request (not `/stats`).
    pub(crate) delay: Duration,
    /// Uniform random extra in `[0, jitter]` on top of `delay`.
    pub(crate) jitter: Duration,
    pub(crate) body_bytes: usize,
    /// Probability of answering 500.
    pub(crate) fail_rate: f64,
    /// Probability of closing the connection without answering.
    pub(crate) drop_rate: f64,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8000,
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            body_bytes: 383,
            fail_rate: 0.0,
            drop_rate: 0.0,
        }
    }
}
