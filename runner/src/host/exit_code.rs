//! The runner's exit codes: a public interface that CI scripts and graders
//! rely on (documented in README.md). Change only on purpose.

/// Every run ran, verified and met its scenario.
pub(crate) const OK: u8 = 0;
/// A run failed (crash, panic, timeout, failed unit) or a result did not verify.
pub(crate) const RUN_FAILED: u8 = 1;
/// The input was unusable: bad command line, malformed scenario, missing or
/// incompatible plugin.
pub(crate) const INPUT_UNUSABLE: u8 = 2;
