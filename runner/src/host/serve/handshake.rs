//! The one line `runner serve` prints once it accepts connections, and how the
//! runner that started it reads that line: both sides here, so they cannot drift.

use std::net::SocketAddr;

const LISTENING: &str = "listening on ";

/// `listening on http://ADDR`.
pub(crate) fn announcement(addr: SocketAddr) -> String {
    format!("{LISTENING}http://{addr}")
}

/// The base URL in an announcement line, if it is one.
pub(crate) fn parse(line: &str) -> Option<&str> {
    line.strip_prefix(LISTENING).map(str::trim)
}
